import { fleetSingleHost as rule } from "../src/rules";
import { stackPolicyForRule } from "./rulePolicy";

/** Mandatory: at most one host cluster in the stack. */
export const fleetSingleHost = stackPolicyForRule(rule);
