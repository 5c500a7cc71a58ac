import { ObjectRead, type ApiserverFacts, type AuthSettings, type ClusterView, type CredentialFacts, type FleetView } from "../model/fleet";
import { readKsCoreValues, type KsCoreChart } from "../model/helmValues";
import { factsFromObject, OBJECT_KEYS_READ, type KubeSphereNamesFilter, type KubernetesObject } from "../model/kubernetesObjects";
import { lookup } from "../model/lookup";
import { providerCredentials, type KubernetesProviderInputs } from "./kubeconfigCredentials";
import { pickInputs } from "./plainInputs";
import { HELM_TYPES, KUBERNETES_PROVIDER_TYPE, isKsCoreChart, kindOfType, ksCoreChartVersion } from "./resourceTypes";

/** A provider as the engine attaches it to a resource (`AnalyzerResource.provider`). */
export interface StackProvider {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
}

/**
 * A registered resource as `validateStack` (or `validateResource`) sees it; `props` may be behind the SDK's
 * unknown-checking proxy, and only what the model needs is read from them (`pickInputs`).
 */
export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
  readonly provider?: StackProvider;
}

/** The cluster name of resources that name no provider (outside the engine: hand-made arguments, tests). */
export const NO_PROVIDER_CLUSTER = "default";

/** The fleet a stack declares, and which resource each KubeSphere source came from. */
export interface StackFleet {
  readonly fleet: FleetView;
  /** The URN of the resource a finding's `source` names on that cluster (the provider for a credential), if any. */
  urnOf(cluster: string | undefined, source: string | undefined): string | undefined;
}

interface ClusterParts {
  name: string;
  providerUrn?: string;
  settings: AuthSettings[];
  apiserver: ApiserverFacts[];
  credentials: CredentialFacts[];
  sources: Map<string, string>;
}

/** What `fleetFromResources` reads besides the KubeSphere objects. */
export interface FleetReading {
  /**
   * Whether to read each provider resource's kubeconfig credentials (a YAML parse and an X.509 parse per provider).
   * The pack judges credentials per provider resource, so its stack policies leave this off. Default on.
   */
  readonly credentials?: boolean;
  /** The KubeSphere objects to read (default: all); a policy reads only what its rules read (`Rule.reads`). */
  readonly objects?: ReadonlySet<ObjectRead>;
}

/** What each recognised kind of object is to the rules. */
const READ_OF_KIND: Readonly<Record<string, ObjectRead>> = {
  ConfigMap: ObjectRead.kubesphereConfig,
  ClusterConfiguration: ObjectRead.clusterConfiguration,
  Secret: ObjectRead.kubesphereSecret,
  Deployment: ObjectRead.ksApiserver,
};

/**
 * Groups a stack's resources into one ClusterView per Kubernetes provider: a resource belongs to the cluster of its
 * provider, and a provider's name is the cluster's name. Recognised: ConfigMap kubesphere-config, ClusterConfiguration
 * ks-installer, Secret kubesphere-secret, Deployment ks-apiserver (each also as a `…Patch`), ks-core Helm releases and
 * charts, and the kubeconfig credentials of the provider resources listed. Everything else is ignored. Never throws:
 * preview unknowns become `unknown` observations.
 */
