import test from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import { sha256Hex } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { cliEntry, runCheckInProcess, runCli, runNode, scratchCopy, type CliRun } from "../helpers/checkCli";

const SARIF_SCHEMA = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;
const OTHER_SECRET = "driftedJwtSecretBBBBBBBBBBBBBBBBBB";
const fp = (secret: string) => `sha256:${sha256Hex(secret).slice(0, 12)}`;

function assertNoSecret(t: { false(v: boolean, m?: string): void }, run: CliRun, ...files: string[]): void {
  for (const secret of [FIXTURE_JWT_SECRET, OTHER_SECRET]) {
    t.false(run.stdout.includes(secret), "stdout holds a secret");
    t.false(run.stderr.includes(secret), "stderr holds a secret");
    for (const file of files) t.false(readFileSync(file, "utf8").includes(secret), `${file} holds a secret`);
  }
}

test("the example stack passes: a plan for every cluster, no violation, exit 0 (the CLI's own process, as users start it)", async (t) => {
  const run = await runCli("check", ["--stack", "dev"]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /Stack 'dev' .*: 3 clusters/);
  for (const name of ["host", "member-1", "member-2"]) t.regex(run.stdout, new RegExp(`^  ${name}: no violations$`, "m"));
  t.regex(run.stdout, new RegExp(`member-1 +member +3\\.4 +installer +${fp(FIXTURE_JWT_SECRET)} \\(unchanged\\) +0 \\(unchanged\\) +no`));
  t.regex(run.stdout, /No mandatory violations/);
  t.false(run.stdout.includes("\u001b["), "no colour when stdout is not a terminal");
  assertNoSecret(t, run);
});

