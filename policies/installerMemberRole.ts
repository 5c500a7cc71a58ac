import { installerMemberRole as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Mandatory: a member's ClusterConfiguration declares clusterRole: member (and avoids the 3.3/3.4 duplicate-key trap). */
export const installerMemberRole = policyForRule(rule);
