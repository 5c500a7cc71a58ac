import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { FleetMocks } from "../../src/mocks/kubernetesMocks";
import { installMocks, stackConfigOf } from "../../src/mocks/runUnderMocks";
import { secretFacts } from "../../src/model/secretFacts";
import { FIXTURE_SECRET, PROJECT_ROOT, liveObjects, stackInput } from "../helpers/mocksFleet";

// Pulumi.yaml's main, as the Pulumi CLI runs it: config from the engine, kubeconfig paths relative to the project.
test("src/program/index.ts exports the program; its result is the stack outputs", async (t) => {
  const mocks = new FleetMocks(liveObjects("dev"));
  await installMocks(mocks, "kubesphere-fleet", "dev", false);
  const { config, secretKeys } = stackConfigOf(stackInput("dev"));
  pulumi.runtime.setAllConfig(config, [...secretKeys]);
  const cwd = process.cwd();
  process.chdir(PROJECT_ROOT);
  t.teardown(() => process.chdir(cwd));
  const program = require("../../src/program/index") as () => Promise<unknown>;
  const outputs = (await program()) as { clusters: Record<string, { jwtSecretFingerprint: string }> };
  t.deepEqual(Object.keys(outputs.clusters), ["host", "member-1", "member-2"]);
  t.true(Object.values(outputs.clusters).every((c) => c.jwtSecretFingerprint === secretFacts(FIXTURE_SECRET).fingerprint));
  t.is(mocks.resources.filter((r) => r.type === "pulumi:providers:kubernetes").length, 3);
});
