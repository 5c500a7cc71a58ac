import { fleetConsistentClockSkew as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Advisory: clusters declare differing maximumClockSkew. */
export const fleetConsistentClockSkew = policyForRule(rule);
