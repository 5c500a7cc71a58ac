import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import type { MockRunResult } from "../../src/mocks/runUnderMocks";
import type { KubernetesObject } from "../../src/model/kubernetesObjects";
import { secretFacts } from "../../src/model/secretFacts";
import { FIXTURE_SECRET, PROJECT_ROOT, changed, declared, fixtureObject, lineDiff, plaintextCopies, runStack } from "../helpers/mocksFleet";

// A rebranded fleet managed through kubesphere-config: a 3.4 host (configmap mode, kubeconfig given as content, its
// ClusterConfiguration in the rebranded namespace), a 3.2 member without ks-installer whose config lacks
// accessTokenMaxAge, a 4.1 member still on the host's 2h, and a new secret in the stack.
const STACK_SECRET = "stackJwtSecretCCCCCCCCCCCCCCCCCCCCCC";
const NAMES = { namespace: "acme-system", configMap: "acme-config" };
const hostKubeconfig = readFileSync(join(PROJECT_ROOT, "stacks/dev/kubeconfigs/host.yaml"), "utf8");

function rebranded(file: string, edit: (text: string) => string = (text) => text): KubernetesObject {
  return changed(fixtureObject(file), (o) => {
    o.metadata.name = NAMES.configMap;
    o.metadata.namespace = NAMES.namespace;
    o.data["kubesphere.yaml"] = edit(o.data["kubesphere.yaml"]);
  });
}

const hostInstaller = changed(fixtureObject("v3.4/cluster-configuration.yaml"), (o) => ((o.metadata.namespace = NAMES.namespace), (o.spec.multicluster.clusterRole = "host")));
const live = new Map<string, KubernetesObject[]>([
  ["host", [rebranded("v3.4/kubesphere-config.host.yaml"), hostInstaller]],
  ["member-1", [rebranded("v3.4/kubesphere-config.member.yaml", (text) => text.replace("    accessTokenMaxAge: 0\n", ""))]],
  ["member-2", [rebranded("v4.1/kubesphere-config.host.yaml")]],
]);
const liveText = (cluster: string) => (live.get(cluster)![0]!.data as Record<string, string>)["kubesphere.yaml"]!;

let result: MockRunResult;
test.before(async () => {
  result = await runStack(
    {
      clusters: [
        { name: "host", role: "host", version: "3.4", manage: "configmap", kubeconfig: { content: hostKubeconfig, context: "host-admin" } },
        { name: "member-1", role: "member", version: "3.2", manage: "configmap", ksInstaller: false, kubeconfig: { path: "stacks/dev/kubeconfigs/member-1.yaml" } },
        { name: "member-2", role: "member", version: "4.1", kubeconfig: { path: "stacks/dev/kubeconfigs/member-2.yaml" } },
      ],
      jwtSecret: STACK_SECRET,
      ...NAMES,
    },
    live,
    "acme",
  );
});

const configMapText = (cluster: string) => (declared(result, cluster, "kubernetes:core/v1:ConfigMapPatch")[0]!.inputs as any).data["kubesphere.yaml"] as string;

test("the fleet runs without error, reading the rebranded ConfigMaps and the host's ClusterConfiguration", (t) => {
  t.is(result.error, undefined);
  t.deepEqual(result.resources.filter((r) => r.read).map((r) => `${r.cluster} ${r.id}`).sort(), [
    "host acme-system/acme-config",
    "host acme-system/ks-installer",
    "member-1 acme-system/acme-config",
    "member-2 acme-system/acme-config",
  ]);
});

test("host (3.4, ks-installer): its ClusterConfiguration's auth fields are handed to the engine as they are, without forcing ownership", (t) => {
  const [patch] = declared(result, "host", "kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch");
  t.truthy(patch);
  t.deepEqual(patch!.inputs, {
    apiVersion: "installer.kubesphere.io/v1alpha1",
    kind: "ClusterConfiguration",
    metadata: { name: "ks-installer", namespace: "acme-system", labels: { version: "v3.4.1" } },
    spec: { authentication: { jwtSecret: "" }, multicluster: { clusterRole: "host" } },
  });
  t.deepEqual(patch!.secretPaths, ["spec.authentication"]);
  t.true(patch!.retainOnDelete);
});

