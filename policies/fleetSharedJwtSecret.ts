import { fleetSharedJwtSecret as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Mandatory: every cluster of the stack (and, with \`expectedJwtSecretFingerprint\`, of the whole fleet) signs with one jwtSecret. */
export const fleetSharedJwtSecret = policyForRule(rule, ["expectedJwtSecretFingerprint"]);
