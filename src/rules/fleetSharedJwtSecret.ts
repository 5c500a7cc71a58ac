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
 * The reference, first that applies: `expectedJwtSecretFingerprint` (policy config, a shard's pin: each object then
 * decides its own finding, so the pack reports it on that resource before it is applied); the host's secret as read;
 * the stack's declared jwtSecret (`declaredJwtSecretFingerprint`, when the host could not be read). With none of
 * these the rule can only guess: the secret held by the most clusters (clusters, not objects: a 3.x cluster keeps
 * it in three objects, a 4.x one in one). A finding that rests on that guess is advisory and says the host was not
 * read; when no secret is held by more clusters than every other, nothing is guessed at all.
 */
export const fleetSharedJwtSecret: Rule = {
  id: FLEET_SHARED_JWT_SECRET,
  settings: ["expectedJwtSecretFingerprint"],
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
    const reference = referenceSecret(fleet, uses, options);
    if (!reference) return findings;
    if ("holders" in reference) return [...findings, noMajority(fleet, reference.holders)];
    const decidedBy = options.expectedJwtSecretFingerprint ? RuleScope.resource : RuleScope.fleet;
    for (const use of uses) {
      if (use.digest === reference.digest) continue;
      const differs = `Cluster '${use.cluster.name}' jwtSecret (${use.source}) is ${shortFingerprint(use.digest)}; `;
      findings.push({
        ruleId: FLEET_SHARED_JWT_SECRET,
        enforcement: reference.guess ? Enforcement.advisory : Enforcement.mandatory,
        cluster: use.cluster.name,
        source: use.source,
        decidedBy,
        message: reference.guess
          ? differs +
            `${hostNotRead(fleet)}, so this compares with a guess: ${reference.label}, ${shortFingerprint(reference.digest)}. ` +
            `If that is the host's, set the same jwtSecret on '${use.cluster.name}'; to decide, make the host readable ` +
            `(or declare the fleet's jwtSecret or hostJwtSecretFingerprint in the stack).`
          : differs +
            `${reference.label} is ${shortFingerprint(reference.digest)}. Tokens from the host fail with "signature is invalid". ` +
            `Set the same jwtSecret on '${use.cluster.name}'.`,
      });
    }
    return findings;
  },
};

type Reference = { readonly digest: string; readonly label: string; readonly guess: boolean } | { readonly holders: ReadonlyMap<string, readonly string[]> };

function referenceSecret(fleet: FleetView, uses: readonly SecretUse[], options: RuleOptions): Reference | undefined {
  if (options.expectedJwtSecretFingerprint) {
    return { digest: pinnedDigest(options.expectedJwtSecretFingerprint, uses), label: `the fleet's expected jwtSecret (policy config)`, guess: false };
  }
  const host = uses.find((u) => roleOf(u.cluster) === ClusterRole.host);
  if (host) return { digest: host.digest, label: `host '${host.cluster.name}' (${host.source})`, guess: false };
  const holders = holdersByDigest(uses);
  if (holders.size < 2) return undefined;
  if (options.declaredJwtSecretFingerprint) {
    return { digest: pinnedDigest(options.declaredJwtSecretFingerprint, uses), label: `${hostNotRead(fleet)}; the stack's jwtSecret`, guess: false };
  }
  const [first, second] = [...holders].sort((a, b) => b[1].length - a[1].length);
  const [digest, most] = first!;
  if (most.length === second![1].length) return { holders };
  return { digest, label: `the secret held by the most clusters (${most.length} of ${new Set(uses.map((u) => u.cluster.name)).size}: ${quoted(most)})`, guess: true };
}

/** The digest a pin names: a secret in use that it matches, else the pin's own hex (matched by no use). */
function pinnedDigest(pin: string, uses: readonly SecretUse[]): string {
  const match = uses.find((u) => fingerprintMatches(pin, u.digest));
  return match?.digest ?? pin.trim().toLowerCase().replace(/^sha256:/, "").padEnd(64, "?");
}

/** The clusters holding each secret, each cluster once per secret, in the fleet's order. */
function holdersByDigest(uses: readonly SecretUse[]): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const use of uses) {
    const clusters = holders.get(use.digest) ?? [];
    if (!clusters.includes(use.cluster.name)) clusters.push(use.cluster.name);
    holders.set(use.digest, clusters);
  }
  return holders;
}

/** Why the host's own secret is not the reference, in the words of the fleet: which host, or that none is known. */
function hostNotRead(fleet: FleetView): string {
  const hosts = fleet.clusters.filter((c) => roleOf(c) === ClusterRole.host).map((c) => c.name);
  if (hosts.length > 0) return `the jwtSecret of host ${quoted(hosts)} could not be read`;
  const unread = fleet.clusters.filter((c) => c.settings.length === 0).map((c) => c.name);
  return `no cluster here is known to be the host${unread.length > 0 ? ` (nothing was read from ${quoted(unread)})` : ""}`;
}

/** Secrets split evenly and no host to decide: one advisory about every cluster involved, and no verdict on any. */
function noMajority(fleet: FleetView, holders: ReadonlyMap<string, readonly string[]>): Finding {
  const split = [...holders].map(([digest, clusters]) => `${shortFingerprint(digest)} on ${quoted(clusters)}`).join("; ");
  return {
    ruleId: FLEET_SHARED_JWT_SECRET,
    enforcement: Enforcement.advisory,
    clusters: [...new Set([...holders.values()].flat())],
    decidedBy: RuleScope.fleet,
    message:
      `The clusters hold ${holders.size} different jwtSecrets (${split}) and ${hostNotRead(fleet)}, so which one is right is not known. ` +
      `Make the host readable (or declare the fleet's jwtSecret or hostJwtSecretFingerprint in the stack), then set that secret on every cluster.`,
  };
}

function quoted(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(", ");
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
