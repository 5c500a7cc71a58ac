/**
 * A rotation under Pulumi's mock runtime: a fleet of every layout (3.4 installer host, 3.4 configmap, 3.2
 * installer, 3.2 configmap, 4.1) moves to a new secret in one update, and every ks-apiserver restart is ordered
 * after every config patch of the fleet, not only its own cluster's, through one barrier resource.
 */
import { qualifiedUrn } from "../../src/mocks/kubernetesMocks";
import { CONFIG_APPLIED } from "../../src/program/declareFleet";
import test from "ava";
import type { MockRunResult } from "../../src/mocks/runUnderMocks";
import { runStack } from "../helpers/mocksFleet";
import { ROTATED_JWT_SECRET, rotationInput, rotationObjects } from "../helpers/rotationFleet";

const CONFIG_PATCHES = ["kubernetes:core/v1:ConfigMapPatch", "kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch"];
const RESTART = "kubernetes:apps/v1:DeploymentPatch";

// One program run per file: Pulumi's mocks are process-global.
let result: MockRunResult;
test.before(async () => {
  result = await runStack(rotationInput(), rotationObjects(), "rotation");
});

// Config patches force ownership; a 3.x configmap cluster's ClusterConfiguration handed over as it is (no
// patchForce, the values it already has) changes nothing and is not one of them.
const forces = (r: { inputs: Record<string, unknown> }) => (r.inputs as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations?.["pulumi.com/patchForce"] === "true";
const declaredOf = (types: readonly string[]) => result.resources.filter((r) => !r.read && types.includes(r.type) && forces(r));
const urnOf = (r: { type: string; name: string; parent?: string }) => qualifiedUrn("rotation", "kubesphere-fleet", r.type, r.name, r.parent);

test("the rotation runs, and every cluster's config patch carries the new secret", (t) => {
  t.is(result.error, undefined);
  const patches = declaredOf(CONFIG_PATCHES);
  t.deepEqual(patches.map((p) => p.cluster).sort(), ["ci-32", "edge-34", "host", "lab-41", "plant-32"]);
  for (const patch of patches) {
    const text = JSON.stringify(patch.inputs);
    t.true(text.includes(ROTATED_JWT_SECRET), patch.name);
    t.true(patch.secretPaths.length > 0, `${patch.name} marks the secret`);
  }
});

test("ks-apiserver restarts where the version needs one (3.2 configmap, 4.1), nowhere else", (t) => {
  t.deepEqual(declaredOf([RESTART]).map((r) => r.cluster).sort(), ["ci-32", "lab-41"]);
  t.true(declaredOf([RESTART]).every((r) => r.ignoreChanges.length === 0), "a rotation changes the config, so the restart annotation is applied");
});

test("every restart waits for every config patch of the fleet, through one barrier: restarts + patches edges, not their product", (t) => {
  const patchUrns = declaredOf(CONFIG_PATCHES).map(urnOf);
  t.is(patchUrns.length, 5);
  const barriers = result.resources.filter((r) => r.type === "pulumi:index:Stash" && r.name === CONFIG_APPLIED);
  t.is(barriers.length, 1);
  const barrier = barriers[0]!;
  t.deepEqual(patchUrns.filter((urn) => !barrier.dependencies.includes(urn)), [], `the barrier depends on: ${barrier.dependencies.join(", ")}`);
  for (const restart of declaredOf([RESTART])) t.deepEqual(restart.dependencies, [urnOf(barrier)], restart.name);
});

test("no config patch waits for a restart (the restarts are the last wave)", (t) => {
  const restartUrns = new Set(declaredOf([RESTART]).map(urnOf));
  for (const patch of declaredOf(CONFIG_PATCHES)) t.false(patch.dependencies.some((urn) => restartUrns.has(urn)), patch.name);
});
