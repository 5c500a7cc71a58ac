import type { ApiserverFacts, AuthSettings, ClusterRole, ClusterView, CredentialFacts } from "./fleet";
import { CLUSTER_CONFIGURATION, readClusterConfiguration } from "./installerConfig";
import { KUBESPHERE_CONFIG_KEY, kubesphereYamlHoldsAuth, readKubesphereConfig } from "./kubesphereConfig";
import { KUBESPHERE_SECRET_NAME, readKubesphereSecret } from "./kubesphereSecret";
import { lookup, type ObjectKeys } from "./lookup";
import { known, unknown } from "./observed";
import { isUnknownValue } from "./unknownValue";

/** Where KubeSphere keeps its config. Rebranded distributions rename these, so they are settings. */
export interface KubeSphereNames {
  readonly namespace: string;
  readonly configMap: string;
}

/**
 * Which objects count as KubeSphere's. A name given narrows recognition to it; a name left out does not narrow: the
 * ConfigMap is then KubeSphere's config by what it holds (`kubesphereYamlHoldsAuth`) or by the default names, and
 * Secret kubesphere-secret / Deployment ks-apiserver count in any namespace. So a rebranded distribution needs no
 * setting, and a policy config that names them on one policy only cannot blind the others.
 */
export type KubeSphereNamesFilter = Partial<KubeSphereNames>;

export const DEFAULT_KUBESPHERE_NAMES: KubeSphereNames = { namespace: "kubesphere-system", configMap: "kubesphere-config" };

export const KS_APISERVER = "ks-apiserver";

/** A Kubernetes object as kubectl prints it or a Pulumi resource's inputs carry it. Any value may be Pulumi's unknown sentinel. */
export interface KubernetesObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: unknown;
  readonly data?: unknown;
  readonly stringData?: unknown;
  readonly spec?: unknown;
}

/** What one object tells about a cluster's KubeSphere auth, or undefined for an unrelated object. */
export type ObjectFacts = { readonly settings: AuthSettings } | { readonly apiserver: ApiserverFacts };

const NAMED = { metadata: { name: true, namespace: true } } as const;

/**
 * The keys `factsFromObject` reads of an object of each kind it recognises, so a caller holding much larger inputs
 * (a Deployment's pod template, a ConfigMap's other keys) can hand it only those. `kind` is left out: a caller that
 * picks keys knows the kind and passes it.
 */
export const OBJECT_KEYS_READ: Readonly<Record<string, ObjectKeys>> = {
  ConfigMap: { ...NAMED, data: { [KUBESPHERE_CONFIG_KEY]: true } },
  [CLUSTER_CONFIGURATION.kind]: { metadata: { ...NAMED.metadata, labels: { version: true } }, spec: true },
  Secret: { ...NAMED, data: { secret: true }, stringData: { secret: true } },
  Deployment: { ...NAMED, spec: { replicas: true } },
};

/**
 * Recognises the objects that set KubeSphere auth: the ConfigMap holding kubesphere.yaml (either layout),
 * ClusterConfiguration ks-installer, Secret kubesphere-secret, and the ks-apiserver Deployment, narrowed by `names`
 * (see `KubeSphereNamesFilter`). `kind` may be given when the object itself does not say it (Pulumi resource inputs
 * leave it out).
 */
