import { roleOf } from "../model/clusterView";
import { CREDENTIAL_REFRESH_STEPS, daysLeft } from "../model/credentials";
import { formatDuration } from "../model/duration";
import { KubeSphereLayout, type AuthSettings, type ClusterView } from "../model/fleet";
import type { KubeSphereNames } from "../model/kubernetesObjects";
import { Enforcement, type Finding, type RuleOptions } from "../rules";
import { KUBECONFIG_VALID_CERTIFICATE } from "../rules/certificates";
import { FLEET_SHARED_JWT_SECRET } from "../rules/fleetSharedJwtSecret";
import { ClusterState, type ClusterAudit } from "./auditCluster";
import { FailureKind } from "./reader";

/** What the audit says about one cluster, safe to print and to serialise: fingerprints only, never a secret. */
export interface ClusterReport {
  readonly name: string;
  readonly context: string;
  readonly server?: string;
  readonly kubeconfig: string;
  readonly state: ClusterState;
  readonly reachable: boolean;
  /** One plain paragraph when the cluster could not be read: what happened, to whom, since when, and what to do. */
  readonly problem?: string;
  readonly credentials: {
    readonly user: string;
    readonly kind: string;
    readonly subject?: string;
    readonly notBefore?: string;
    readonly notAfter?: string;
    readonly daysLeft?: number;
    readonly unreadable?: string;
  };
  readonly version?: string;
  readonly clusterRole?: string;
  readonly declaredRole?: string;
  /** Every jwtSecret the cluster holds, by source. */
  readonly jwtSecret: readonly { readonly source: string; readonly fingerprint: string }[];
  readonly accessTokenMaxAge?: { readonly value: string; readonly seconds: number; readonly source: string };
  /** A ClusterConfiguration ks-installer exists: it re-renders kubesphere-config, so changes go there. */
  readonly installerOwnsConfig: boolean;
  /** What to change and restart to apply a fix; `undefined` when nothing needs fixing. */
  readonly restart?: string;
  readonly notes: readonly string[];
}

export function clusterReport(audit: ClusterAudit, findings: readonly Finding[], options: { names: KubeSphereNames; rules: RuleOptions; timeoutMs: number }): ClusterReport {
  const { target, credentials, view } = audit;
  const mine = findings.filter((f) => f.cluster === target.name || f.clusters?.includes(target.name));
  const config = view.settings.find((s) => s.kind === "config");
  const maxAge = config?.accessTokenMaxAge;
  const role = roleOf(view);
  const installerOwnsConfig = view.settings.some((s) => s.kind === "installer");
  const needsFix = audit.state === ClusterState.read && mine.some((f) => f.enforcement === Enforcement.mandatory && f.ruleId !== KUBECONFIG_VALID_CERTIFICATE);
  const problem = problemOf(audit, mine, options);
  return {
    name: target.name,
    context: target.context,
    ...(target.server ? { server: target.server } : {}),
    kubeconfig: target.kubeconfigSource,
    state: audit.state,
    reachable: audit.state === ClusterState.read || audit.state === ClusterState.noKubeSphere || audit.state === ClusterState.forbidden,
    ...(problem ? { problem } : {}),
    credentials: {
      user: credentials.user,
      kind: credentials.kind,
      ...(credentials.subject ? { subject: credentials.subject } : {}),
      ...(credentials.notBefore ? { notBefore: credentials.notBefore } : {}),
      ...(credentials.notAfter ? { notAfter: credentials.notAfter, daysLeft: daysLeft(credentials.notAfter, options.rules.now) } : {}),
      ...(credentials.unreadable ? { unreadable: credentials.unreadable } : {}),
    },
    ...(view.version ? { version: view.version } : {}),
    ...(role ? { clusterRole: role } : {}),
    ...(target.declared?.role ? { declaredRole: target.declared.role } : {}),
    jwtSecret: view.settings.flatMap((s) => (s.jwtSecret.state === "known" ? [{ source: s.jwtSecret.source, fingerprint: s.jwtSecret.value.fingerprint }] : [])),
    ...(maxAge?.state === "known" ? { accessTokenMaxAge: { value: formatDuration(maxAge.value), seconds: maxAge.value, source: maxAge.source } } : {}),
    installerOwnsConfig,
    ...(needsFix ? { restart: restartAdvice(view, config, installerOwnsConfig, mine, options.names) } : {}),
    notes: audit.notes,
  };
}

