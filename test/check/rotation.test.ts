/**
 * `npm run check` on a rotation: the stack sets a new jwtSecret for a fleet of every layout (3.4 installer host,
 * 3.4 configmap, 3.2 installer, 3.2 configmap with DevOps, 4.1), and the check prints the rotation plan before the
 * table and carries it in --json, with fingerprints only.
 */
import test from "ava";
import { rmSync } from "node:fs";
import { startPolicyPack } from "../../src/engine";
import { secretFacts } from "../../src/model/secretFacts";
import { STRONG_JWT_SECRET } from "../../src/rules/strongJwtSecret";
import { kubernetesProvider } from "../helpers/args";
import { runCheckInProcess, REPO } from "../helpers/checkCli";
import { FIXTURE_JWT_SECRET, fixtureObject } from "../helpers/fixtures";
import { ROTATED_JWT_SECRET, rotationProject } from "../helpers/rotationFleet";
import { wireResources } from "../helpers/wireStack";
import { configMapResource } from "../policies/stackFixtures";

const FROM = secretFacts(FIXTURE_JWT_SECRET).fingerprint;
const TO = secretFacts(ROTATED_JWT_SECRET).fingerprint;

interface StaleValue {
  cluster: string;
  object: string;
  key: string;
  state: string;
  why: string;
  fix?: string;
}
interface JsonReport {
  rotation?: {
    from: string;
    to: string;
    clustersRestarted: string[];
    clusters: { cluster: string; version: string; mode: string; switch: string }[];
    staleValues: StaleValue[];
  };
  clusters: { name: string }[];
}

const project = rotationProject("rotate");
const json = runCheckInProcess(["--stack", "rotate", "--project-dir", project, "--json"]);
// One after the other: the machine running the tests may be busy, and each run starts the program and the pack.
const text = json.then(() => runCheckInProcess(["--stack", "rotate", "--project-dir", project]));
test.after.always(async () => {
  await Promise.allSettled([json, text]);
  rmSync(project, { recursive: true, force: true });
});

/** Every value that must not appear: both secrets, their base64, and the admin token signed with the old one. */
function forbidden(): string[] {
  const token = (fixtureObject("v3.2/kubesphere-secret.yaml") as { data: { token: string } }).data.token;
  return [FIXTURE_JWT_SECRET, ROTATED_JWT_SECRET, Buffer.from(FIXTURE_JWT_SECRET).toString("base64"), Buffer.from(ROTATED_JWT_SECRET).toString("base64"), token, Buffer.from(token, "base64").toString()];
}

test("--json carries the rotation: from and to fingerprints, the restarts in order, and how each cluster switches", async (t) => {
  const run = await json;
  t.is(run.code, 0, run.stderr);
  const { rotation } = JSON.parse(run.stdout) as JsonReport;
  t.truthy(rotation);
  t.is(rotation!.from, FROM);
  t.is(rotation!.to, TO);
  // The declared restarts (after every config patch), then the one ks-installer makes at the end of its run.
  t.deepEqual(rotation!.clustersRestarted, ["ci-32", "lab-41", "plant-32"]);
  t.deepEqual(
    rotation!.clusters.map((c) => [c.cluster, c.version, c.mode, c.switch]),
    [
      ["host", "3.4", "installer", "reload"],
      ["edge-34", "3.4", "configmap", "reload"],
      ["plant-32", "3.2", "installer", "restart-by-ks-installer"],
      ["ci-32", "3.2", "configmap", "restart-after-fleet-patches"],
      ["lab-41", "4.1", "configmap", "restart-after-fleet-patches"],
    ],
  );
});

test("stale values: kubesphere-secret in 3.x configmap mode, devops.password on 3.2 with DevOps; re-created in installer mode; none on 4.1", async (t) => {
  const { rotation } = JSON.parse((await json).stdout) as JsonReport;
  const values = rotation!.staleValues.map((v) => `${v.cluster} ${v.state} ${v.object} ${v.key}`);
  t.deepEqual(values, [
    "host re-created Secret kubesphere-system/kubesphere-secret secret, token",
    "edge-34 stale Secret kubesphere-system/kubesphere-secret secret, token",
    "plant-32 re-created Secret kubesphere-system/kubesphere-secret secret, token",
    "ci-32 stale Secret kubesphere-system/kubesphere-secret secret, token",
    "ci-32 stale ConfigMap kubesphere-system/kubesphere-config kubesphere.yaml: devops.password",
  ]);
  for (const value of rotation!.staleValues.filter((v) => v.state === "stale")) t.truthy(value.fix, `${value.cluster} ${value.key} says what to do`);
  t.regex(rotation!.staleValues.find((v) => v.cluster === "edge-34")!.why, /renders it back into kubesphere-config on its next run/);
});

