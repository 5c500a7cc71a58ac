/**
 * KubeSphere's objects on a real cluster, put there the way the installers put them, from the repository's fixtures:
 *  - 3.x (ks-installer): the ClusterConfiguration CRD and the namespace applied with `kubectl apply` (client-side),
 *    as its deploy/kubesphere-installer.yaml is applied; then the ClusterConfiguration `ks-installer`, the ConfigMap
 *    `kubesphere-config` and the Secret `kubesphere-secret`, each with `kubectl apply` (field manager
 *    kubectl-client-side-apply, with the last-applied-configuration annotation);
 *  - 4.x (the ks-core Helm chart): namespace, ConfigMap and Deployment created the way Helm 3 creates a release's
 *    objects: a plain create with field manager `helm`, carrying the release's labels and annotations.
 * ks-apiserver's Deployment (which the audit reads the version from) is created as Helm creates it, on both.
 */
import { createHmac } from "node:crypto";
import { stringify } from "yaml";
import { ksApiserverDeployment } from "../../audit/liveFleet";
import { FIXTURES_DIR, fixtureText } from "../../helpers/fixtures";
import { join } from "node:path";
import type { RealCluster } from "./cluster";

export const NAMESPACE = "kubesphere-system";
const CRD_NAME = "clusterconfigurations.installer.kubesphere.io";

/**
 * ClusterConfiguration's CRD as ks-installer ships it: written here to match the CRD in kubesphere/ks-installer's
 * deploy/kubesphere-installer.yaml (the same on release-3.4 / tag v3.4.1): group installer.kubesphere.io, version
 * v1alpha1 served and stored, namespaced, short name cc, and spec and status objects that keep every unknown field
 * (`x-kubernetes-preserve-unknown-fields`), so the whole installer spec is stored as written.
 */
export const CLUSTER_CONFIGURATION_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: CRD_NAME },
  spec: {
    group: "installer.kubesphere.io",
    versions: [
      {
        name: "v1alpha1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      },
    ],
    scope: "Namespaced",
    names: { plural: "clusterconfigurations", singular: "clusterconfiguration", kind: "ClusterConfiguration", shortNames: ["cc"] },
  },
} as const;

/** The labels and annotations Helm puts on every object of release ks-core. */
const HELM_RELEASE_METADATA = {
  labels: { "app.kubernetes.io/managed-by": "Helm" },
  annotations: { "meta.helm.sh/release-name": "ks-core", "meta.helm.sh/release-namespace": NAMESPACE },
};

const fixture = (relative: string) => join(FIXTURES_DIR, relative);

/** `kubectl create --field-manager=helm` of objects given as documents: what `helm install` does for a new release. */
async function helmCreate(cluster: RealCluster, objects: readonly Record<string, unknown>[]): Promise<void> {
  await cluster.kubectlOk(["create", "--field-manager=helm", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
}

function helmObject(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = (object.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  return {
    ...object,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, ...HELM_RELEASE_METADATA.labels },
      annotations: { ...metadata.annotations, ...HELM_RELEASE_METADATA.annotations },
    },
  };
}

/** The CRD and the namespace, applied client-side as ks-installer's installer manifest is, then the CRD established. */
async function applyInstallerManifest(cluster: RealCluster): Promise<void> {
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } };
  await cluster.kubectlOk(["apply", "-f", "-"], [CLUSTER_CONFIGURATION_CRD, namespace].map((o) => stringify(o)).join("---\n"));
  await cluster.kubectlOk(["wait", "--for", "condition=Established", "--timeout", "60s", `crd/${CRD_NAME}`]);
}

export type V34Role = "host" | "member";

/**
 * A 3.4 cluster in installer mode: the user applied cluster-configuration.yaml (the host leaves jwtSecret empty and
 * sets clusterRole host; the member carries the host's jwtSecret and clusterRole member), and ks-installer applied
 * kubesphere-config and kubesphere-secret.
 */
