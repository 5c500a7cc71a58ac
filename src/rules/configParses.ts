import { Enforcement, SETTINGS_SOURCES, RuleScope, Severity, type Finding, type Rule } from "./rule";

export const CONFIG_PARSES = "kubesphere-config-disallow-malformed-yaml";

/** ks-apiserver does not start with a kubesphere.yaml it cannot parse, or with a setting of the wrong type. */
export const configParses: Rule = {
  id: CONFIG_PARSES,
  description: "Checks whether every KubeSphere configuration declared for the fleet parses and has settings of the right type.",
  severity: Severity.high,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.resource,
  reads: SETTINGS_SOURCES,
  remediationSteps: "Fix the YAML at the line and column named (indentation, an unclosed quote, on 4.x a key written twice), then preview again.",
  evaluate(fleet) {
    const findings: Finding[] = [];
    for (const cluster of fleet.clusters) {
      for (const settings of cluster.settings) {
        for (const problem of settings.problems) {
          findings.push({
            ruleId: CONFIG_PARSES,
            enforcement: Enforcement.mandatory,
            cluster: cluster.name,
            source: problem.source,
            message: `Cluster '${cluster.name}' ${problem.source}: ${problem.message}.`,
          });
        }
      }
    }
    return findings;
  },
};
