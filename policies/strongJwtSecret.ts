import { strongJwtSecret as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Mandatory: every jwtSecret has at least 32 characters and is not a known default. */
export const strongJwtSecret = policyForRule(rule);
