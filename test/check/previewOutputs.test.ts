/**
 * AnalyzeStack gets each resource's outputs, as the Kubernetes provider returns them (src/check/previewOutputs.ts):
 * the live object with the patch applied over it, secrets wrapped where the inputs held them; the inputs where there
 * is no live object. Over the wire with the compiled pack (`npm run build`), through `npm run check`.
 */
import test from "ava";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { liveTargetOf, previewOutputs } from "../../src/check/previewOutputs";
import { secret, WIRE_UNKNOWN, type ResourceInput } from "../../src/engine";
import { isWireSecret } from "../../src/engine/wire";
import { APISERVER_REDIS_CACHE } from "../../src/rules/apiserverRedisCache";
import { runCheckInProcess } from "../helpers/checkCli";
import { ksApiserverDeployment, projectWith } from "../helpers/stackProject";

const deploymentPatch: ResourceInput = {
  type: "kubernetes:apps/v1:DeploymentPatch",
  name: "member-2-ks-apiserver",
  properties: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ks-apiserver", namespace: "kubesphere-system", annotations: { "pulumi.com/patchForce": "true" } },
    spec: { template: { metadata: { annotations: { "kubesphere-fleet/auth-settings": "5a9eb6e6" } } } },
  },
};

test("a patch's outputs are the live object with the patch applied over it, as the server's apply returns it", (t) => {
  const live = ksApiserverDeployment(3);
  const outputs = previewOutputs(deploymentPatch, liveTargetOf(deploymentPatch, [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ks-apiserver", namespace: "kubesphere-system" } }, live])).properties as any;
  t.is(outputs.spec.replicas, 3, "a field only the live object has");
  t.deepEqual(outputs.spec.template.metadata.annotations, { "kubesphere.io/restartedAt": "2026-01-01T00:00:00Z", "kubesphere-fleet/auth-settings": "5a9eb6e6" }, "maps merge key by key");
  t.deepEqual(outputs.metadata.annotations, { "pulumi.com/patchForce": "true" });
  t.is(outputs.metadata.resourceVersion, "4711");
  t.deepEqual(outputs.spec.template.spec.containers, [{ name: "ks-apiserver", image: "kubesphere/ks-apiserver:v4.1.3" }]);
  t.deepEqual(
    Object.keys(outputs).filter((key) => key.startsWith("__")),
    [],
    "the engine leaves out the provider's __inputs, __initialApiVersion and __fieldManager (SkipInternalKeys)",
  );
  t.is((live.spec as any).template.metadata.annotations["kubesphere-fleet/auth-settings"], undefined, "the snapshot's object is not changed");
});

test("a secret input stays secret in the outputs, at the key that held it; the live object's other keys stay plain", (t) => {
  const patch: ResourceInput = {
    type: "kubernetes:core/v1:ConfigMapPatch",
    name: "member-2-kubesphere-config",
    properties: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kubesphere-config", namespace: "kubesphere-system" }, data: { "kubesphere.yaml": secret("authentication: {}\n") } },
  };
  const live = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kubesphere-config", namespace: "kubesphere-system" }, data: { "kubesphere.yaml": "old: text\n", "other.yaml": "x: 1\n" } };
  const outputs = previewOutputs(patch, live).properties as any;
  t.true(isWireSecret(outputs.data["kubesphere.yaml"]));
  t.is(outputs.data["kubesphere.yaml"].value, "authentication: {}\n");
  t.is(outputs.data["other.yaml"], "x: 1\n");
});

test("with no live object, or a value not known here in the inputs, the outputs are the inputs", (t) => {
  t.is(previewOutputs(deploymentPatch, undefined), deploymentPatch);
  t.is(liveTargetOf(deploymentPatch, [{ ...ksApiserverDeployment(3), metadata: { name: "ks-apiserver", namespace: "other" } }]), undefined, "another namespace is another object");
  const unknown: ResourceInput = { ...deploymentPatch, properties: { ...deploymentPatch.properties, spec: { template: { metadata: { annotations: { "kubesphere-fleet/auth-settings": secret(WIRE_UNKNOWN) } } } } } };
  t.is(previewOutputs(unknown, ksApiserverDeployment(3)), unknown);
});

test("the engine's own Stash gives its input, also as its output, as the engine's built-in provider returns it", (t) => {
  const stash: ResourceInput = { type: "pulumi:index:Stash", name: "kubesphere-config-applied", properties: { input: "barrier" } };
  t.deepEqual(previewOutputs(stash, undefined).properties, { input: "barrier", output: "barrier" });
});

test("a deployed fleet whose ks-apiserver runs 3 replicas with the in-memory cache gets the Redis advisory, as a preview gives it from the provider's outputs", async (t) => {
  const dir = projectWith("outputs", () => undefined);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "stacks", "outputs", "live", "member-2", "ks-apiserver.yaml"), stringify(ksApiserverDeployment(3)));
  const run = await runCheckInProcess(["--project-dir", dir, "--stack", "outputs", "--json"]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { violations: { policy: string; enforcementLevel: string; cluster?: string; message: string }[] };
  const redis = report.violations.filter((v) => v.policy === APISERVER_REDIS_CACHE);
  t.deepEqual(redis.map((v) => [v.cluster, v.enforcementLevel]), [["member-2", "advisory"]], JSON.stringify(report.violations));
  t.regex(redis[0]!.message, /has 3 replicas with the in-memory token cache/);
});
