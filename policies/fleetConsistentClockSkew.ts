import { fleetConsistentClockSkew as rule } from "../src/rules";
import { stackPolicyForRule } from "./rulePolicy";

/** Advisory: clusters declare differing maximumClockSkew. */
export const fleetConsistentClockSkew = stackPolicyForRule(rule);
