import { formatDuration } from "../model/duration";
import { Enforcement, SETTINGS_SOURCES, RuleScope, Severity, type Finding, type Rule } from "./rule";

export const FLEET_CONSISTENT_CLOCK_SKEW = "kubesphere-fleet-configure-consistent-clock-skew";

/** Advisory: members judge a host token's `iat` with their own maximumClockSkew; differing values make logins flaky. */
export const fleetConsistentClockSkew: Rule = {
  id: FLEET_CONSISTENT_CLOCK_SKEW,
  description: "Checks whether every cluster of the fleet uses the same maximumClockSkew.",
  severity: Severity.low,
  enforcement: Enforcement.advisory,
  scope: RuleScope.fleet,
  reads: SETTINGS_SOURCES,
  remediationSteps:
    "Set the same authentication.maximumClockSkew (4.x: authentication.issuer.maximumClockSkew) on every cluster, and keep the nodes' clocks " +
    "synchronised with NTP; a member clock behind the host gives `token used before issued`.",
  evaluate(fleet) {
    const bySkew = new Map<number, string[]>();
    for (const cluster of fleet.clusters) {
      for (const settings of cluster.settings) {
        const skew = settings.maximumClockSkew;
        if (skew.state !== "known") continue;
        const names = bySkew.get(skew.value) ?? [];
        if (!names.includes(cluster.name)) names.push(cluster.name);
        bySkew.set(skew.value, names);
      }
    }
    if (bySkew.size < 2) return [];
    const summary = [...bySkew].map(([seconds, names]) => `${formatDuration(seconds)} on ${names.map((n) => `'${n}'`).join(", ")}`).join("; ");
    const findings: Finding[] = [];
    for (const names of bySkew.values()) {
      for (const name of names) {
        findings.push({
          ruleId: FLEET_CONSISTENT_CLOCK_SKEW,
          enforcement: Enforcement.advisory,
          cluster: name,
          message: `Cluster '${name}' maximumClockSkew differs across the fleet (${summary}). Use one value everywhere.`,
        });
      }
    }
    return findings;
  },
};