export function fleetFromResources(resources: readonly StackResource[], names: KubeSphereNamesFilter = {}, reading: FleetReading = {}): StackFleet {
  const clusters = new Map<string, ClusterParts>();
  const clusterFor = (provider: { name: string; urn: string } | undefined): ClusterParts => {
    const key = provider?.urn ?? NO_PROVIDER_CLUSTER;
    let parts = clusters.get(key);
    if (!parts) {
      parts = { name: provider?.name ?? NO_PROVIDER_CLUSTER, settings: [], apiserver: [], credentials: [], sources: new Map() };
      if (provider) parts.providerUrn = provider.urn;
      clusters.set(key, parts);
    }
    return parts;
  };

  // The engine hands AnalyzeStack its resources in no fixed order (a Go sync.Map, pulumi v3.259.0
  // pkg/resource/deploy/step_generator.go): read them in URN order, so every view, and every verdict and message made
  // from it (which host is "the" host, which secret is the reference), is the same for any order.
  for (const resource of [...resources].sort(byUrn)) {
    if (resource.type === KUBERNETES_PROVIDER_TYPE) {
      const parts = clusterFor(resource);
      if (reading.credentials === false || (reading.objects && !reading.objects.has(ObjectRead.kubeconfig))) continue;
      const source = `provider '${resource.name}' kubeconfig`;
      parts.credentials.push(...providerCredentials(pickInputs(resource.props, PROVIDER_KEYS_READ) as KubernetesProviderInputs, source));
      parts.sources.set(source, resource.urn);
      continue;
    }
    const kind = kindOfType(resource.type);
    const isHelm = HELM_TYPES.has(resource.type);
    if (!kind && !isHelm) continue;
    if (reading.objects && !reading.objects.has(isHelm ? ObjectRead.ksCoreValues : READ_OF_KIND[kind!]!)) continue;
    const provider = resource.provider?.type === KUBERNETES_PROVIDER_TYPE ? resource.provider : undefined;
    const parts = clusterFor(provider);
    if (isHelm) {
      const settings = ksCoreSettings(resource, pickInputs(resource.props, HELM_KEYS_READ));
      if (settings) record(parts, settings.source, resource.urn, () => parts.settings.push(settings));
      continue;
    }
    const facts = factsFromObject(pickInputs(resource.props, OBJECT_KEYS_READ[kind!]!) as KubernetesObject, names, kind!);
    if (!facts) continue;
    if ("settings" in facts) record(parts, facts.settings.source, resource.urn, () => parts.settings.push(facts.settings));
    else record(parts, facts.apiserver.source, resource.urn, () => parts.apiserver.push(facts.apiserver));
  }

  // Clusters in their providers' URN order, whichever resource met each first (and whichever a reading filter kept).
  const views: ClusterView[] = [...clusters.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, parts]) => {
    const version = parts.settings.find((s) => s.installer?.version)?.installer?.version;
    return { name: parts.name, ...(version ? { version } : {}), settings: parts.settings, apiserver: parts.apiserver, credentials: parts.credentials };
  });
  const byName = new Map([...clusters.values()].map((parts) => [parts.name, parts]));
  return {
    fleet: { clusters: views },
    urnOf(cluster, source) {
      const parts = cluster === undefined ? undefined : byName.get(cluster);
      if (!parts || !source) return undefined;
      for (const [prefix, urn] of parts.sources) if (source.startsWith(prefix)) return urn;
      return undefined;
    },
  };
}

function byUrn(a: StackResource, b: StackResource): number {
  return a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0;
}

/** What is read of a provider's inputs (`providerCredentials`) and of a Helm release's or chart's (`ksCoreSettings`). */
const PROVIDER_KEYS_READ = { kubeconfig: true, context: true } as const;
const HELM_KEYS_READ = { chart: true, name: true, namespace: true, values: true, version: true } as const;

function record(parts: ClusterParts, source: string, urn: string, add: () => void): void {
  add();
  if (!parts.sources.has(source)) parts.sources.set(source, urn);
}

/** The settings of a ks-core Helm release or chart, from its `values` input; other charts give nothing. */
function ksCoreSettings(resource: StackResource, props: Record<string, unknown>): AuthSettings | undefined {
  const chart = lookup(props, ["chart"]);
  if (chart.state !== "known" || !isKsCoreChart(chart.value)) return undefined;
  const namespace = lookup(props, ["namespace"]);
  const releaseName = lookup(props, ["name"]);
  const where = `${namespace.state === "known" ? String(namespace.value) : "kubesphere-system"}/${releaseName.state === "known" ? String(releaseName.value) : resource.name}`;
  const label = resource.type.endsWith(":Release") ? "Helm release" : "Helm chart";
  return readKsCoreValues(props["values"] ?? {}, `${label} ${where} (ks-core) values`, chartOf(lookup(props, ["version"]), chart.value));
}

/** Which ks-core chart version the inputs pin: `version`, else a version in a `ks-core-<version>.tgz` reference. */
function chartOf(version: ReturnType<typeof lookup>, chart: unknown): KsCoreChart {
  if (version.state === "unknown") return { unknown: true };
  const pinned = version.state === "known" && String(version.value).trim() !== "" ? String(version.value) : ksCoreChartVersion(chart);
  return pinned === undefined ? { unpinned: true } : { version: pinned };
}
