/**
 * The check of a fleet split over stacks (examples/split-fleet: host-eu holds the host, members-eu and members-us are
 * shards), run as users run it: each stack's own check, then the verdicts across stacks, in text, --json and --sarif.
 */
import test from "ava";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import { parseDocument } from "yaml";
import { sha256Hex } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { runCheckInProcess, scratchCopy, type CliRun } from "../helpers/checkCli";

const SARIF_SCHEMA = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;
const OTHER_SECRET = "anotherFleetsJwtSecretCCCCCCCCCCCCCC";
const fp = (secret: string) => `sha256:${sha256Hex(secret).slice(0, 12)}`;

interface FleetJson {
  stacks: { stack: string; clusters: { name: string; role: string; jwtSecret: { desired: string } }[]; violations: { enforcementLevel: string }[]; hostJwtSecretFingerprint?: string }[];
  violations: { policy: string; enforcementLevel: string; stack: string[] | null; cluster?: string; message: string }[];
}

/** A scratch copy of the split example, with `edit` applied to stack files (as YAML documents). */
function splitFleet(t: { teardown(f: () => void): void }, edits: Record<string, (config: Record<string, any>) => void> = {}): string {
  const copy = scratchCopy("examples/split-fleet");
  t.teardown(copy.dispose);
  for (const [stack, edit] of Object.entries(edits)) {
    const file = join(copy.dir, "stacks", `Pulumi.${stack}.yaml`);
    const document = parseDocument(readFileSync(file, "utf8"));
    const config = document.toJS().config as Record<string, any>;
    edit(config);
    document.set("config", config);
    writeFileSync(file, document.toString());
  }
  return copy.dir;
}

function assertNoSecret(t: { false(v: boolean, m?: string): void }, run: CliRun, ...files: string[]): void {
  for (const secret of [FIXTURE_JWT_SECRET, OTHER_SECRET]) {
    t.false(run.stdout.includes(secret), "stdout holds a secret");
    t.false(run.stderr.includes(secret), "stderr holds a secret");
    for (const file of files) t.false(readFileSync(file, "utf8").includes(secret), `${file} holds a secret`);
  }
}

const clusters = (config: Record<string, any>) => config["kubesphere-fleet:clusters"] as Record<string, unknown>[];

test("an agreeing fleet: every stack checked with the ESC environment file, no verdict across stacks, exit 0, valid SARIF", async (t) => {
  const dir = splitFleet(t);
  const sarifFile = join(dir, "fleet.sarif");
  const run = await runCheckInProcess(["--project-dir", dir, "--all-stacks", "--esc-env-file", join(dir, "env.json"), "--json", "--sarif", sarifFile]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as FleetJson;
  t.deepEqual(report.stacks.map((s) => s.stack), ["host-eu", "members-eu", "members-us"]);
  t.deepEqual(report.stacks.flatMap((s) => s.clusters.map((c) => c.jwtSecret.desired)), Array(5).fill(fp(FIXTURE_JWT_SECRET)), "the jwtSecret came from the env file");
  t.deepEqual(report.stacks.map((s) => s.hostJwtSecretFingerprint), [undefined, fp(FIXTURE_JWT_SECRET), fp(FIXTURE_JWT_SECRET)]);
  t.deepEqual(report.violations, []);
  const sarif = JSON.parse(readFileSync(sarifFile, "utf8")) as object;
  const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false }).compile(SARIF_SCHEMA);
  t.true(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
  assertNoSecret(t, run, sarifFile);
});

test("without the env file, a jwtSecret from ESC is unknown: advisories only, never a false mandatory, exit 0", async (t) => {
  const dir = splitFleet(t);
  const run = await runCheckInProcess(["--project-dir", dir, "--stack", "host-eu", "--stack", "members-us"]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /note: kubesphere-fleet:jwtSecret is not in the stack file and may come from ESC environment acme\/kubesphere-fleet, which the check cannot open: it is shown as unknown/);
  t.regex(run.stdout, /^Across 2 stacks \(3 clusters\)$/m);
  t.regex(run.stdout, /advisory +kubesphere-fleet-cross-stack-host-fingerprint-pin\n +Stack 'members-us' pins kubesphere-fleet:hostJwtSecretFingerprint sha256:890eaf2b1028, but the jwtSecret stack 'host-eu' declares for host 'host' is not known here/);
  t.notRegex(run.stdout, /mandatory +kubesphere/);
  t.regex(run.stdout, /No mandatory violations over the 2 stacks/);
  assertNoSecret(t, run);
});

