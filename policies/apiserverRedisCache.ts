import { apiserverRedisCache as rule } from "../src/rules";
import { stackPolicyForRule } from "./rulePolicy";

/** Advisory: ks-apiserver runs more than one replica without a Redis cache. */
export const apiserverRedisCache = stackPolicyForRule(rule);
