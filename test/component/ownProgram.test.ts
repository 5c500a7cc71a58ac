/**
 * The component in someone else's program: examples/own-program (its own k8s.Providers, one cluster by kubeconfig,
 * the secret from config) under Pulumi's mocks, the objects its reads see from the dev stack's live snapshot.
 */
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { toEngineResources } from "../../src/check/toEngineResources";
import { startPolicyPack } from "../../src/engine";
import type { RecordedResource } from "../../src/mocks/kubernetesMocks";
import { runUnderMocks } from "../../src/mocks/runUnderMocks";
import { secretFacts } from "../../src/model/secretFacts";
import { valueOf } from "../../src/program/readLive";
import { PROJECT_ROOT, liveObjects, pathsContaining } from "../helpers/mocksFleet";

const PROJECT = "kubesphere-fleet-own-program";
const SECRET = "ownProgramJwtSecret0123456789abcdef";
const kubeconfig = (file: string) => readFileSync(join(PROJECT_ROOT, "stacks", "dev", "kubeconfigs", file), "utf8");
const CONFIG = {
  config: {
    [`${PROJECT}:jwtSecret`]: SECRET,
    [`${PROJECT}:hostKubeconfig`]: kubeconfig("host.yaml"),
    [`${PROJECT}:edge1Kubeconfig`]: kubeconfig("member-1.yaml"),
    [`${PROJECT}:edge2Kubeconfig`]: kubeconfig("member-2.yaml"),
  },
  secretKeys: [`${PROJECT}:jwtSecret`, `${PROJECT}:hostKubeconfig`, `${PROJECT}:edge1Kubeconfig`, `${PROJECT}:edge2Kubeconfig`],
};
const dev = liveObjects("dev");
/** The dev snapshot under this program's provider names. */
const OBJECTS = new Map([
  ["host", dev.get("host")!],
  ["edge-1", dev.get("member-1")!],
  ["edge-2", dev.get("member-2")!],
]);

const COMPONENT = "kubesphere-fleet:index:KubeSphereFleet";
const componentUrn = `urn:pulumi:dev::${PROJECT}::${COMPONENT}::kubesphere`;

let run: Awaited<ReturnType<typeof runExample>>;

function runExample() {
  return runUnderMocks({ project: PROJECT, stack: "dev", config: CONFIG, objects: OBJECTS }, async () => {
    const program = require("../../examples/own-program/index") as { clusters: pulumi.Output<Record<string, { jwtSecretFingerprint: string; role: string; mode: string }>>; jwtSecretSource: pulumi.Output<string> };
    return { clusters: await valueOf(program.clusters), jwtSecretSource: await valueOf(program.jwtSecretSource) };
  });
}

test.before(async () => {
  run = await runExample();
});

const patches = (): RecordedResource[] => run.resources.filter((r) => !r.read && r.type.startsWith("kubernetes:"));

test.serial("the example program declares the fleet through its own providers and one it makes from a kubeconfig", (t) => {
  t.is(run.error, undefined);
  t.deepEqual(Object.keys(run.value!.clusters), ["host", "edge-1", "edge-2"]);
  t.true(Object.values(run.value!.clusters).every((c) => c.jwtSecretFingerprint === secretFacts(SECRET).fingerprint));
  t.is(run.value!.jwtSecretSource, "the jwtSecret argument of KubeSphereFleet 'kubesphere'");
  t.deepEqual(
    patches().map((r) => `${r.cluster} ${r.type} ${r.name}`),
    [
      "host kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch host-ks-installer",
      "edge-1 kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch edge-1-ks-installer",
      "edge-2 kubernetes:core/v1:ConfigMapPatch edge-2-kubesphere-config",
      "edge-2 kubernetes:apps/v1:DeploymentPatch edge-2-ks-apiserver",
    ],
  );
});

test.serial("every patch, read and made provider is a child of the component; the program's own providers are not", (t) => {
  const component = run.resources.find((r) => r.type === COMPONENT);
  t.truthy(component);
  t.deepEqual(component!.inputs, {}, "the component's inputs are stored in clear, so it takes none");
  for (const r of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) t.is(r.parent, componentUrn, `${r.type} ${r.name}`);
  const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
  t.deepEqual(providers.map((p) => `${p.name} ${p.parent ?? "no parent"}`).sort(), ["edge-1 no parent", "edge-2 " + componentUrn, "host no parent"]);
});

test.serial("the secret and the kubeconfigs travel only as Pulumi secrets", (t) => {
  for (const r of run.resources.filter((r) => !r.read)) {
    const clear = pathsContaining(r.inputs, SECRET).filter((p) => !r.secretPaths.some((s) => p === s || p.startsWith(`${s}.`)));
    t.deepEqual(clear, [], `${r.type} ${r.name}`);
  }
  const made = run.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "edge-2")!;
  t.deepEqual(made.secretPaths, ["kubeconfig"]);
  t.false(JSON.stringify(run.value).includes(SECRET));
});

test.serial("the policy pack, run the way the engine runs it, sees every cluster the component declares, children of a component", async (t) => {
  const engine = toEngineResources(run.resources, "dev");
  const urns = engine.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.urn!);
  t.true(urns.length > 0 && urns.every((u) => u.includes(`::${COMPONENT}$kubernetes:`)), urns.join("\n"));
  const pack = await startPolicyPack(join(PROJECT_ROOT, "policies"));
  t.teardown(() => pack.close());
  const analyse = async () => {
    const diagnostics = [];
    for (const resource of engine.resources) diagnostics.push(...(await pack.analyze(resource)).diagnostics);
    return [...diagnostics, ...(await pack.analyzeStack(engine.resources)).diagnostics];
  };
  await pack.configure();
  t.deepEqual((await analyse()).filter((d) => d.enforcementLevel === "mandatory"), []);
  // Pinned to another fleet's secret: every cluster is named, each at the patch (a child of the component) that sets it.
  await pack.configure({ "kubesphere-fleet-configure-shared-jwt-secret": { expectedJwtSecretFingerprint: secretFacts("someOtherFleetsSecret0123456789abcdef").fingerprint } });
  const shared = (await analyse()).filter((d) => d.policyName === "kubesphere-fleet-configure-shared-jwt-secret");
  t.deepEqual(shared.map((d) => engine.clusterOfUrn.get(d.urn)).sort(), ["edge-1", "edge-2", "host"]);
  t.true(shared.every((d) => d.urn.includes(`::${COMPONENT}$kubernetes:`) && d.enforcementLevel === "mandatory"));
});
