import { kubeconfigRenewCertificate as rule } from "../src/rules";
import { policyForRule } from "./rulePolicy";

/** Advisory: a provider kubeconfig client certificate expires within the window (default 30 days). */
export const kubeconfigRenewCertificate = policyForRule(rule, ["certificateExpiryWindowDays"]);
