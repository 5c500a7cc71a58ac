import { memberZeroAccessTokenMaxAge as rule } from "../src/rules";
import { stackPolicyForRule } from "./rulePolicy";

/** Mandatory: every member sets accessTokenMaxAge to 0 (absent counts as non-zero). */
export const memberZeroAccessTokenMaxAge = stackPolicyForRule(rule);