/** The one paragraph that explains why a cluster could not be read. */
function problemOf(audit: ClusterAudit, mine: readonly Finding[], options: { names: KubeSphereNames; rules: RuleOptions; timeoutMs: number }): string | undefined {
  const { target, credentials, failure } = audit;
  const server = target.server ?? `context '${target.context}'`;
  const who = `user '${credentials.user}' of ${target.kubeconfigSource}`;
  if (audit.state === ClusterState.noKubeSphere) {
    return (
      `KubeSphere is not installed on '${target.name}': ${server} has no ConfigMap ${options.names.namespace}/${options.names.configMap} (404). ` +
      `If this distribution renames them, set the namespace and configMap (--namespace/--config-map, or kubesphere-fleet:namespace/configMap in the stack).`
    );
  }
  if (!failure) return undefined;
  switch (failure.kind) {
    case FailureKind.unauthorised:
    case FailureKind.certificateRejected: {
      const now = options.rules.now;
      const expired = credentials.notAfter !== undefined && Date.parse(credentials.notAfter) <= now.getTime();
      const early = credentials.notBefore !== undefined && Date.parse(credentials.notBefore) > now.getTime();
      const answer =
        failure.kind === FailureKind.unauthorised
          ? `HTTP 401 "${failure.detail}" (kubectl prints "the server has asked for the client to provide credentials")`
          : expired || early || /ALERT/.test(failure.detail)
            ? `its TLS layer refused the client certificate: ${failure.detail}`
            : `${failure.detail}; a server that verifies client certificates in the TLS handshake does this when it does not accept the certificate`;
      let cause = "";
      if (expired) {
        cause = ` The client certificate expired on ${credentials.notAfter} (${-daysLeft(credentials.notAfter!, now)} days ago).`;
      } else if (early) {
        cause = ` The client certificate is not valid before ${credentials.notBefore}.`;
      } else if (credentials.kind === "exec" || credentials.kind === "token" || credentials.kind === "auth-provider") {
        cause = ` It authenticates with ${credentials.kind === "exec" ? "an exec credential plugin" : credentials.kind === "token" ? "a bearer token" : "an auth-provider"}, whose credential was refused.`;
      }
      // The certificate rule already gives the refresh steps for an expired certificate: say them once.
      const covered = mine.some((f) => f.ruleId === KUBECONFIG_VALID_CERTIFICATE);
      const refresh = covered ? ` See ${KUBECONFIG_VALID_CERTIFICATE} below for the refresh step.` : ` Refresh the kubeconfig: ${CREDENTIAL_REFRESH_STEPS.join("; ")}.`;
      return `The API server of '${target.name}' (${server}) refused ${who}: ${answer}.${cause}${refresh}`;
    }
    case FailureKind.credentialsUnavailable:
      return `The credentials of ${who} could not be used for '${target.name}': ${failure.detail}. Run \`kubectl --context ${target.context} get ns\` with this kubeconfig to see the plugin's own message.`;
    case FailureKind.forbidden:
      return (
        `${who[0]!.toUpperCase()}${who.slice(1)} may not read ${options.names.namespace}/${options.names.configMap} on '${target.name}': ${failure.detail}. ` +
        `Grant get on configmaps, secrets, deployments and clusterconfigurations in ${options.names.namespace}, or use an admin kubeconfig.`
      );
    case FailureKind.serverUntrusted:
      return `The server certificate of '${target.name}' (${server}) is not trusted by the certificate-authority in ${target.kubeconfigSource}: ${failure.detail}.`;
    case FailureKind.unreachable:
      return `'${target.name}' is unreachable: cannot connect to ${server} (${failure.detail}).`;
    case FailureKind.timeout:
      return `'${target.name}' (${server}) did not answer within ${Math.round(options.timeoutMs / 1000)}s.`;
    case FailureKind.tooLarge:
      return (
        `The API of '${target.name}' (${server}) answered with more than the audit reads: ${failure.detail}. ` +
        `Kubernetes keeps at most 1 MiB in a ConfigMap or Secret, so this answer is not kube-apiserver's; check what answers at ${server} (a proxy, a gateway).`
      );
    case FailureKind.apiError:
      return `The API of '${target.name}' (${server}) failed: ${failure.detail}.`;
  }
}

/** Where to make the change and what has to restart for ks-apiserver to pick it up, by layout and version. */
function restartAdvice(view: ClusterView, config: AuthSettings | undefined, installerOwnsConfig: boolean, mine: readonly Finding[], names: KubeSphereNames): string {
  const restart = `\`kubectl -n ${names.namespace} rollout restart deploy ks-apiserver\``;
  const version = view.version;
  const parts: string[] = [];
  if (config?.layout === KubeSphereLayout.v4 || version?.startsWith("4.")) {
    parts.push(`Change the ks-core values and \`helm upgrade\` ks-core: there is no hot reload, and the checksum/config annotation restarts ks-apiserver (or ${restart} after editing ${names.configMap}).`);
  } else {
    if (installerOwnsConfig) {
      parts.push(`Change the ClusterConfiguration ${names.namespace}/ks-installer, not ${names.configMap}: ks-installer re-renders the ConfigMap and overwrites direct edits.`);
    }
    if (version === "3.3" || version === "3.4") {
      parts.push(`ks-apiserver ${version} reloads kubesphere.yaml by itself once the ConfigMap volume updates (a minute or more); ${restart} if it does not.`);
    } else {
      parts.push(`Then ${restart}${version ? ` (KubeSphere ${version} does not reload kubesphere.yaml)` : ""}.`);
    }
    if (mine.some((f) => f.ruleId === FLEET_SHARED_JWT_SECRET)) {
      parts.push(`A new jwtSecret also makes kubesphere-secret's token (an admin JWT signed with the old secret) stale${version === "3.2" ? ", and devops.password" : ""}.`);
    }
  }
  return parts.join(" ");
}
