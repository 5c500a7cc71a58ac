import { configParses as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Mandatory: every declared kubesphere.yaml parses; the message names line and column. */
export const configParses = policyForRule(rule);
