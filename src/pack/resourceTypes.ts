/** The provider type every @pulumi/kubernetes resource belongs to; its name names the cluster. */
export const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";

/** Helm resource types whose inputs carry a chart name and values. */
export const HELM_TYPES: ReadonlySet<string> = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"]);

/** The Kubernetes kinds whose objects can set KubeSphere auth (see `factsFromObject`). */
const RECOGNISED_KINDS: ReadonlySet<string> = new Set(["ConfigMap", "ClusterConfiguration", "Secret", "Deployment"]);

/**
 * The Kubernetes kind a @pulumi/kubernetes type token stands for, when it is one that can set KubeSphere auth:
 * `kubernetes:core/v1:ConfigMap` and `…ConfigMapPatch` → `ConfigMap`,
 * `kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfiguration[Patch]` (a CustomResource[Patch]) →
 * `ClusterConfiguration`. Typed resources' inputs leave `kind` out, so this is the only place it is known.
 */
export function kindOfType(type: string): string | undefined {
  if (KINDS.has(type)) return KINDS.get(type);
  const kind = parseKind(type);
  if (KINDS.size < 10_000) KINDS.set(type, kind);
  return kind;
}

/** Every type token seen, with its kind: every policy asks again about every resource. */
const KINDS = new Map<string, string | undefined>();

function parseKind(type: string): string | undefined {
  const match = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!match) return undefined;
  const kind = match[2]!.replace(/Patch$/, "");
  return RECOGNISED_KINDS.has(kind) ? kind : undefined;
}

/** Whether a Helm chart reference names KubeSphere's ks-core chart: `ks-core`, `repo/ks-core`, an OCI or .tgz URL. */
export function isKsCoreChart(chart: unknown): boolean {
  return typeof chart === "string" && /(^|\/)ks-core(-v?\d[^/]*\.tgz)?\/?$/.test(chart.trim());
}

/** The chart version a `…/ks-core-1.1.2.tgz` reference names, if any. */
export function ksCoreChartVersion(chart: unknown): string | undefined {
  return typeof chart === "string" ? /(?:^|\/)ks-core-(v?\d[^/]*)\.tgz$/.exec(chart.trim())?.[1] : undefined;
}
