import { installerMemberRole as rule } from "../src/rules";
import { stackPolicyForRule } from "./rulePolicy";

/** Mandatory: a member's ClusterConfiguration declares clusterRole: member (and avoids the 3.3/3.4 duplicate-key trap). */
export const installerMemberRole = stackPolicyForRule(rule);
