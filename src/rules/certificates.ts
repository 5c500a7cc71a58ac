import { CREDENTIAL_REFRESH_STEPS, daysLeft } from "../model/credentials";
import type { ClusterView, CredentialFacts } from "../model/fleet";
import { Enforcement, ObjectRead, RuleScope, Severity, type Finding, type Rule, type RuleOptions } from "./rule";

export const KUBECONFIG_VALID_CERTIFICATE = "kubesphere-kubeconfig-disallow-expired-certificate";
export const KUBECONFIG_RENEW_CERTIFICATE = "kubesphere-kubeconfig-renew-expiring-certificate";

const REFRESH = `Refresh the kubeconfig: ${CREDENTIAL_REFRESH_STEPS.join("; ")}.`;

/** A kubeconfig whose client certificate has expired (or is not valid yet) gets HTTP 401 from every API server. */
export const kubeconfigValidCertificate: Rule = {
  id: KUBECONFIG_VALID_CERTIFICATE,
  description: "Checks whether every kubeconfig client certificate the fleet is reached with is currently valid.",
  severity: Severity.critical,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.resource,
  reads: [ObjectRead.kubeconfig],
  remediationSteps: REFRESH,
  evaluate(fleet, options) {
    return eachCredential(fleet, (cluster, cred) => {
      const day = (iso: string) => iso.slice(0, 10);
      if (cred.unreadable) return finding(KUBECONFIG_VALID_CERTIFICATE, Enforcement.mandatory, cluster, cred, `${cred.unreadable}. ${REFRESH}`);
      if (cred.notAfter && Date.parse(cred.notAfter) <= options.now.getTime()) {
        return finding(
          KUBECONFIG_VALID_CERTIFICATE,
          Enforcement.mandatory,
          cluster,
          cred,
          `expired on ${cred.notAfter} (${-daysLeft(cred.notAfter, options.now)} days ago, notAfter ${day(cred.notAfter)}); the API server answers ` +
            `"the server has asked for the client to provide credentials". ${REFRESH}`,
        );
      }
      if (cred.notBefore && Date.parse(cred.notBefore) > options.now.getTime()) {
        return finding(KUBECONFIG_VALID_CERTIFICATE, Enforcement.mandatory, cluster, cred, `is not valid before ${cred.notBefore}; check the clock of this machine and of the cluster.`);
      }
      return undefined;
    });
  },
};

/** Advisory: a client certificate that expires within the window (default 30 days). */
export const kubeconfigRenewCertificate: Rule = {
  id: KUBECONFIG_RENEW_CERTIFICATE,
  settings: ["certificateExpiryWindowDays"],
  description: "Checks whether any kubeconfig client certificate of the fleet expires within the configured window.",
  severity: Severity.medium,
  enforcement: Enforcement.advisory,
  scope: RuleScope.resource,
  reads: [ObjectRead.kubeconfig],
  remediationSteps: REFRESH,
  evaluate(fleet, options: RuleOptions) {
    return eachCredential(fleet, (cluster, cred) => {
      if (!cred.notAfter || cred.unreadable) return undefined;
      const left = daysLeft(cred.notAfter, options.now);
      if (Date.parse(cred.notAfter) <= options.now.getTime() || left > options.certificateExpiryWindowDays) return undefined;
      return finding(
        KUBECONFIG_RENEW_CERTIFICATE,
        Enforcement.advisory,
        cluster,
        cred,
        `expires on ${cred.notAfter} (${left} days left, window ${options.certificateExpiryWindowDays} days). ${REFRESH}`,
      );
    });
  },
};

function eachCredential(fleet: { clusters: readonly ClusterView[] }, check: (cluster: ClusterView, cred: CredentialFacts) => Finding | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of fleet.clusters) {
    for (const cred of cluster.credentials) {
      if (cred.kind !== "client-certificate") continue;
      const found = check(cluster, cred);
      if (found) findings.push(found);
    }
  }
  return findings;
}

function finding(ruleId: string, enforcement: Enforcement, cluster: ClusterView, cred: CredentialFacts, what: string): Finding {
  return {
    ruleId,
    enforcement,
    cluster: cluster.name,
    source: cred.source,
    message: `Cluster '${cluster.name}' kubeconfig user '${cred.user}' (${cred.source}) client certificate ${what}`,
  };
}
