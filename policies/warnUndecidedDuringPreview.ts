import type { StackValidationPolicy } from "@pulumi/policy";
import { allRules, Enforcement, RuleScope, Severity } from "../src/rules";
import { evaluateStack, isUndecided } from "./rulePolicy";
import { configSchemaFor } from "./policyConfig";

export const WARN_UNDECIDED_DURING_PREVIEW = "kubesphere-fleet-warn-undecided-during-preview";

/**
 * Advisory: what the mandatory policies could not decide, typically a jwtSecret or accessTokenMaxAge that is unknown
 * during preview. Those notes never block (a preview unknown must not give a false mandatory); they are reported
 * here, once, so nobody mistakes silence for a pass. `pulumi up` sees the real values and decides.
 */
export const warnUndecidedDuringPreview: StackValidationPolicy = {
  name: WARN_UNDECIDED_DURING_PREVIEW,
  description: "Checks whether any mandatory KubeSphere fleet policy could not decide, for example because a value is unknown during preview.",
  enforcementLevel: Enforcement.advisory,
  severity: Severity.low,
  remediationSteps:
    "Nothing to change if the value only becomes known during the update: `pulumi up` runs the mandatory policies on the real values. " +
    "Otherwise make the value known at preview time (a plain or secret config value rather than another resource's output).",
  configSchema: configSchemaFor(["expectedJwtSecretFingerprint"]),
  validateStack: (args, reportViolation) => {
    // Rules of scope `resource` decide or stay silent on each resource; the others leave their notes here, whether
    // the note is about one object (a member's accessTokenMaxAge unknown) or the fleet: a stack policy is the one
    // place every note is seen once.
    const rules = allRules().filter((rule) => rule.enforcement === Enforcement.mandatory && rule.scope !== RuleScope.resource);
    const evaluated = evaluateStack(args, rules);
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    for (const finding of evaluated.findings) {
      const rule = byId.get(finding.ruleId);
      if (rule && isUndecided(rule, finding)) reportViolation(`${rule.id}: ${finding.message}`, evaluated.stack.urnOf(finding.cluster, finding.source));
    }
  },
};