export async function installV34(cluster: RealCluster, role: V34Role): Promise<void> {
  await applyInstallerManifest(cluster);
  if (role === "host") {
    const text = fixtureText("v3.4/cluster-configuration.yaml");
    if (!/clusterRole: none/.test(text)) throw new Error("v3.4/cluster-configuration.yaml no longer says clusterRole: none");
    await cluster.kubectlOk(["apply", "-f", "-"], text.replace("clusterRole: none", "clusterRole: host"));
  } else {
    await cluster.kubectlOk(["apply", "-f", fixture("v3.4/cluster-configuration.member.yaml")]);
  }
  await cluster.kubectlOk(["apply", "-f", fixture(`v3.4/kubesphere-config.${role}.yaml`)]);
  await cluster.kubectlOk(["apply", "-f", fixture("v3.4/kubesphere-secret.yaml")]);
  await helmCreate(cluster, [helmObject(ksApiserverDeployment("kubesphere/ks-apiserver:v3.4.1"))]);
}

/**
 * A 3.2 member as its user installs it: cluster-configuration.yaml applied client-side with `clusterRole: member` and
 * the jwtSecret given (`jwtSecret`, the host's, as the 3.2 docs say to copy it), and ks-installer's kubesphere-config
 * (with the member's `accessTokenMaxAge: 0`) and kubesphere-secret.
 */
export async function installV32Member(cluster: RealCluster, jwtSecret: string): Promise<void> {
  await applyInstallerManifest(cluster);
  const text = fixtureText("v3.2/cluster-configuration.yaml");
  if (!/clusterRole: none/.test(text) || !/jwtSecret: ""/.test(text)) throw new Error("v3.2/cluster-configuration.yaml no longer says clusterRole: none and jwtSecret: \"\"");
  await cluster.kubectlOk(["apply", "-f", "-"], text.replace("clusterRole: none", "clusterRole: member").replace('jwtSecret: ""', `jwtSecret: "${jwtSecret}"`));
  // kubesphere-config as the fixture has it: with another secret than the spec's (a hand edit, say), which a
  // configmap-mode fleet writes over.
  await cluster.kubectlOk(["apply", "-f", "-"], fixtureText("v3.2/kubesphere-config.member.yaml"));
  await initToken(cluster, jwtSecret);
  await helmCreate(cluster, [helmObject(ksApiserverDeployment("kubesphere/ks-apiserver:v3.2.1"))]);
}

/**
 * What ks-installer's init-token task does when the spec's jwtSecret is set (kubesphere/ks-installer release-3.2 and
 * release-3.4 roles/ks-core/init-token/tasks/main.yaml): delete Secret kubesphere-secret, then create it from that
 * secret, with the admin's static token signed by it (jwt-script/jwt.sh: HS256 over the claims).
 */
export async function initToken(cluster: RealCluster, jwtSecret: string): Promise<void> {
  await cluster.kubectlOk(["delete", "secret", "-n", NAMESPACE, "kubesphere-secret", "--ignore-not-found"]);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ email: "admin@kubesphere.io", username: "admin", token_type: "static_token" })}`;
  const token = `${unsigned}.${createHmac("sha256", jwtSecret).update(unsigned).digest("base64url")}`;
  await cluster.kubectlOk(["create", "secret", "generic", "kubesphere-secret", "-n", NAMESPACE, `--from-literal=token=${token}`, `--from-literal=secret=${jwtSecret}`]);
}

/** A 4.1 member as the host's cluster controller installs ks-core there with Helm: namespace, ConfigMap, ks-apiserver. */
export async function installV41Member(cluster: RealCluster): Promise<void> {
  await helmCreate(cluster, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }]);
  await cluster.kubectlOk(["create", "--field-manager=helm", "-f", fixture("v4.1/kubesphere-config.member.yaml")]);
  await helmCreate(cluster, [helmObject(ksApiserverDeployment("kubesphere/ks-apiserver:v4.1.3"))]);
}

/** An object read back as JSON (`kubectl get -o json`). */
export async function getObject(cluster: RealCluster, kind: string, name: string): Promise<KubeObject> {
  return JSON.parse(await cluster.kubectlOk(["get", "-n", NAMESPACE, kind, name, "-o", "json", "--show-managed-fields"])) as KubeObject;
}

export interface KubeObject {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager: string; operation: string; fieldsV1?: unknown }[];
  };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

/** The field managers of an object, as `manager/operation`. */
export function managers(object: KubeObject): string[] {
  return (object.metadata.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
}
