import { CacheType } from "../model/fleet";
import { Enforcement, ObjectRead, SETTINGS_SOURCES, RuleScope, Severity, type Finding, type Rule } from "./rule";

export const APISERVER_REDIS_CACHE = "kubesphere-apiserver-enable-redis-cache";

/**
 * Advisory: with several ks-apiserver replicas and the in-memory cache, a token issued by one replica is unknown to
 * the others (kubesphere#4060, #5008): logins bounce between working and not.
 */
export const apiserverRedisCache: Rule = {
  id: APISERVER_REDIS_CACHE,
  description: "Checks whether a ks-apiserver with more than one replica uses a shared Redis cache.",
  severity: Severity.medium,
  enforcement: Enforcement.advisory,
  scope: RuleScope.fleet,
  reads: [...SETTINGS_SOURCES, ObjectRead.ksApiserver],
  remediationSteps:
    "Enable Redis (3.x: spec.common.redis.enabled: true in the ClusterConfiguration; 3.3+/4.x: cache.type: redis in kubesphere.yaml) " +
    "or scale ks-apiserver to one replica.",
  evaluate(fleet) {
    const findings: Finding[] = [];
    for (const cluster of fleet.clusters) {
      const replicas = Math.max(0, ...cluster.apiserver.map((a) => (a.replicas.state === "known" ? a.replicas.value : 0)));
      if (replicas <= 1) continue;
      const caches = cluster.settings.map((s) => s.cache);
      if (caches.some((c) => c.state === "unknown")) continue;
      if (caches.some((c) => c.state === "known" && c.value === CacheType.redis)) continue;
      const source = cluster.apiserver.find((a) => a.replicas.state === "known" && a.replicas.value === replicas)!.source;
      findings.push({
        ruleId: APISERVER_REDIS_CACHE,
        enforcement: Enforcement.advisory,
        cluster: cluster.name,
        source,
        message: `Cluster '${cluster.name}' ks-apiserver (${source}) has ${replicas} replicas with the in-memory token cache; tokens issued by one replica are unknown to the others. Enable the Redis cache or run one replica.`,
      });
    }
    return findings;
  },
};
