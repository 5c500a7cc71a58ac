import { ClusterRole } from "../model/fleet";
import { roleOf } from "../model/clusterView";
import { formatDuration } from "../model/duration";
import { Enforcement, SETTINGS_SOURCES, RuleScope, Severity, type Finding, type Rule } from "./rule";

export const MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE = "kubesphere-member-configure-zero-access-token-max-age";

/**
 * A member with a non-zero accessTokenMaxAge looks host-issued tokens up in its own cache, where they never are:
 * `token not found in cache`. A missing key counts as non-zero (ks-apiserver's default is 2h).
 *
 * An object that itself says it is a member (a 3.3+/4.x kubesphere.yaml with `multicluster.clusterRole: member`, a
 * ClusterConfiguration or its patch with `spec.multicluster.clusterRole: member`, ks-core values whose role is member)
 * decides its finding alone: the pack reports it on that resource before it is applied. A kubesphere.yaml that states
 * no role (3.0–3.2 have no `clusterRole`) is a member's only through another object of its cluster (or the declared
 * role): that needs the fleet.
 */
export const memberZeroAccessTokenMaxAge: Rule = {
  id: MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE,
  description: "Checks whether every member cluster sets accessTokenMaxAge to 0 so that it accepts the host's tokens.",
  severity: Severity.high,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.resourceAndFleet,
  reads: SETTINGS_SOURCES,
  remediationSteps:
    "On 3.x set spec.multicluster.clusterRole: member in the member's ClusterConfiguration ks-installer (ks-installer then renders " +
    "authentication.oauthOptions.accessTokenMaxAge: 0), or set that key in kubesphere-config and restart ks-apiserver. " +
    "On 4.x install ks-core with multicluster.role=member (authentication.issuer.accessTokenMaxAge: 0s).",
  url: "https://kubesphere.io/docs/v3.4/faq/multi-cluster-management/host-cluster-access-member-cluster/",
  evaluate(fleet) {
    const findings: Finding[] = [];
    for (const cluster of fleet.clusters) {
      const clusterIsMember = roleOf(cluster) === ClusterRole.member;
      for (const settings of cluster.settings) {
        const saysMember = settings.role.state === "known" && settings.role.value === ClusterRole.member;
        if (!saysMember && !clusterIsMember) continue;
        const maxAge = settings.accessTokenMaxAge;
        if (settings.kind === "secret" || (maxAge.state === "known" && maxAge.value === 0)) continue;
        // A ClusterConfiguration or ks-core values that do not declare the member role are reported by the role rules.
        if (settings.kind !== "config" && !saysMember) continue;
        const decidedBy = saysMember ? RuleScope.resource : RuleScope.fleet;
        if (maxAge.state === "unknown") {
          findings.push({
            ruleId: MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE,
            enforcement: Enforcement.advisory,
            cluster: cluster.name,
            source: maxAge.source,
            decidedBy,
            message: `Member '${cluster.name}' accessTokenMaxAge (${maxAge.source}) is ${maxAge.reason}; it must be 0.`,
          });
          continue;
        }
        if (maxAge.state === "absent" && settings.problems.length > 0) continue;
        const shown = maxAge.state === "known" ? formatDuration(maxAge.value) : "not set (ks-apiserver then uses 2h)";
        findings.push({
          ruleId: MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE,
          enforcement: Enforcement.mandatory,
          cluster: cluster.name,
          source: maxAge.source,
          decidedBy,
          message:
            `Member '${cluster.name}' accessTokenMaxAge (${maxAge.source}) is ${shown}; members need 0 so host tokens are accepted ` +
            `instead of failing with "token not found in cache". ` +
            (settings.layout === "v4" || settings.kind === "helm-values"
              ? "Set authentication.issuer.accessTokenMaxAge: 0s (ks-core multicluster.role=member)."
              : "Set authentication.oauthOptions.accessTokenMaxAge: 0; on 3.x set spec.multicluster.clusterRole: member in the ClusterConfiguration."),
        });
      }
    }
    return findings;
  },
};