test("the text report prints the plan before the table: who is signed out, the order, the window, the stale values", async (t) => {
  const run = await text;
  t.is(run.code, 0, run.stderr);
  const plan = run.stdout.indexOf("Rotation of the fleet's jwtSecret");
  const table = run.stdout.indexOf("CLUSTER ");
  t.true(plan > 0 && plan < table, "the plan comes before the table");
  const section = run.stdout.slice(plan, table);
  t.true(section.includes(`${FROM} → ${TO}, on all 5 clusters in one update`));
  t.regex(section, /Every signed-in user is signed out/);
  t.regex(section, /1\. Config patches, all clusters at once: host \(ClusterConfiguration kubesphere-system\/ks-installer\), edge-34 \(ConfigMap/);
  t.regex(section, /2\. After every config patch of the fleet, ks-apiserver restarts \(DeploymentPatch, in parallel\): ci-32 \(3\.2, configmap\), lab-41 \(4\.1, configmap\)/);
  t.regex(section, /3\. ks-installer re-renders kubesphere-config and restarts ks-apiserver itself .*: plant-32 \(3\.2, installer\)/);
  t.regex(section, /4\. No restart: ks-apiserver reloads kubesphere\.yaml .*: host \(3\.4, installer\), edge-34 \(3\.4, configmap\)/);
  t.regex(section, /ci-32: ConfigMap kubesphere-system\/kubesphere-config kubesphere\.yaml: devops\.password/);
  t.regex(section, /edge-34: Secret kubesphere-system\/kubesphere-secret secret, token: .*\n\s+Fix: set the cluster to manage: installer/);
});

test("no secret, base64 secret or admin token anywhere in the rotation's output", async (t) => {
  for (const run of [await json, await text]) {
    for (const value of forbidden()) {
      t.false(run.stdout.includes(value), `stdout holds ${value.slice(0, 6)}…`);
      t.false(run.stderr.includes(value), `stderr holds ${value.slice(0, 6)}…`);
    }
  }
});

test("the example stack, which adopts the host's secret, is no rotation", async (t) => {
  const run = await runCheckInProcess(["--stack", "dev", "--json"]);
  t.is(run.code, 0, run.stderr);
  t.is((JSON.parse(run.stdout) as JsonReport).rotation, undefined);
});

test("a rotation to a weak secret is refused: the check stops it as bad input", async (t) => {
  const weak = rotationProject("weak", "a".repeat(40));
  t.teardown(() => rmSync(weak, { recursive: true, force: true }));
  const run = await runCheckInProcess(["--stack", "weak", "--project-dir", weak]);
  t.is(run.code, 2);
  t.regex(run.stderr, /jwtSecret \(sha256:[0-9a-f]{12}\) is a value made of one or two repeated characters/);
  t.false(run.stderr.includes("a".repeat(40)));
});

test("a rotation to a weak secret declared by any program is refused by the policy pack, the way the engine runs it", async (t) => {
  const pack = await startPolicyPack(`${REPO}/policies`);
  t.teardown(() => pack.close());
  await pack.configure();
  const weak = "changeme";
  const specs = [kubernetesProvider("host"), configMapResource("host", "v3.4/kubesphere-config.host.yaml", { patch: true, edit: (text) => text.replace(FIXTURE_JWT_SECRET, weak) })];
  const resources = wireResources(specs);
  const diagnostics = [];
  for (const resource of resources) diagnostics.push(...(await pack.analyze(resource)).diagnostics);
  diagnostics.push(...(await pack.analyzeStack(resources)).diagnostics);
  const refused = diagnostics.filter((d) => d.policyName === STRONG_JWT_SECRET);
  t.true(refused.length > 0, JSON.stringify(diagnostics.map((d) => d.policyName)));
  t.true(refused.every((d) => d.enforcementLevel === "mandatory"));
  t.false(JSON.stringify(diagnostics).includes(weak));
});
