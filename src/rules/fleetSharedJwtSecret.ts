import { ClusterRole, type ClusterView, type FleetView } from "../model/fleet";
import { roleOf } from "../model/clusterView";
import { fingerprintMatches, shortFingerprint } from "../model/secretFacts";
import { Enforcement, ObjectRead, SETTINGS_SOURCES, RuleScope, Severity, type Finding, type Rule, type RuleOptions } from "./rule";

export const FLEET_SHARED_JWT_SECRET = "kubesphere-fleet-configure-shared-jwt-secret";

interface SecretUse {
  readonly cluster: ClusterView;
  readonly digest: string;
  readonly source: string;
}

/**
 * Every cluster must sign and verify with the host's jwtSecret; a member with another secret rejects the host's
 * tokens with `signature is invalid`. Linear in the number of observations.
 *
 * With `expectedJwtSecretFingerprint` configured, every jwtSecret is compared with it, so each object decides its own
 * finding (the pack reports it on that resource before it is applied). Without it, the reference is the host's secret
 * (or, with no host, the one most clusters use): that needs the fleet.
 */
export const fleetSharedJwtSecret: Rule = {
  id: FLEET_SHARED_JWT_SECRET,
  description: "Checks whether every cluster of the fleet uses the same jwtSecret as the host cluster.",
  severity: Severity.critical,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.resourceAndFleet,
  reads: [...SETTINGS_SOURCES, ObjectRead.kubesphereSecret],
  remediationSteps:
    "Set one jwtSecret for the whole fleet: on 3.x in the ClusterConfiguration ks-installer (spec.authentication.jwtSecret), " +
    "on 4.x in the ks-core values (authentication.issuer.jwtSecret), or run `pulumi config set --secret jwtSecret …` in this project. " +
    "Restart ks-apiserver where the version does not reload.",
  url: "https://kubesphere.io/docs/v3.4/faq/multi-cluster-management/host-cluster-access-member-cluster/",
  evaluate(fleet, options) {
    const findings: Finding[] = [];
    const uses: SecretUse[] = [];
    for (const cluster of fleet.clusters) {
      for (const settings of cluster.settings) {
        const secret = settings.jwtSecret;
        if (secret.state === "known") uses.push({ cluster, digest: secret.value.digest, source: secret.source });
        else if (secret.state === "unknown") findings.push(undecided(cluster.name, secret.source, secret.reason, options));
      }
    }
    const reference = referenceSecret(uses, options);
    if (!reference) return findings;
    const decidedBy = options.expectedJwtSecretFingerprint ? RuleScope.resource : RuleScope.fleet;
    for (const use of uses) {
      if (use.digest === reference.digest) continue;
      findings.push({
        ruleId: FLEET_SHARED_JWT_SECRET,
        enforcement: Enforcement.mandatory,
        cluster: use.cluster.name,
        source: use.source,
        decidedBy,
        message:
          `Cluster '${use.cluster.name}' jwtSecret (${use.source}) is ${shortFingerprint(use.digest)}; ${reference.label} is ` +
          `${shortFingerprint(reference.digest)}. Tokens from the host fail with "signature is invalid". ` +
          `Set the same jwtSecret on '${use.cluster.name}'.`,
      });
    }
    return findings;
  },
};

function referenceSecret(uses: readonly SecretUse[], options: RuleOptions): { digest: string; label: string } | undefined {
  if (options.expectedJwtSecretFingerprint) {
    const expected = options.expectedJwtSecretFingerprint;
    const hex = expected.trim().toLowerCase().replace(/^sha256:/, "");
    const match = uses.find((u) => fingerprintMatches(expected, u.digest));
    return { digest: match?.digest ?? hex.padEnd(64, "?"), label: `the fleet's expected jwtSecret (policy config)` };
  }
  const host = uses.find((u) => roleOf(u.cluster) === ClusterRole.host);
  if (host) return { digest: host.digest, label: `host '${host.cluster.name}' (${host.source})` };
  const counts = new Map<string, number>();
  let best: SecretUse | undefined;
  for (const use of uses) {
    const count = (counts.get(use.digest) ?? 0) + 1;
    counts.set(use.digest, count);
    if (!best || count > counts.get(best.digest)!) best = use;
  }
  return best && counts.size > 1 ? { digest: best.digest, label: `the secret most clusters use` } : undefined;
}

function undecided(cluster: string, source: string, reason: string, options: RuleOptions): Finding {
  return {
    ruleId: FLEET_SHARED_JWT_SECRET,
    enforcement: Enforcement.advisory,
    cluster,
    source,
    decidedBy: options.expectedJwtSecretFingerprint ? RuleScope.resource : RuleScope.fleet,
    message: `Cluster '${cluster}' jwtSecret (${source}) is ${reason}, so it cannot be compared with the fleet's yet.`,
  };
}