test("--json and --sarif follow their shapes", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-sarif-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sarifFile = join(dir, "check.sarif");
  const config = join(dir, "policy-config.json");
  // Hold the stack to another fleet's secret so that there are violations to show in SARIF.
  writeFileSync(config, JSON.stringify({ "kubesphere-fleet-configure-shared-jwt-secret": { expectedJwtSecretFingerprint: sha256Hex(OTHER_SECRET) } }));
  const run = await runCheckInProcess(["--stack", "dev", "--json", "--sarif", sarifFile, "--policy-pack-config", config]);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { clusters: unknown[]; violations: { policy: string; enforcementLevel: string; cluster?: string; message: string }[] };
  t.deepEqual(
    report.clusters.map((c) => Object.keys(c as object).filter((k) => ["name", "role", "version", "changes"].includes(k)).sort()),
    Array(3).fill(["changes", "name", "role", "version"]),
  );
  t.true(report.violations.length >= 3);
  for (const v of report.violations) {
    t.true(["mandatory", "advisory"].includes(v.enforcementLevel));
    t.is(typeof v.policy, "string");
    t.is(typeof v.message, "string");
  }
  t.deepEqual(
    report.violations.filter((v) => v.policy === "kubesphere-fleet-configure-shared-jwt-secret" && v.enforcementLevel === "mandatory").map((v) => v.cluster).sort(),
    ["host", "member-1", "member-2"],
  );
  const sarif = JSON.parse(readFileSync(sarifFile, "utf8")) as { runs: { results: { level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
  const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false }).compile(SARIF_SCHEMA);
  t.true(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
  t.is(sarif.runs[0]!.results.length, report.violations.length);
  const location = sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation;
  t.is(location.artifactLocation.uri, "stacks/Pulumi.dev.yaml");
  t.true(location.region.startLine > 1, "a cluster's violation points at its entry in the stack file");
  assertNoSecret(t, run, sarifFile);
});

test("the tests' in-process check (runCheckInProcess) answers what the CLI's process answers: the same report, verdicts and exit code, a run after another as the first", async (t) => {
  const live = scratchCopy("stacks/dev/live");
  t.teardown(live.dispose);
  const file = join(live.dir, "member-1", "kubesphere-config.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(FIXTURE_JWT_SECRET, OTHER_SECRET));
  const config = join(live.dir, "policy-config.json");
  writeFileSync(config, JSON.stringify({ "kubesphere-fleet-configure-shared-jwt-secret": { expectedJwtSecretFingerprint: sha256Hex(OTHER_SECRET) } }));
  const args = ["--stack", "dev", "--live", live.dir, "--json", "--policy-pack-config", config];
  const [inProcess, again, spawned] = [await runCheckInProcess(args), await runCheckInProcess(["--stack", "dev", "--json"]), await runCli("check", args)];
  t.is(inProcess.code, 1, inProcess.stderr);
  t.is(inProcess.code, spawned.code, spawned.stderr);
  t.deepEqual(JSON.parse(inProcess.stdout), JSON.parse(spawned.stdout));
  t.is(inProcess.stderr, spawned.stderr);
  // The next run in the same process sees its own snapshot and policy config only.
  t.is(again.code, 0, again.stderr);
  const next = JSON.parse(again.stdout) as { violations: unknown[]; clusters: { name: string; changes: unknown[] }[] };
  t.deepEqual(next.violations, []);
  t.deepEqual(next.clusters.map((c) => [c.name, c.changes]), [["host", []], ["member-1", []], ["member-2", []]]);
});

test("a drifted live snapshot shows the changes that would fix it", async (t) => {
  const live = scratchCopy("stacks/dev/live");
  t.teardown(live.dispose);
  for (const member of ["member-1", "member-2"]) {
    const file = join(live.dir, member, "kubesphere-config.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(FIXTURE_JWT_SECRET, OTHER_SECRET).replace(/accessTokenMaxAge: 0s?\n/, "accessTokenMaxAge: 2h\n"));
  }
  const run = await runCheckInProcess(["--stack", "dev", "--live", live.dir, "--json"]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { clusters: { name: string; restart: boolean; changes: { setting: string; live: string; desired: string }[] }[] };
  const byName = new Map(report.clusters.map((c) => [c.name, c]));
  t.deepEqual(byName.get("host")!.changes, []);
  for (const member of ["member-1", "member-2"]) {
    const changes = byName.get(member)!.changes;
    t.deepEqual(changes.find((c) => c.setting === "jwtSecret"), { setting: "jwtSecret", live: fp(OTHER_SECRET), desired: fp(FIXTURE_JWT_SECRET) }, member);
    t.like(changes.find((c) => c.setting === "accessTokenMaxAge"), { live: "2h", desired: "0" }, member);
  }
  t.true(byName.get("member-2")!.restart, "4.x has no hot reload: ks-apiserver restarts");
  t.false(byName.get("member-1")!.restart, "3.4 in installer mode reloads by itself");
  assertNoSecret(t, run);
});

test("bad input exits 2 with a message naming the file and key, and no stack trace", async (t) => {
  const missing = await runCheckInProcess(["--stack", "nope"]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /stack 'nope': .*stacks\/Pulumi\.nope\.yaml does not exist/);

  const flag = await runCheckInProcess(["--stack", "dev", "--frobnicate"]);
  t.is(flag.code, 2);
  t.regex(flag.stderr, /Unknown option '--frobnicate'/);

  const live = scratchCopy("stacks/dev/live");
  t.teardown(live.dispose);
  const file = join(live.dir, "member-2", "kubesphere-config.yaml");
  // Valid as a ConfigMap, but its kubesphere.yaml has a duplicated key, which ks-apiserver refuses.
  writeFileSync(file, readFileSync(file, "utf8").replace("      region: us-east-1\n", "      region: us-east-1\n      region: eu-west-1\n"));
  const broken = await runCheckInProcess(["--stack", "dev", "--live", live.dir]);
  t.is(broken.code, 2, broken.stdout);
  t.regex(broken.stderr, /member-2/);
  t.regex(broken.stderr, /line \d+, column \d+/);
  for (const run of [missing, flag, broken]) {
    t.notRegex(run.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, "no stack trace");
    assertNoSecret(t, run);
  }
});

/**
 * What the check started before it refused: a probe required ahead of the CLI counts the worker threads (the policy
 * pack's side starts as one) and says whether the Pulumi SDK was loaded.
 */
const STARTED_PROBE = `const threads = require("node:worker_threads");
let started = 0;
const Worker = threads.Worker;
threads.Worker = class extends Worker { constructor(...args) { super(...args); started += 1; } };
process.on("exit", () => process.stderr.write("probe: threads=" + started + " sdk=" + Object.keys(require.cache).some((k) => /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]/.test(k)) + "\\n"));
`;

test("bad input is refused before the policy pack starts and before the Pulumi SDK loads: a missing stack, missing snapshot folders, a program's bad stack file", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-started-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const probe = join(dir, "probe.js");
  writeFileSync(probe, STARTED_PROBE);
  const check = (args: readonly string[]) => runNode(["--require", probe, ...cliEntry("check"), ...args]);
  const [missing, noFolders, program] = await Promise.all([
    check(["--stack", "nope"]),
    check(["--stack", "dev", "--live", dir]),
    check(["--program", "examples/own-program", "--stack", "nope"]),
  ]);
  t.regex(missing.stderr, /^error: stack 'nope': .*stacks\/Pulumi\.nope\.yaml does not exist/m);
  t.regex(noFolders.stderr, /^error: --live .* has no folder for 'host', 'member-1', 'member-2'/m);
  t.regex(program.stderr, /^error: --program .*own-program, stack 'nope': .*Pulumi\.nope\.yaml does not exist/m);
  for (const run of [missing, noFolders, program]) {
    t.is(run.code, 2, run.stderr);
    t.regex(run.stderr, /^probe: threads=0 sdk=false$/m, "the pack's thread started, or the SDK loaded, before the input was refused");
  }
});
