import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { KUBESPHERE_CONFIG_KEY } from "../src/model/kubesphereConfig";
import { memberAccessTokenMaxAgeRemedy } from "../src/pack/memberAccessTokenMaxAgeRemedy";
import { plainProps } from "../src/pack/plainInputs";
import { memberZeroAccessTokenMaxAge as rule } from "../src/rules";
import { kubesphereNames, type FleetPolicyConfig } from "./policyConfig";
import { policyForRule } from "./rulePolicy";

/**
 * Mandatory: every member sets accessTokenMaxAge to 0 (absent counts as non-zero). An object that says it is a member
 * is judged on its own resource (Analyze); a config whose role only another object states is judged over the stack.
 * With enforcement `remediate` it also fixes a member's ConfigMap/ConfigMapPatch kubesphere-config in place:
 * accessTokenMaxAge becomes 0 (v3) or 0s (v4), every other byte stays, and a secret `data` stays secret.
 */
export const memberZeroAccessTokenMaxAge: ResourceValidationPolicy & StackValidationPolicy = {
  ...(policyForRule(rule) as ResourceValidationPolicy & StackValidationPolicy),
  remediateResource: (args: ResourceValidationArgs) => {
    const remedy = memberAccessTokenMaxAgeRemedy(args.type, plainProps(args.props), kubesphereNames(args.getConfig<FleetPolicyConfig>()));
    if (remedy === undefined) return undefined;
    // Written through the SDK's secret-preserving proxy, so a secret `data` stays secret.
    (args.props["data"] as Record<string, unknown>)[KUBESPHERE_CONFIG_KEY] = remedy;
    return args.props;
  },
};
