import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import type { MockRunResult } from "../../src/mocks/runUnderMocks";
import { secretFacts } from "../../src/model/secretFacts";
import { FIXTURE_SECRET, PROJECT_ROOT, declared, liveObjects, patchesOf, plaintextCopies, runStack, stackInput } from "../helpers/mocksFleet";

// One program run per file: Pulumi's mocks are process-global.
let result: MockRunResult;
test.before(async () => {
  result = await runStack(stackInput("dev"), liveObjects("dev"), "dev");
});

const PATCH_FORCE = { "pulumi.com/patchForce": "true" };

test("the dev stack runs without error", (t) => {
  t.is(result.error, undefined);
});

test("each cluster has a kubernetes provider named after it, its kubeconfig content carried as a secret", (t) => {
  const providers = result.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
  t.deepEqual(providers.map((p) => p.name).sort(), ["host", "member-1", "member-2"]);
  for (const provider of providers) {
    t.is(provider.inputs["kubeconfig"], readFileSync(join(PROJECT_ROOT, `stacks/dev/kubeconfigs/${provider.name}.yaml`), "utf8"));
    t.deepEqual(provider.secretPaths, ["kubeconfig"]);
  }
  t.is(providers.find((p) => p.name === "host")!.inputs["context"], "host-admin");
  t.is(providers.find((p) => p.name === "member-1")!.inputs["context"], undefined);
});

test("reads go through each cluster's own provider: ks-installer and kubesphere-config on 3.4, the host's kubesphere-secret, kubesphere-config on 4.1", (t) => {
  const reads = result.resources.filter((r) => r.read).map((r) => `${r.cluster} ${r.type} ${r.id}`).sort();
  t.deepEqual(reads, [
    "host kubernetes:core/v1:ConfigMap kubesphere-system/kubesphere-config",
    "host kubernetes:core/v1:Secret kubesphere-system/kubesphere-secret",
    "host kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfiguration kubesphere-system/ks-installer",
    "member-1 kubernetes:core/v1:ConfigMap kubesphere-system/kubesphere-config",
    "member-1 kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfiguration kubesphere-system/ks-installer",
    "member-2 kubernetes:core/v1:ConfigMap kubesphere-system/kubesphere-config",
  ]);
});

for (const [cluster, role] of [["host", "host"], ["member-1", "member"]] as const) {
  test(`${cluster} (3.4, installer): one ClusterConfiguration patch with the adopted secret as a secret and clusterRole ${role}`, (t) => {
    const resources = declared(result, cluster);
    t.deepEqual(resources.map((r) => r.type), ["pulumi:providers:kubernetes", "kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch"]);
    const patch = resources[1]!;
    t.is(patch.name, `${cluster}-ks-installer`);
    t.deepEqual(patch.inputs, {
      apiVersion: "installer.kubesphere.io/v1alpha1",
      kind: "ClusterConfiguration",
      metadata: { name: "ks-installer", namespace: "kubesphere-system", annotations: PATCH_FORCE },
      spec: { authentication: { jwtSecret: FIXTURE_SECRET }, multicluster: { clusterRole: role } },
    });
    t.deepEqual(patch.secretPaths, ["spec.authentication.jwtSecret"]);
  });
}

test("member-2 (4.1): kubesphere-config written back whole and unchanged (it already agrees), as a secret, and a restart annotation", (t) => {
  const resources = declared(result, "member-2");
  t.deepEqual(resources.map((r) => r.type), ["pulumi:providers:kubernetes", "kubernetes:core/v1:ConfigMapPatch", "kubernetes:apps/v1:DeploymentPatch"]);
  const [, configMap, deployment] = resources;
  const live = liveObjects("dev").get("member-2")![0]!.data as Record<string, string>;
  t.deepEqual(configMap!.inputs, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "kubesphere-config", namespace: "kubesphere-system", annotations: PATCH_FORCE },
    data: { "kubesphere.yaml": live["kubesphere.yaml"] },
  });
  t.deepEqual(configMap!.secretPaths, ["data.kubesphere.yaml"]);
  t.like(deployment!.inputs, { metadata: { name: "ks-apiserver", namespace: "kubesphere-system", annotations: PATCH_FORCE } });
  t.regex((deployment!.inputs as any).spec.template.metadata.annotations["kubesphere-fleet/auth-settings"], /^[0-9a-f]{32}$/);
  t.deepEqual(deployment!.secretPaths, []);
});

test("the secret appears in no declared input except those sent as Pulumi secrets", (t) => {
  t.deepEqual(plaintextCopies(result, FIXTURE_SECRET), []);
  t.deepEqual(plaintextCopies(result, "client-key-data"), []);
});

test("stack outputs give each cluster's role, version, mode, fingerprint and effective max age, and no secret", (t) => {
  const fingerprint = secretFacts(FIXTURE_SECRET).fingerprint;
  t.deepEqual(result.outputs, {
    clusters: {
      host: { role: "host", version: "3.4", mode: "installer", jwtSecretFingerprint: fingerprint, accessTokenMaxAge: "2h (ks-apiserver default)" },
      "member-1": { role: "member", version: "3.4", mode: "installer", jwtSecretFingerprint: fingerprint, accessTokenMaxAge: "0" },
      "member-2": { role: "member", version: "4.1", mode: "configmap", jwtSecretFingerprint: fingerprint, accessTokenMaxAge: "0" },
    },
    jwtSecretSource: "adopted from the host's Secret kubesphere-system/kubesphere-secret",
  });
  t.false(JSON.stringify(result.outputs).includes(FIXTURE_SECRET));
});

test("reads ask the engine to keep what can hold the secret (data, spec, metadata) as secrets in the state", (t) => {
  const reads = Object.fromEntries(result.resources.filter((r) => r.read).map((r) => [`${r.cluster} ${r.type.split(":").pop()}`, [...new Set(r.additionalSecretOutputs)].sort()]));
  t.deepEqual(reads, {
    "host Secret": ["data", "metadata", "stringData"],
    "host ClusterConfiguration": ["metadata", "spec"],
    "host ConfigMap": ["data", "metadata"],
    "member-1 ClusterConfiguration": ["metadata", "spec"],
    "member-1 ConfigMap": ["data", "metadata"],
    "member-2 ConfigMap": ["data", "metadata"],
  });
});

test("every patch is retained on delete, so a stack destroy never strips kubesphere.yaml or the installer's secret", (t) => {
  const patches = patchesOf(result);
  t.is(patches.length, 4);
  t.true(patches.every((r) => r.retainOnDelete));
  t.false(result.resources.some((r) => r.type === "pulumi:providers:kubernetes" && r.retainOnDelete));
});

test("the ks-apiserver restart waits for the ConfigMap patch, through the fleet's barrier", (t) => {
  const [deployment] = declared(result, "member-2", "kubernetes:apps/v1:DeploymentPatch");
  t.is(deployment!.dependencies.length, 1);
  t.regex(deployment!.dependencies[0]!, /[:$]pulumi:index:Stash::kubesphere-config-applied$/);
  const barrier = result.resources.find((r) => r.type === "pulumi:index:Stash")!;
  t.true(barrier.dependencies.some((urn) => /[:$]kubernetes:core\/v1:ConfigMapPatch::member-2-kubesphere-config$/.test(urn)), barrier.dependencies.join(", "));
});
