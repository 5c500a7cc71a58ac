import { PROJECT, FleetRole, majorOf } from "../config/fleetDeclaration";
import { editKubesphereYaml } from "../model/editKubesphereYaml";
import { KUBESPHERE_CONFIG_KEY, readKubesphereConfig } from "../model/kubesphereConfig";
import { secretFacts, sha256Hex } from "../model/secretFacts";
import { effectiveMaxAge, summaryBase, type ClusterPlan, type PlanContext } from "./clusterPlan";
import { kubesphereYamlOf, type LiveCluster } from "./liveCluster";

/** Versions whose ks-apiserver reads kubesphere.yaml only at start: 3.0–3.2 (3.3+ watch the file) and 4.x. */
function needsRestart(version: string): boolean {
  return majorOf(version as Parameters<typeof majorOf>[0]) === 4 || ["3.0", "3.1", "3.2"].includes(version);
}

/**
 * v3 `manage: configmap` and all of v4: the live kubesphere.yaml with only jwtSecret and (members)
 * accessTokenMaxAge changed, and a ks-apiserver restart annotation where the version needs one.
 *
 * The annotation is a digest of the applied settings. When the edit changes the live config (drift being
 * corrected), the digest also covers the config it replaces, so it differs from whatever a running ks-apiserver was
 * started with and the pods restart; when the edit changes nothing, the annotation keeps its current value and
 * nothing restarts.
 */
export function planConfigMap(context: PlanContext, objects: LiveCluster): ClusterPlan | undefined {
  const { cluster, names, secret, where, errors } = context;
  const member = cluster.role === FleetRole.member;
  const base = summaryBase(context);
  const source = `ConfigMap ${names.namespace}/${names.configMap}`;
  const live = objects.configMap;
  const text = live ? kubesphereYamlOf(live) : undefined;
  if (text === undefined) {
    errors.push(`${where}: ${source} ${live ? `has no data key ${KUBESPHERE_CONFIG_KEY}` : "was not found"}. Fix: check the KubeSphere installation, or set ${PROJECT}:namespace / ${PROJECT}:configMap for a rebranded distribution.`);
    return undefined;
  }
  const edit = editKubesphereYaml(text, { jwtSecret: secret, zeroAccessTokenMaxAge: member }, source);
  if (!edit.ok) {
    errors.push(`${where}: ${edit.problem.source}: ${edit.problem.message}. Fix: repair ${KUBESPHERE_CONFIG_KEY} in that ConfigMap (kubectl -n ${names.namespace} edit configmap ${names.configMap}), then run again.`);
    return undefined;
  }
  const expectedLayout = majorOf(cluster.version) === 4 ? "v4" : "v3";
  if (edit.layout !== expectedLayout) {
    errors.push(`${where}: version is "${cluster.version}" but ${source} uses the ${edit.layout === "v4" ? "4.x" : "3.x"} layout of ${KUBESPHERE_CONFIG_KEY}. Fix: set the cluster's real version.`);
    return undefined;
  }
  const effective = readKubesphereConfig(edit.text, source);
  const maxAge = effectiveMaxAge(effective.accessTokenMaxAge);
  const changes = edit.changedKeys.length > 0;
  const settings = [secretFacts(secret).digest, cluster.role, maxAge, ...(changes ? [sha256Hex(text)] : [])];
  const annotation = sha256Hex(settings.join("\n")).slice(0, 32);
  return {
    cluster,
    configMapPatch: { kubesphereYaml: edit.text, changedKeys: edit.changedKeys },
    ...(needsRestart(cluster.version) ? { restart: { annotation, keepCurrent: !changes } } : {}),
    summary: { ...base, accessTokenMaxAge: maxAge },
  };
}
