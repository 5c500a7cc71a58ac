import test from "ava";
import type { MockRunResult } from "../../src/mocks/runUnderMocks";
import { UNKNOWN_VALUE } from "../../src/model/unknownValue";
import { liveObjects, runStack, stackInput } from "../helpers/mocksFleet";

// `pulumi preview` runs the same reads and declares the same patches as `pulumi up`; the offline check runs the
// program as a preview, with Pulumi's unknown sentinel for a jwtSecret it cannot decrypt.
let up: MockRunResult;
let preview: MockRunResult;
let undecrypted: MockRunResult;

test.before(async () => {
  up = await runStack(stackInput("dev"), liveObjects("dev"), "dev", false);
  preview = await runStack(stackInput("dev"), liveObjects("dev"), "dev", true);
  undecrypted = await runStack({ ...stackInput("dev"), jwtSecret: UNKNOWN_VALUE }, liveObjects("dev"), "dev", true);
});

const declaredInputs = (result: MockRunResult) => result.resources.filter((r) => !r.read).map((r) => ({ type: r.type, name: r.name, cluster: r.cluster, inputs: r.inputs, secretPaths: r.secretPaths }));

test("a preview declares exactly what an update declares", (t) => {
  t.is(preview.error, undefined);
  t.deepEqual(declaredInputs(preview), declaredInputs(up));
  t.deepEqual(preview.outputs, up.outputs);
});

test("with a secret not known here, the patches carry it as unknown and the outputs say so", (t) => {
  t.is(undecrypted.error, undefined);
  const member1 = undecrypted.resources.find((r) => r.name === "member-1-ks-installer")!;
  t.deepEqual(member1.secretPaths, ["spec.authentication.jwtSecret"]);
  t.deepEqual(Object.values(undecrypted.outputs!.clusters).map((c) => c.jwtSecretFingerprint), Array(3).fill("unknown (not decrypted here)"));
  t.is(undecrypted.outputs!.jwtSecretSource, "stack config kubesphere-fleet:jwtSecret");
});
