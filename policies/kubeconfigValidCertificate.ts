import { kubeconfigValidCertificate as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Mandatory: no provider kubeconfig's client certificate has expired. */
export const kubeconfigValidCertificate = policyForRule(rule);