export function factsFromObject(object: KubernetesObject, names: KubeSphereNamesFilter = {}, kindHint?: string): ObjectFacts | undefined {
  const kind = typeof object.kind === "string" ? object.kind : kindHint;
  const name = text(lookup(object.metadata, ["name"]));
  const namespace = text(lookup(object.metadata, ["namespace"]));
  const inNamespace = names.namespace === undefined || namespace === undefined || namespace === names.namespace;
  const source = `${kind} ${namespace ?? names.namespace ?? DEFAULT_KUBESPHERE_NAMES.namespace}/${name}`;
  switch (kind) {
    case "ConfigMap": {
      if (!inNamespace || !isKubesphereConfigMap(object, name, namespace, names)) return undefined;
      const data = lookup(object.data, [KUBESPHERE_CONFIG_KEY]);
      if (data.state === "unknown" || isUnknownValue(object.data)) return { settings: readKubesphereConfig(undefined, source, "not known until the deployment runs") };
      return { settings: readKubesphereConfig(data.state === "known" ? String(data.value) : undefined, source) };
    }
    case CLUSTER_CONFIGURATION.kind:
      if (name !== CLUSTER_CONFIGURATION.name) return undefined;
      return { settings: readClusterConfiguration(object, source) };
    case "Secret":
      if (name !== KUBESPHERE_SECRET_NAME || !inNamespace) return undefined;
      return { settings: readKubesphereSecret(object, source) };
    case "Deployment": {
      if (name !== KS_APISERVER || !inNamespace) return undefined;
      const replicas = lookup(object.spec, ["replicas"]);
      const where = `${source}: spec.replicas`;
      if (replicas.state === "unknown") return { apiserver: { source, replicas: unknown(where, "not known until the deployment runs"), problems: [] } };
      if (replicas.state === "absent") return { apiserver: { source, replicas: known(1, where), problems: [] } };
      const count = replicas.value;
      // A value of the wrong type is a note about this object, never an exception: the API server would refuse it.
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
        const problem = { source, where: "spec.replicas", message: `spec.replicas is ${describeType(count)}, not a whole number` };
        return { apiserver: { source, replicas: unknown(where, problem.message), problems: [problem] } };
      }
      return { apiserver: { source, replicas: known(count, where), problems: [] } };
    }
    default:
      return undefined;
  }
}

/** A cluster's view from the objects read from it (a live cluster, a snapshot folder, or declared resources). */
export function clusterViewFromObjects(
  name: string,
  objects: readonly KubernetesObject[],
  options: { names?: KubeSphereNamesFilter; version?: string; declaredRole?: ClusterRole; credentials?: readonly CredentialFacts[] } = {},
): ClusterView {
  const settings: AuthSettings[] = [];
  const apiserver: ApiserverFacts[] = [];
  for (const object of objects) {
    const facts = factsFromObject(object, options.names);
    if (!facts) continue;
    if ("settings" in facts) settings.push(facts.settings);
    else apiserver.push(facts.apiserver);
  }
  const version = options.version ?? settings.find((s) => s.installer?.version)?.installer?.version;
  return { name, ...(version ? { version } : {}), ...(options.declaredRole ? { declaredRole: options.declaredRole } : {}), settings, apiserver, credentials: options.credentials ?? [] };
}

/** The JSON type of a value, for messages that must not quote it. */
export function describeType(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "a negative number" : "a fraction";
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

/**
 * Whether a ConfigMap is KubeSphere's config. With a configured ConfigMap name, only that name (a deliberate
 * narrowing). Otherwise the default name in the default (or configured) namespace, or any ConfigMap whose
 * kubesphere.yaml holds an authentication section, or whose kubesphere.yaml is not known yet during preview. A
 * ConfigMap whose whole `data` is unknown is recognised by name only.
 */
function isKubesphereConfigMap(object: KubernetesObject, name: string | undefined, namespace: string | undefined, names: KubeSphereNamesFilter): boolean {
  if (names.configMap !== undefined) return name === names.configMap;
  const defaultPlace = namespace === undefined || namespace === (names.namespace ?? DEFAULT_KUBESPHERE_NAMES.namespace);
  if (name === DEFAULT_KUBESPHERE_NAMES.configMap && defaultPlace) return true;
  if (isUnknownValue(object.data)) return false;
  const data = lookup(object.data, [KUBESPHERE_CONFIG_KEY]);
  return data.state === "unknown" || (data.state === "known" && typeof data.value === "string" && kubesphereYamlHoldsAuth(data.value));
}

function text(found: ReturnType<typeof lookup>): string | undefined {
  return found.state === "known" ? String(found.value) : undefined;
}