test("kubeconfig content from the stack becomes the provider's secret kubeconfig", (t) => {
  const host = result.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "host")!;
  t.deepEqual(host.inputs, { kubeconfig: hostKubeconfig, context: "host-admin" });
  t.deepEqual(host.secretPaths, ["kubeconfig"]);
});

test("host (3.4): only the jwtSecret line changes, and ks-apiserver is not restarted (3.3+ reloads the file)", (t) => {
  t.deepEqual(lineDiff(liveText("host"), configMapText("host")), { removed: [`  jwtSecret: "${FIXTURE_SECRET}"`], added: [`  jwtSecret: "${STACK_SECRET}"`] });
  t.deepEqual(declared(result, "host").map((r) => r.type), ["pulumi:providers:kubernetes", "kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch", "kubernetes:core/v1:ConfigMapPatch"]);
});

test("member-1 (3.2): the new secret and accessTokenMaxAge: 0 are the only new lines, and ks-apiserver restarts", (t) => {
  t.deepEqual(lineDiff(liveText("member-1"), configMapText("member-1")), {
    removed: [`  jwtSecret: "${FIXTURE_SECRET}"`],
    added: [`  jwtSecret: "${STACK_SECRET}"`, "    accessTokenMaxAge: 0"],
  });
  t.deepEqual(declared(result, "member-1").map((r) => r.type), ["pulumi:providers:kubernetes", "kubernetes:core/v1:ConfigMapPatch", "kubernetes:apps/v1:DeploymentPatch"]);
  t.like(declared(result, "member-1", "kubernetes:apps/v1:DeploymentPatch")[0]!.inputs, { metadata: { name: "ks-apiserver", namespace: "acme-system" } });
});

test("member-2 (4.1): 2h becomes 0s, the secret and the host's clusterRole change, nothing else, and ks-apiserver restarts", (t) => {
  t.deepEqual(lineDiff(liveText("member-2"), configMapText("member-2")), {
    removed: [`    jwtSecret: "${FIXTURE_SECRET}"`, "    accessTokenMaxAge: 2h", '  clusterRole: "host"'],
    added: [`    jwtSecret: "${STACK_SECRET}"`, "    accessTokenMaxAge: 0s", '  clusterRole: "member"'],
  });
  t.is(declared(result, "member-2", "kubernetes:apps/v1:DeploymentPatch").length, 1);
});

test("every ConfigMapPatch targets the rebranded names, forces ownership and sends kubesphere.yaml as a secret", (t) => {
  for (const cluster of ["host", "member-1", "member-2"]) {
    const patch = declared(result, cluster, "kubernetes:core/v1:ConfigMapPatch")[0]!;
    t.like(patch.inputs, { metadata: { name: "acme-config", namespace: "acme-system", annotations: { "pulumi.com/patchForce": "true" } } });
    t.deepEqual(patch.secretPaths, ["data.kubesphere.yaml"]);
  }
});

test("neither the new nor the old secret appears outside Pulumi secrets, and the outputs show the new fingerprint", (t) => {
  t.deepEqual(plaintextCopies(result, STACK_SECRET), []);
  t.deepEqual(plaintextCopies(result, FIXTURE_SECRET), []);
  t.is(result.outputs!.jwtSecretSource, "stack config kubesphere-fleet:jwtSecret");
  t.deepEqual(Object.values(result.outputs!.clusters).map((c) => [c.mode, c.jwtSecretFingerprint, c.accessTokenMaxAge]), [
    ["configmap", secretFacts(STACK_SECRET).fingerprint, "2h (ks-apiserver default)"],
    ["configmap", secretFacts(STACK_SECRET).fingerprint, "0"],
    ["configmap", secretFacts(STACK_SECRET).fingerprint, "0"],
  ]);
  t.false(JSON.stringify(result.outputs).includes(STACK_SECRET));
});
