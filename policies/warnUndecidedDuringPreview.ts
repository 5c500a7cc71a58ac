import type { ResourceValidationPolicy } from "@pulumi/policy";
import { allRules, Enforcement, RuleScope, Severity } from "../src/rules";
import { configSchemaFor } from "./policyConfig";
import { evaluateResource, isUndecided } from "./rulePolicy";

export const WARN_UNDECIDED_DURING_PREVIEW = "kubesphere-fleet-warn-undecided-during-preview";

/**
 * Advisory: what the mandatory policies cannot decide about a resource because one of its values (a jwtSecret, a
 * role, an accessTokenMaxAge) is unknown during preview. Those notes never block (a preview unknown must not give a
 * false mandatory); they are reported here, once, on the resource that holds the unknown, as the engine registers it,
 * so nobody mistakes silence for a pass. `pulumi up` sees the real values and decides.
 *
 * A resource policy, not a stack policy: every note is about the value of one object, and the policy SDK deserializes
 * the whole stack again for each stack policy (see BENCHMARKS.md).
 */
export const warnUndecidedDuringPreview: ResourceValidationPolicy = {
  name: WARN_UNDECIDED_DURING_PREVIEW,
  description: "Checks whether any mandatory KubeSphere fleet policy could not decide, for example because a value is unknown during preview.",
  enforcementLevel: Enforcement.advisory,
  severity: Severity.low,
  remediationSteps:
    "Nothing to change if the value only becomes known during the update: `pulumi up` runs the mandatory policies on the real values. " +
    "Otherwise make the value known at preview time (a plain or secret config value rather than another resource's output).",
  configSchema: configSchemaFor(["expectedJwtSecretFingerprint"]),
  validateResource: (args, reportViolation) => {
    // Rules of scope `resource` decide or stay silent on each resource; the others leave notes about unknown values.
    const rules = allRules().filter((rule) => rule.enforcement === Enforcement.mandatory && rule.scope !== RuleScope.resource);
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    for (const finding of evaluateResource(args, rules)) {
      const rule = byId.get(finding.ruleId);
      if (rule && isUndecided(rule, finding)) reportViolation(`${rule.id}: ${finding.message}`, args.urn);
    }
  },
};
