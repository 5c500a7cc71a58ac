import { fleetSharedJwtSecret as rule } from "../src/rules";
import { stackPolicyForRule } from "./rulePolicy";

/** Mandatory: every cluster of the stack (and, with \`expectedJwtSecretFingerprint\`, of the whole fleet) signs with one jwtSecret. */
export const fleetSharedJwtSecret = stackPolicyForRule(rule, ["expectedJwtSecretFingerprint"]);
