import test from "ava";
import type { MockRunResult } from "../../src/mocks/runUnderMocks";
import { RESTART_ANNOTATION_PATH } from "../../src/program/clusterPlan";
import type { KubernetesObject } from "../../src/model/kubernetesObjects";
import { changed, declared, liveObjects, patchesOf, runStack, stackInput } from "../helpers/mocksFleet";

// `pulumi up` twice: the second run sees what the first one wrote and must declare the very same inputs, so the
// engine finds no diff and ks-apiserver is not restarted again. Two runs in one process: the mocks are reinstalled.
const STACK_SECRET = "stackJwtSecretCCCCCCCCCCCCCCCCCCCCCC";
let first: MockRunResult;
let second: MockRunResult;

test.before(async () => {
  const input = { ...stackInput("dev"), jwtSecret: STACK_SECRET };
  const live = liveObjects("dev");
  live.set("member-2", [changed(live.get("member-2")![0]!, (o) => (o.data["kubesphere.yaml"] = o.data["kubesphere.yaml"].replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h")))]);
  first = await runStack(input, live, "dev");
  const applied = new Map(live);
  const written = declared(first, "member-2", "kubernetes:core/v1:ConfigMapPatch")[0]!.inputs as { data: Record<string, string> };
  applied.set("member-2", [changed(live.get("member-2")![0]!, (o: KubernetesObject & { data: Record<string, string> }) => (o.data["kubesphere.yaml"] = written.data["kubesphere.yaml"]!))]);
  second = await runStack(input, applied, "dev");
});

const patches = (result: MockRunResult) => patchesOf(result).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));

test("both runs succeed and the first one changed member-2", (t) => {
  t.is(first.error, undefined);
  t.is(second.error, undefined);
  const before = liveObjects("dev").get("member-2")![0]!.data as Record<string, string>;
  const written = (declared(first, "member-2", "kubernetes:core/v1:ConfigMapPatch")[0]!.inputs as { data: Record<string, string> }).data;
  t.not(written["kubesphere.yaml"], before["kubesphere.yaml"]!.replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h"));
});

const restartPatch = (result: MockRunResult) => declared(result, "member-2", "kubernetes:apps/v1:DeploymentPatch")[0]!;
const withoutRestart = (result: MockRunResult) => patches(result).filter((p) => p.type !== "kubernetes:apps/v1:DeploymentPatch");

test("the first run corrects member-2 and restarts its ks-apiserver; the second holds the annotation and restarts nothing", (t) => {
  t.deepEqual(withoutRestart(second), withoutRestart(first), "the second run declares the same config patches");
  t.deepEqual(restartPatch(first).ignoreChanges, [], "a correction sets a new restart annotation");
  t.deepEqual(restartPatch(second).ignoreChanges, [RESTART_ANNOTATION_PATH], "nothing to apply: the engine keeps the last applied annotation");
});

test("a fleet that already agrees declares the same inputs twice and never a new annotation", async (t) => {
  const steady = await runStack(stackInput("dev"), liveObjects("dev"), "dev");
  const again = await runStack(stackInput("dev"), liveObjects("dev"), "dev");
  t.deepEqual(patches(again), patches(steady));
  t.deepEqual(restartPatch(again).ignoreChanges, [RESTART_ANNOTATION_PATH]);
});
