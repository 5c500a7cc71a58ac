import { credentialFacts, type KubeconfigUser } from "../model/credentials";
import type { ClusterRole, ClusterView, CredentialFacts } from "../model/fleet";
import { CLUSTER_CONFIGURATION, kubesphereMinor } from "../model/installerConfig";
import { KUBESPHERE_SECRET_NAME } from "../model/kubesphereSecret";
import { clusterViewFromObjects, KS_APISERVER, type KubeSphereNames, type KubernetesObject } from "../model/kubernetesObjects";
import { lookup } from "../model/lookup";
import { FailureKind, ReadFailure, type ClusterReader, type Failure, type ObjectRef } from "./reader";

/** One cluster to audit: where it is, how to reach it, and what the stack says about it (if audited with a stack). */
export interface AuditTarget {
  readonly name: string;
  readonly context: string;
  readonly server?: string;
  /** The kubeconfig's user entry of the context; undefined when the context names no user. */
  readonly user?: KubeconfigUser;
  /** Where the kubeconfig came from (a path, or the stack key). Never the content. */
  readonly kubeconfigSource: string;
  readonly declared?: { readonly role?: ClusterRole; readonly version?: string };
  readonly reader: ClusterReader;
}

/** How far the audit got with a cluster. */
export const ClusterState = { read: "read", noKubeSphere: "no-kubesphere", ...FailureKind } as const;
export type ClusterState = (typeof ClusterState)[keyof typeof ClusterState];

export interface ClusterAudit {
  readonly target: Omit<AuditTarget, "reader" | "user">;
  /** Checked before connecting. */
  readonly credentials: CredentialFacts;
  readonly state: ClusterState;
  /** Why the cluster could not be read, when `state` is a failure. */
  readonly failure?: Failure;
  /** Objects that could not be read while the cluster itself could (e.g. 403 on the Secret). */
  readonly notes: readonly string[];
  /** The objects as the API returned them, for `--save`. */
  readonly objects: readonly KubernetesObject[];
  readonly view: ClusterView;
}

export interface ClusterAuditOptions {
  readonly names: KubeSphereNames;
  readonly timeoutMs: number;
  /** The instant certificates are judged against (default: now). */
  readonly now?: Date;
}

/** What the audit reads from every cluster, ConfigMap first: it decides whether KubeSphere is there at all. */
export function auditedObjects(names: KubeSphereNames): { readonly config: ObjectRef; readonly others: readonly ObjectRef[] } {
  const namespace = names.namespace;
  return {
    config: { apiVersion: "v1", kind: "ConfigMap", namespace, name: names.configMap },
    others: [
      { apiVersion: CLUSTER_CONFIGURATION.apiVersion, kind: CLUSTER_CONFIGURATION.kind, namespace, name: CLUSTER_CONFIGURATION.name },
      { apiVersion: "v1", kind: "Secret", namespace, name: KUBESPHERE_SECRET_NAME },
      { apiVersion: "apps/v1", kind: "Deployment", namespace, name: KS_APISERVER },
    ],
  };
}

/**
 * Audits one cluster: its credentials first (offline), then the KubeSphere objects, within `timeoutMs`. Never
 * throws for anything the cluster does; the outcome is in `state`.
 */
export async function auditCluster(target: AuditTarget, options: ClusterAuditOptions): Promise<ClusterAudit> {
  const { reader, user, ...described } = target;
  const credentials = user ? credentialFacts(user, target.kubeconfigSource) : ({ user: "(none)", source: target.kubeconfigSource, kind: "none" } as const);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const read = await Promise.race([readCluster(reader, options.names, controller.signal), whenAborted(controller.signal, ABORT_GRACE_MS)]);
    const outcome = explainHangUp(read, credentials, options.now ?? new Date());
    const version = versionOf(outcome.objects) ?? target.declared?.version;
    const declaredRole = target.declared?.role;
    const { view, notes } = viewOf(target.name, outcome.objects, {
      names: options.names,
      credentials: [credentials],
      ...(version ? { version } : {}),
      ...(declaredRole ? { declaredRole } : {}),
    });
    return { target: described, credentials, ...outcome, notes: [...outcome.notes, ...notes], view };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The cluster's view from the objects read. An object the model cannot take (a field of a type KubeSphere never
 * writes) is left out of the verdicts with a note naming it, so one malformed object never takes the cluster, or
 * the fleet, down with it.
 */
function viewOf(name: string, objects: readonly KubernetesObject[], options: Parameters<typeof clusterViewFromObjects>[2]): { view: ClusterView; notes: string[] } {
  try {
    const view = clusterViewFromObjects(name, objects, options);
    // The model's notes on fields of the wrong type (kubesphere.yaml's own are findings of the config rule).
    const notes = view.apiserver.flatMap((a) => a.problems).map((p) => `${p.source}: ${p.message}; that value is left out of the verdicts.`);
    return { view, notes };
  } catch {
    const kept: KubernetesObject[] = [];
    const notes: string[] = [];
    for (const object of objects) {
      try {
        clusterViewFromObjects(name, [object], options);
        kept.push(object);
      } catch (error) {
        notes.push(`${objectName(object)} has a field of an unexpected type (${error instanceof Error ? error.name : "error"}); it is left out of the verdicts. Check it with kubectl get -o yaml.`);
      }
    }
    return { view: clusterViewFromObjects(name, kept, options), notes };
  }
}

