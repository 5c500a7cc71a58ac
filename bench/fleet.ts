import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { ResourceInput } from "../src/engine";
import { secret } from "../src/engine";
import type { ClientCertificate } from "./certificate";
import { FIXTURES_DIR } from "./paths";

/** The jwtSecret the fixtures share; generated fleets replace it with `BENCH_JWT_SECRET`. */
const FIXTURE_JWT_SECRET = "fixtureJwtSecretAAAAAAAAAAAAAAAA";
/** The generated fleets' jwtSecret (32 alphanumerics, like the fixtures'). Never printed: only counts leave the bench. */
export const BENCH_JWT_SECRET = "benchFleetJwtSecretBBBBBBBBBBBBB";

export type BenchVersion = "3.4" | "4.1";
export type BenchRole = "host" | "member";

/** One cluster of a generated fleet, compliant: every member carries the host's jwtSecret and accessTokenMaxAge 0. */
export interface BenchCluster {
  readonly name: string;
  readonly role: BenchRole;
  readonly version: BenchVersion;
  /** Kubeconfig YAML with the shared client certificate (a credential). */
  readonly kubeconfig: string;
  /** ConfigMap kubesphere-config's `kubesphere.yaml`, from the fixture of this version and role. */
  readonly kubesphereYaml: string;
}

const NAMESPACE = "kubesphere-system";
const PATCH_FORCE = { "pulumi.com/patchForce": "true" };
export const PROVIDER_TYPE = "pulumi:providers:kubernetes";

/**
 * A fleet of `size` clusters: one 3.4 host, then members alternating 3.4 and 4.1, each with its fixture
 * kubesphere.yaml (secret replaced, its own `multicluster.clusterName`) and a kubeconfig holding the one shared client certificate.
 */
export function generateFleet(size: number, certificate: ClientCertificate): BenchCluster[] {
  if (size < 1) throw new Error(`a fleet needs at least its host; size ${size}`);
  const texts = fixtureTexts();
  const clusters: BenchCluster[] = [];
  for (let i = 0; i < size; i++) {
    const role: BenchRole = i === 0 ? "host" : "member";
    const version: BenchVersion = i === 0 || i % 2 === 1 ? "3.4" : "4.1";
    const name = i === 0 ? "host" : `member-${String(i).padStart(5, "0")}`;
    const kubesphereYaml = withClusterName(texts[`${version}/${role}`], name);
    clusters.push({ name, role, version, kubeconfig: kubeconfigFor(name, i, certificate), kubesphereYaml });
  }
  return clusters;
}

/**
 * The resources the program registers for a fleet, as the engine sends them to `AnalyzeStack`: the stack, then per
 * cluster its Kubernetes provider (kubeconfig input, secret), ConfigMapPatch kubesphere-config, on 3.x a
 * ClusterConfiguration patch (jwtSecret, clusterRole), and a DeploymentPatch that restarts ks-apiserver. Every
 * resource carries its provider, kubeconfig included, as the engine attaches it.
 */
export function stackResources(clusters: readonly BenchCluster[]): ResourceInput[] {
  const resources: ResourceInput[] = [{ type: "pulumi:pulumi:Stack", name: "kubesphere-fleet-dev", properties: {} }];
  for (const cluster of clusters) {
    const providerProps = { kubeconfig: secret(cluster.kubeconfig), enableServerSideApply: "true" };
    const provider = { type: PROVIDER_TYPE, name: cluster.name, properties: providerProps };
    resources.push({ type: PROVIDER_TYPE, name: cluster.name, properties: providerProps });
    resources.push({
      type: "kubernetes:core/v1:ConfigMapPatch",
      name: `${cluster.name}-kubesphere-config`,
      provider,
      properties: {
        metadata: { name: "kubesphere-config", namespace: NAMESPACE, annotations: PATCH_FORCE },
        data: secret({ "kubesphere.yaml": cluster.kubesphereYaml }),
      },
    });
    if (cluster.version.startsWith("3.")) {
      resources.push({
        type: "kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch",
        name: `${cluster.name}-ks-installer`,
        provider,
        properties: {
          apiVersion: "installer.kubesphere.io/v1alpha1",
          kind: "ClusterConfiguration",
          metadata: { name: "ks-installer", namespace: NAMESPACE, annotations: PATCH_FORCE },
          spec: { authentication: { jwtSecret: secret(BENCH_JWT_SECRET) }, multicluster: { clusterRole: cluster.role } },
        },
      });
    }
    resources.push({
      type: "kubernetes:apps/v1:DeploymentPatch",
      name: `${cluster.name}-ks-apiserver`,
      provider,
      properties: {
        metadata: { name: "ks-apiserver", namespace: NAMESPACE, annotations: PATCH_FORCE },
        spec: { template: { metadata: { annotations: { "kubesphere-fleet/config-fingerprint": "sha256:0f3a9c1e" } } } },
      },
    });
  }
  return resources;
}

/** The fixture kubesphere.yaml per version and role, with the bench jwtSecret in place of the fixtures'. */
function fixtureTexts(): Record<`${BenchVersion}/${BenchRole}`, string> {
  const read = (version: BenchVersion, role: BenchRole): string => {
    const file = join(FIXTURES_DIR, `v${version}`, `kubesphere-config.${role}.yaml`);
    const text = (parse(readFileSync(file, "utf8")) as { data: Record<string, string> }).data["kubesphere.yaml"];
    if (!text?.includes(FIXTURE_JWT_SECRET)) throw new Error(`${file}: expected data.kubesphere.yaml with the fixture jwtSecret`);
    return text.split(FIXTURE_JWT_SECRET).join(BENCH_JWT_SECRET);
  };
  return { "3.4/host": read("3.4", "host"), "3.4/member": read("3.4", "member"), "4.1/host": read("4.1", "host"), "4.1/member": read("4.1", "member") };
}

/**
 * `multicluster.clusterName: <name>` added as ks-controller-manager does after a join, so that no two clusters'
 * kubesphere.yaml are the same text (a pack that caches parses by text gets no free hits).
 */
function withClusterName(text: string, name: string): string {
  const at = text.indexOf("\nmulticluster:\n");
  if (at < 0) throw new Error("fixture kubesphere.yaml has no top-level multicluster section");
  const end = at + "\nmulticluster:\n".length;
  return `${text.slice(0, end)}  clusterName: ${name}\n${text.slice(end)}`;
}

/** A kubeconfig for one cluster: its own server address and context, the shared client certificate. */
function kubeconfigFor(name: string, index: number, certificate: ClientCertificate): string {
  const b64 = (pem: string) => Buffer.from(pem).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: `https://127.0.0.1:${10_000 + (index % 50_000)}`, "certificate-authority-data": b64(certificate.certPem) } }],
    users: [{ name: `${name}-admin`, user: { "client-certificate-data": b64(certificate.certPem), "client-key-data": b64(certificate.keyPem) } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    "current-context": name,
  });
}
