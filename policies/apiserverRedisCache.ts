import { apiserverRedisCache as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Advisory: ks-apiserver runs more than one replica without a Redis cache. */
export const apiserverRedisCache = policyForRule(rule);
