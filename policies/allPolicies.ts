import type { Policy } from "@pulumi/policy";
import { allRules } from "../src/rules";
import { memberZeroAccessTokenMaxAge } from "./memberZeroAccessTokenMaxAge";
import { registeredPolicies, registerPolicy } from "./registry";
import { policyForRule } from "./rulePolicy";
import { warnUndecidedDuringPreview } from "./warnUndecidedDuringPreview";

/** A rule's policy when it does more than report its rule's findings (this one also remediates). */
const POLICY_OF_RULE: ReadonlyMap<string, Policy> = new Map([[memberZeroAccessTokenMaxAge.name, memberZeroAccessTokenMaxAge]]);

// One policy per rule, in the rules' order (src/rules lists them, once), then the pack's own note policy.
for (const rule of allRules()) registerPolicy(POLICY_OF_RULE.get(rule.id) ?? policyForRule(rule));
registerPolicy(warnUndecidedDuringPreview);

/** Every policy of the kubesphere-fleet pack, in the order the pack lists them. */
export function allPolicies(): Policy[] {
  return registeredPolicies();
}

/** The pack's policy that enforces a rule (by the rule's id). */
export function policyOf(ruleId: string): Policy {
  const policy = registeredPolicies().find((p) => p.name === ruleId);
  if (!policy) throw new Error(`No policy enforces the rule '${ruleId}'; every rule in src/rules has one (policies/allPolicies.ts).`);
  return policy;
}
