import { ClusterRole, type ClusterView } from "../model/fleet";
import { roleOf } from "../model/clusterView";
import { Enforcement, SETTINGS_SOURCES, RuleScope, Severity, type Finding, type Rule } from "./rule";

export const FLEET_SINGLE_HOST = "kubesphere-fleet-disallow-multiple-hosts";

/**
 * A fleet has exactly one host; and one cluster's sources must not state different roles. A role unknown during
 * preview is a note (advisory): it cannot be counted yet.
 */
export const fleetSingleHost: Rule = {
  id: FLEET_SINGLE_HOST,
  description: "Checks whether the fleet has at most one host cluster and whether each cluster's sources agree on its role.",
  severity: Severity.high,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.fleet,
  reads: SETTINGS_SOURCES,
  remediationSteps:
    "Keep multicluster.clusterRole: host on one cluster only and set member on every other; on 3.x change it in the ClusterConfiguration " +
    "ks-installer (spec.multicluster.clusterRole), on 4.x in the ks-core values (multicluster.role; top-level role in charts 1.1.0–1.1.3).",
  url: "https://kubesphere.io/docs/v3.4/multicluster-management/introduction/kubefed-in-kubesphere/",
  evaluate(fleet) {
    const findings: Finding[] = [];
    const hosts: ClusterView[] = [];
    for (const cluster of fleet.clusters) {
      const role = roleOf(cluster);
      if (role === ClusterRole.host) hosts.push(cluster);
      const stated = cluster.settings.flatMap((s) =>
        s.role.state === "known" && s.role.value !== ClusterRole.none ? [`${s.role.value} (${s.role.source})`] : [],
      );
      for (const settings of cluster.settings) {
        if (settings.role.state !== "unknown") continue;
        findings.push({
          ruleId: FLEET_SINGLE_HOST,
          enforcement: Enforcement.advisory,
          cluster: cluster.name,
          source: settings.role.source,
          message: `Cluster '${cluster.name}' role (${settings.role.source}) is ${settings.role.reason}, so it cannot be counted among the fleet's hosts yet.`,
        });
      }
      const roles = new Set(stated.map((s) => s.split(" ")[0]));
      if (roles.size > 1) {
        findings.push({
          ruleId: FLEET_SINGLE_HOST,
          enforcement: Enforcement.mandatory,
          cluster: cluster.name,
          message: `Cluster '${cluster.name}' is declared with conflicting roles: ${stated.join(", ")}. Declare one role everywhere.`,
        });
      }
    }
    if (hosts.length > 1) {
      const names = hosts.map((h) => h.name);
      for (const host of hosts.slice(1)) {
        findings.push({
          ruleId: FLEET_SINGLE_HOST,
          enforcement: Enforcement.mandatory,
          cluster: host.name,
          clusters: names,
          message: `The fleet has ${hosts.length} host clusters (${names.map((n) => `'${n}'`).join(", ")}); it needs exactly one. Make '${host.name}' a member or move it to its own fleet.`,
        });
      }
    }
    return findings;
  },
};