test("a shard with another secret, and a shard pinning it, fail across stacks with exit 1, naming both stacks", async (t) => {
  const dir = splitFleet(t, {
    "members-us": (config) => {
      delete config["kubesphere-fleet:hostJwtSecretFingerprint"];
      config["kubesphere-fleet:jwtSecret"] = OTHER_SECRET;
    },
    "members-eu": (config) => {
      config["kubesphere-fleet:hostJwtSecretFingerprint"] = fp(OTHER_SECRET);
      config["kubesphere-fleet:jwtSecret"] = OTHER_SECRET;
    },
  });
  const sarifFile = join(dir, "fleet.sarif");
  const run = await runCheckInProcess(["--project-dir", dir, "--all-stacks", "--esc-env-file", join(dir, "env.json"), "--json", "--sarif", sarifFile]);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as FleetJson;
  t.deepEqual(report.stacks.map((s) => s.violations.filter((v) => v.enforcementLevel === "mandatory").length), [0, 0, 0], "each stack alone is consistent");
  const shared = report.violations.filter((v) => v.policy === "kubesphere-fleet-configure-shared-jwt-secret");
  t.deepEqual(shared.map((v) => [v.cluster, v.stack, v.enforcementLevel]).sort(), [
    ["eu-2", ["members-eu", "host-eu"], "mandatory"],
    ["eu-3", ["members-eu", "host-eu"], "mandatory"],
    ["us-1", ["members-us", "host-eu"], "mandatory"],
  ].sort() as unknown as typeof shared);
  for (const v of shared) t.regex(v.message, new RegExp(`^Stacks '${v.stack![0]}', 'host-eu': Cluster '${v.cluster}' jwtSecret .* is ${fp(OTHER_SECRET)}; host 'host' .* is ${fp(FIXTURE_JWT_SECRET)}\\.`));
  const pins = report.violations.filter((v) => v.policy === "kubesphere-fleet-cross-stack-host-fingerprint-pin");
  t.deepEqual(pins.map((v) => [v.stack, v.enforcementLevel]), [[["members-eu", "host-eu"], "mandatory"]]);
  t.regex(pins[0]!.message, new RegExp(`^Stack 'members-eu' pins kubesphere-fleet:hostJwtSecretFingerprint ${fp(OTHER_SECRET)}, but stack 'host-eu' declares jwtSecret ${fp(FIXTURE_JWT_SECRET)} for host 'host'\\.`));
  const sarif = JSON.parse(readFileSync(sarifFile, "utf8")) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  const pinResult = sarif.runs[0]!.results.find((r) => r.ruleId === "kubesphere-fleet-cross-stack-host-fingerprint-pin")!;
  t.deepEqual(pinResult.locations.map((l) => l.physicalLocation.artifactLocation.uri), ["stacks/Pulumi.members-eu.yaml", "stacks/Pulumi.host-eu.yaml"]);
  assertNoSecret(t, run, sarifFile);
});

test("two hosts across stacks and a cluster name declared twice: exit 1, each naming the stacks involved", async (t) => {
  const dir = splitFleet(t, {
    "members-us": (config) => (clusters(config)[0]!["role"] = "host"),
    "members-eu": (config) => (clusters(config)[1]!["name"] = "eu-1"),
  });
  renameSync(join(dir, "stacks", "members-eu", "live", "eu-3"), join(dir, "stacks", "members-eu", "live", "eu-1"));
  const run = await runCheckInProcess(["--project-dir", dir, "--all-stacks", "--esc-env-file", join(dir, "env.json")]);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stdout, /mandatory +kubesphere-fleet-disallow-multiple-hosts\n +Stacks 'members-us', 'host-eu': The fleet has 2 host clusters \('host', 'us-1'\); it needs exactly one\./);
  t.regex(run.stdout, /mandatory +kubesphere-fleet-cross-stack-unique-cluster-names\n +Cluster name 'eu-1' is declared by stacks 'host-eu' \(kubesphere-fleet:clusters\[1\]\.name\), 'members-eu' \(kubesphere-fleet:clusters\[1\]\.name\); each cluster of the fleet is declared once/);
  t.regex(run.stdout, /^\d+ mandatory and \d+ advisory violations? over the 3 stacks: do not deploy them as they are\.$/m);
  assertNoSecret(t, run);
});

test("bad input in any stack, or an env file that is not ESC JSON, exits 2 before anything runs, naming the stack and the fix", async (t) => {
  const dir = splitFleet(t, { "members-us": (config) => (clusters(config)[0]!["role"] = "boss") });
  const bad = await runCheckInProcess(["--project-dir", dir, "--all-stacks", "--esc-env-file", join(dir, "env.json")]);
  t.is(bad.code, 2, bad.stdout);
  t.regex(bad.stderr, /^error: 1 of 3 stacks have bad input; nothing was checked\.\n- stack 'members-us': .*Pulumi\.members-us\.yaml \(kubesphere-fleet:jwtSecret from --esc-env-file .*env\.json\) has 1 problem\(s\):\n  - Stack 'members-us', clusters\[0\] \(us-1\): kubesphere-fleet:clusters\[0\]\.role is a string of 4 characters, not a role\. Fix: /);
  t.notRegex(bad.stderr, /\n +at /, "no stack trace");

  const envFile = join(dir, "not-esc.json");
  writeFileSync(envFile, `{"values": {"jwtSecret": "${OTHER_SECRET}"}, `);
  const notJson = await runCheckInProcess(["--project-dir", dir, "--all-stacks", "--esc-env-file", envFile]);
  t.is(notJson.code, 2);
  t.regex(notJson.stderr, /^error: --esc-env-file .*not-esc\.json is not ESC JSON: not valid JSON at line 1, column \d+\. Fix: write it with: esc open <org>\/<project>\/<environment> --format json/);
  writeFileSync(envFile, JSON.stringify({ values: { jwtSecret: OTHER_SECRET } }));
  const noConfig = await runCheckInProcess(["--project-dir", dir, "--stack", "members-eu", "--esc-env-file", envFile]);
  t.is(noConfig.code, 2);
  t.regex(noConfig.stderr, /has no pulumiConfig: the environment gives a stack no config\. Fix: give the environment a pulumiConfig block/);
  for (const run of [bad, notJson, noConfig]) assertNoSecret(t, run);

  const both = await runCheckInProcess(["--project-dir", dir, "--all-stacks", "--stack", "host-eu"]);
  t.is(both.code, 2);
  t.regex(both.stderr, /--stack and --all-stacks cannot go together/);
});