/** `Deployment kubesphere-system/ks-apiserver`, from whatever the object holds. */
export function objectName(object: KubernetesObject): string {
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : "?");
  const metadata = (object.metadata !== null && typeof object.metadata === "object" ? object.metadata : {}) as { namespace?: unknown; name?: unknown };
  return `${text(object.kind)} ${text(metadata.namespace)}/${text(metadata.name)}`;
}

type ReadOutcome = Pick<ClusterAudit, "state" | "failure" | "notes" | "objects">;

async function readCluster(reader: ClusterReader, names: KubeSphereNames, signal: AbortSignal): Promise<ReadOutcome> {
  const wanted = auditedObjects(names);
  let config: KubernetesObject | undefined;
  try {
    config = await reader.read(wanted.config, signal);
  } catch (error) {
    return { state: failureOf(error).kind, failure: failureOf(error), notes: [], objects: [] };
  }
  if (!config) return { state: ClusterState.noKubeSphere, notes: [], objects: [] };
  const objects: KubernetesObject[] = [config];
  const notes: string[] = [];
  const others = await Promise.allSettled(wanted.others.map((ref) => reader.read(ref, signal)));
  others.forEach((result, i) => {
    const ref = wanted.others[i]!;
    if (result.status === "fulfilled") {
      if (result.value) objects.push(result.value);
    } else {
      const failure = failureOf(result.reason);
      notes.push(`${ref.kind} ${ref.namespace}/${ref.name} could not be read (${failure.kind}: ${failure.detail})`);
    }
  });
  if (signal.aborted) return { state: ClusterState.timeout, failure: { kind: FailureKind.timeout, detail: "no answer before the timeout" }, notes, objects };
  return { state: ClusterState.read, notes, objects };
}

/**
 * Under TLS 1.3 a server that refuses the client certificate (a TLS-terminating proxy, or any server verifying
 * certificates in the handshake) closes the connection after the client has sent its request: the client sees a
 * bare ECONNRESET. With a certificate that is expired or not yet valid, that is the likely cause; say so.
 */
function explainHangUp(outcome: ReadOutcome, credentials: CredentialFacts, now: Date): ReadOutcome {
  if (outcome.failure?.kind !== FailureKind.unreachable || outcome.failure.detail !== "ECONNRESET") return outcome;
  const invalid =
    (credentials.notAfter !== undefined && Date.parse(credentials.notAfter) <= now.getTime()) ||
    (credentials.notBefore !== undefined && Date.parse(credentials.notBefore) > now.getTime());
  if (!invalid) return outcome;
  return { ...outcome, state: ClusterState.certificateRejected, failure: { kind: FailureKind.certificateRejected, detail: "the server closed the connection right after the TLS handshake (ECONNRESET)" } };
}

/**
 * How long after the timeout a reader may take to settle with its own failure (an exec plugin it stopped is a
 * credentials problem, not a timeout). A reader that ignores the signal is cut off here and reported as a timeout.
 */
const ABORT_GRACE_MS = 1_000;

function whenAborted(signal: AbortSignal, graceMs: number): Promise<ReadOutcome> {
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => {
      const timer = setTimeout(
        () => resolve({ state: ClusterState.timeout, failure: { kind: FailureKind.timeout, detail: "no answer before the timeout" }, notes: [], objects: [] }),
        graceMs,
      );
      timer.unref();
    }),
  );
}

function failureOf(error: unknown): Failure {
  if (error instanceof ReadFailure) return error.failure;
  // A reader bug or an exec credential plugin that failed: report it on this cluster only, without its text (it may echo a token).
  return { kind: FailureKind.apiError, detail: error instanceof Error ? `${error.name} while reading` : "error while reading" };
}

/** KubeSphere minor from the ClusterConfiguration's `version` label, else the ks-apiserver image tag (`kubesphere/ks-apiserver:v3.4.1`). */
function versionOf(objects: readonly KubernetesObject[]): string | undefined {
  for (const object of objects) {
    if (object.kind === CLUSTER_CONFIGURATION.kind) {
      const label = lookup(object.metadata, ["labels", "version"]);
      const minor = label.state === "known" ? kubesphereMinor(label.value) : undefined;
      if (minor) return minor;
    }
  }
  for (const object of objects) {
    if (object.kind !== "Deployment") continue;
    const containers = lookup(object.spec, ["template", "spec", "containers"]);
    if (containers.state !== "known" || !Array.isArray(containers.value)) continue;
    for (const container of containers.value as { name?: unknown; image?: unknown }[]) {
      if (typeof container.image !== "string" || !/ks-apiserver/.test(container.image)) continue;
      const minor = kubesphereMinor(container.image.split(":").pop());
      if (minor) return minor;
    }
  }
  return undefined;
}
