import { fleetSingleHost as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Mandatory: at most one host cluster in the stack. */
export const fleetSingleHost = policyForRule(rule);
