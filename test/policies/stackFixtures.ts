/** Stack resources in the shape @pulumi/kubernetes registers them, built from the shared fixtures. */
import { parse } from "yaml";
import { fixtureObject, fixtureText } from "../helpers/fixtures";
import { kubernetesProvider, onCluster, type ResourceSpec } from "../helpers/args";

export type ConfigFixture = `${"v3.4" | "v4.1"}/kubesphere-config.${"host" | "member"}.yaml`;

/**
 * A ConfigMap (or ConfigMapPatch) resource from a fixture, with its kubesphere.yaml optionally edited. Typed
 * resources' inputs carry `apiVersion`/`kind`; `withoutKind` drops them, as some registrations (and the
 * ClusterConfiguration CustomResource) arrive without them.
 */
export function configMapResource(
  cluster: string,
  fixture: ConfigFixture,
  options: { edit?: (text: string) => string; patch?: boolean; withoutKind?: boolean; name?: string } = {},
): ResourceSpec {
  const object = fixtureObject(fixture) as Record<string, any>;
  const text = object.data["kubesphere.yaml"] as string;
  const props: Record<string, unknown> = {
    ...(options.withoutKind ? {} : { apiVersion: "v1", kind: "ConfigMap" }),
    metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
    data: { "kubesphere.yaml": options.edit ? options.edit(text) : text },
  };
  const type = options.patch ? "kubernetes:core/v1:ConfigMapPatch" : "kubernetes:core/v1:ConfigMap";
  return onCluster(cluster, type, options.name ?? `${cluster}-kubesphere-config`, props);
}

/** The 3.4 ClusterConfiguration ks-installer as a CustomResource(Patch), edited. */
export function clusterConfigurationResource(cluster: string, edit: (cc: Record<string, any>) => void = () => {}, patch = false): ResourceSpec {
  const cc = fixtureObject("v3.4/cluster-configuration.yaml") as Record<string, any>;
  edit(cc);
  const type = `kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfiguration${patch ? "Patch" : ""}`;
  return onCluster(cluster, type, `${cluster}-ks-installer`, { apiVersion: cc.apiVersion, kind: cc.kind, metadata: cc.metadata, spec: cc.spec });
}

/** The Helm resource types a ks-core chart is installed with. */
export const KS_CORE_HELM_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"] as const;

/** A ks-core Helm release (KubeSphere 4.x) with the given values; `version` pins the chart, `type` picks Release or Chart v4. */
export function ksCoreRelease(
  cluster: string,
  values: unknown,
  chart = "ks-core",
  options: { version?: string; type?: (typeof KS_CORE_HELM_TYPES)[number] } = {},
): ResourceSpec {
  return onCluster(cluster, options.type ?? "kubernetes:helm.sh/v3:Release", `${cluster}-ks-core`, {
    chart,
    ...(options.version !== undefined ? { version: options.version } : {}),
    name: "ks-core",
    namespace: "kubesphere-system",
    repositoryOpts: { repo: "https://charts.kubesphere.io/main" },
    values,
  });
}

/** The ks-core chart versions with fixtures (test/fixtures/kubesphere/ks-core/<version>/), oldest first. */
export function ksCoreChartVersions(): string[] {
  return (JSON.parse(fixtureText("ks-core/provenance.json")) as { file: string }[])
    .map((entry) => entry.file.split("/")[0]!)
    .filter((version, i, all) => all.indexOf(version) === i);
}

/**
 * A chart version's own values.yaml (the whole file, as a user who copies it passes it), with the role and jwtSecret
 * set. The role goes where that values.yaml declares it: a top-level `role:` or `multicluster.role`.
 */
export function ksCoreChartValues(version: string, role: string, jwtSecret: string): Record<string, any> {
  const values = parse(fixtureText(`ks-core/${version}/values.yaml`)) as Record<string, any>;
  if ("role" in values) values.role = role;
  else values.multicluster.role = role;
  values.authentication.issuer.jwtSecret = jwtSecret;
  return values;
}

/** The ks-apiserver Deployment with `replicas`. */
export function apiserverDeployment(cluster: string, replicas: unknown, patch = false): ResourceSpec {
  return onCluster(cluster, `kubernetes:apps/v1:Deployment${patch ? "Patch" : ""}`, `${cluster}-ks-apiserver`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ks-apiserver", namespace: "kubesphere-system" },
    spec: { replicas },
  });
}

/** A compliant stack: a 3.4 host, a 3.4 member and a 4.1 member (ConfigMapPatch), each with its own provider. */
export function compliantStack(): ResourceSpec[] {
  return [
    kubernetesProvider("host"),
    kubernetesProvider("member-1"),
    kubernetesProvider("member-2"),
    configMapResource("host", "v3.4/kubesphere-config.host.yaml"),
    configMapResource("member-1", "v3.4/kubesphere-config.member.yaml"),
    configMapResource("member-2", "v4.1/kubesphere-config.member.yaml", { patch: true }),
  ];
}

/** Resources no KubeSphere policy is about. */
export function unrelatedResources(cluster: string): ResourceSpec[] {
  return [
    onCluster(cluster, "kubernetes:core/v1:Namespace", `${cluster}-apps`, { metadata: { name: "apps" } }),
    onCluster(cluster, "kubernetes:core/v1:ConfigMap", `${cluster}-other-config`, { metadata: { name: "app-config", namespace: "apps" }, data: { "kubesphere.yaml": "not: [valid" } }),
    { type: "random:index/randomPassword:RandomPassword", name: "password", props: { length: 32 } },
  ];
}
