import { kubeconfigValidCertificate as rule } from "../src/rules";
import { stackPolicyForRule } from "./rulePolicy";

/** Mandatory: no provider kubeconfig's client certificate has expired. */
export const kubeconfigValidCertificate = stackPolicyForRule(rule);
