/**
 * `check --program <dir>`: a Pulumi program of one's own that uses KubeSphereFleet, run through the real CLI
 * (`node -- scripts/cli.js`, the build) under the mock runtime with its own stack file, the component's reads from
 * `--live`, and the policy pack over the wire. examples/own-program (TypeScript, its secret and kubeconfigs from an
 * ESC environment), and programs written here in temp folders (JavaScript) for the engine's default provider, a Helm
 * Release's value files, and the refusals.
 */
import test from "ava";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import { sha256Hex } from "../../src/model/secretFacts";
import { newPassphraseSalt } from "../../src/secrets/passphrase";
import { APISERVER_REDIS_CACHE } from "../../src/rules/apiserverRedisCache";
import { stringify } from "yaml";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { ksApiserverDeployment } from "../helpers/stackProject";
import { REPO, cliEnv, runNode, timeScale, type CliRun } from "../helpers/checkCli";

const SARIF_SCHEMA = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;
const EXAMPLE = join(REPO, "examples", "own-program");
const OTHER_SECRET = "anotherFleetsSecret0123456789abcdef";
const fp = (secret: string) => `sha256:${sha256Hex(secret).slice(0, 12)}`;

interface Report {
  stack: string;
  stackFile: string;
  clusters: { name: string; role: string; version: string; mode: string; jwtSecret: { live: string; desired: string } }[];
  violations: { policy: string; enforcementLevel: string; cluster?: string; message: string; urn?: string }[];
  notes: string[];
}

function check(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runNode(["--", join(REPO, "scripts", "cli.js"), "check", ...args], {
    env: cliEnv({ NO_COLOR: "1", ...env }),
    timeoutMs: 150_000,
  });
}

/** A JavaScript program in a temp folder: Pulumi.yaml, one stack file, the fake kubeconfigs, node_modules from here. */
function writeProgram(files: Record<string, string>): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ksf-program-"));
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  cpSync(join(REPO, "stacks", "dev", "kubeconfigs"), join(dir, "kubeconfigs"), { recursive: true });
  cpSync(join(EXAMPLE, "live", "example"), join(dir, "live", "dev"), { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), "name: acme-platform\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The fleet of examples/own-program, minus edge-1, written in JavaScript; `more` is appended. */
const FLEET_PROGRAM = (more = "") => `const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const fs = require("node:fs");
const { KubeSphereFleet } = require("kubesphere-fleet");
const config = new pulumi.Config();
const kubeconfig = (file) => fs.readFileSync("kubeconfigs/" + file, "utf8");
const host = new k8s.Provider("host", { kubeconfig: kubeconfig("host.yaml"), context: "host-admin" });
new KubeSphereFleet("kubesphere", {
  clusters: [
    { name: "host", role: "host", version: "3.4", provider: host },
    { name: "edge-2", role: "member", version: "4.1", kubeconfig: kubeconfig("member-2.yaml") },
  ],
  jwtSecret: config.requireSecret("jwtSecret"),
});
${more}`;

const STACK = `config:\n  acme-platform:jwtSecret: ${FIXTURE_JWT_SECRET}\n`;

test("examples/own-program through the CLI: its TypeScript main, its stack file with the ESC environment's values, the plan of each cluster, JSON and SARIF", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-own-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sarifFile = join(dir, "check.sarif");
  const run = await check(["--program", EXAMPLE, "--stack", "example", "--esc-env-file", join(EXAMPLE, "env.json"), "--json", "--sarif", sarifFile]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  t.is(report.stack, "example");
  t.is(report.stackFile, join(EXAMPLE, "Pulumi.example.yaml"));
  t.deepEqual(
    report.clusters.map((c) => [c.name, c.role, c.version, c.mode, c.jwtSecret.desired]).sort(),
    [
      ["edge-1", "member", "3.4", "installer", fp(FIXTURE_JWT_SECRET)],
      ["edge-2", "member", "4.1", "configmap", fp(FIXTURE_JWT_SECRET)],
      ["host", "host", "3.4", "installer", fp(FIXTURE_JWT_SECRET)],
    ],
  );
  t.deepEqual(report.violations, []);
  t.true(report.notes.some((n) => n.includes("4 config keys from --esc-env-file")), report.notes.join("\n"));
  // examples/ has no node_modules/kubesphere-fleet: the program got this package, through the runner's NODE_PATH.
  t.true(report.notes.some((n) => n.startsWith(`kubesphere-fleet is not installed in ${EXAMPLE}: the program got the copy running this check`)), report.notes.join("\n"));
  const sarif = JSON.parse(readFileSync(sarifFile, "utf8")) as { runs: { results: unknown[]; tool: { driver: { name: string } } }[] };
  const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false }).compile(SARIF_SCHEMA);
  t.true(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
  t.deepEqual(sarif.runs[0]!.results, []);
  for (const text of [run.stdout, run.stderr, readFileSync(sarifFile, "utf8")]) t.false(text.includes(FIXTURE_JWT_SECRET), "a secret in the output");
});

test("a member of one's own: a ks-core Release on the engine's default provider, its values from a value file with another jwtSecret, is blocked (exit 1)", async (t) => {
  const program = writeProgram({
    "Pulumi.dev.yaml": `${STACK}  acme-platform:chartValues: values/ks-core.yaml\n`,
    "values/ks-core.yaml": `authentication:\n  issuer:\n    jwtSecret: ${OTHER_SECRET}\nmulticluster:\n  role: member\n`,
    "index.js": FLEET_PROGRAM(
      `// No provider: the engine's default provider. The secret only in the value file, under values' empty defaults.
new k8s.helm.v3.Release("ks-core", { chart: "ks-core", version: "1.1.4", values: { authentication: { issuer: { jwtSecret: "" } } }, valueYamlFiles: [new pulumi.asset.FileAsset(config.require("chartValues"))] });\n`,
    ),
  });
  t.teardown(program.dispose);
  const sarifFile = join(program.dir, "check.sarif");
  const [json, text] = await Promise.all([check(["--program", program.dir, "--stack", "dev", "--json", "--sarif", sarifFile]), check(["--program", program.dir, "--stack", "dev"])]);
  t.is(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout) as Report;
  const blocked = report.violations.filter((v) => v.enforcementLevel === "mandatory");
  t.deepEqual(blocked.map((v) => [v.policy, v.urn]), [["kubesphere-fleet-configure-shared-jwt-secret", "urn:pulumi:dev::acme-platform::kubernetes:helm.sh/v3:Release::ks-core"]]);
  // The pack saw the Release through default_4_34_2 (@pulumi/kubernetes 4.34.2), in namespace default, named ks-core-<8 hex>.
  t.regex(blocked[0]!.message, /Cluster 'default_4_34_2' jwtSecret \(Helm release default\/ks-core-[0-9a-f]{8} \(ks-core\) values: authentication\.issuer\.jwtSecret\) is sha256:/);
  t.true(blocked[0]!.message.includes(fp(OTHER_SECRET)) && blocked[0]!.message.includes(fp(FIXTURE_JWT_SECRET)), blocked[0]!.message);
  const sarif = JSON.parse(readFileSync(sarifFile, "utf8")) as { runs: { results: { ruleId: string; level: string }[] }[] };
  const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false, logger: false }).compile(SARIF_SCHEMA);
  t.true(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
  t.deepEqual(sarif.runs[0]!.results.map((r) => [r.ruleId, r.level]), [["kubesphere-fleet-configure-shared-jwt-secret", "error"]]);
  t.false(readFileSync(sarifFile, "utf8").includes(OTHER_SECRET));
  t.is(text.code, 1, text.stderr);
  t.regex(text.stdout, /kubesphere-fleet-configure-shared-jwt-secret/);
  for (const run of [json, text]) t.false(`${run.stdout}${run.stderr}`.includes(OTHER_SECRET), "a secret in the output");
});

test("a program of one's own is judged on outputs too: ks-apiserver at 3 replicas with the in-memory cache on a member the component restarts gets the Redis advisory", async (t) => {
  const program = writeProgram({ "index.js": FLEET_PROGRAM(), "Pulumi.dev.yaml": STACK });
  t.teardown(program.dispose);
  writeFileSync(join(program.dir, "live", "dev", "edge-2", "ks-apiserver.yaml"), stringify(ksApiserverDeployment(3)));
  const run = await check(["--program", program.dir, "--stack", "dev", "--json"]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  const redis = report.violations.filter((v) => v.policy === APISERVER_REDIS_CACHE);
  t.deepEqual(redis.map((v) => [v.cluster, v.enforcementLevel]), [["edge-2", "advisory"]], JSON.stringify(report.violations));
});

test("a program that fails, a key the stack lacks, a bad stack file and a program that never ends: exit 2, naming the program, stack and key, no stack trace", async (t) => {
  const failing = writeProgram({ "Pulumi.dev.yaml": STACK, "index.js": FLEET_PROGRAM(`throw new Error("the platform team's own check failed");\n`) });
  const missing = writeProgram({ "Pulumi.dev.yaml": "environment:\n  - acme/platform/dev\n", "index.js": FLEET_PROGRAM() });
  const badType = writeProgram({ "Pulumi.dev.yaml": `${STACK}  acme-platform:replicas: many\n`, "index.js": FLEET_PROGRAM() });
  const endless = writeProgram({ "Pulumi.dev.yaml": STACK, "index.js": FLEET_PROGRAM(`setInterval(() => undefined, 1000);\n`) });
  writeFileSync(join(badType.dir, "Pulumi.yaml"), `${readFileSync(join(badType.dir, "Pulumi.yaml"), "utf8")}config:\n  replicas:\n    type: integer\n`);
  for (const p of [failing, missing, badType, endless]) t.teardown(p.dispose);
  const limit = Math.round(5 * timeScale());
  const runs = await Promise.all([
    check(["--program", failing.dir, "--stack", "dev"]),
    check(["--program", missing.dir, "--stack", "dev"]),
    check(["--program", badType.dir, "--stack", "dev"]),
    check(["--program", endless.dir, "--stack", "dev", "--program-timeout", String(limit)]),
  ]);
  const [fails, lacks, bad, never] = runs;
  t.is(fails!.code, 2, fails!.stderr);
  t.true(fails!.stderr.includes(`error: --program ${failing.dir}, stack 'dev': the program failed: Error: the platform team's own check failed`), fails!.stderr);
  t.is(lacks!.code, 2, lacks!.stderr);
  t.regex(lacks!.stderr, /stack 'dev': the program failed: .*acme-platform:jwtSecret/);
  t.regex(lacks!.stderr, /imports ESC environment acme\/platform\/dev, which the check cannot open\. Fix: pass --esc-env-file env\.json/);
  t.is(bad!.code, 2, bad!.stderr);
  t.true(bad!.stderr.includes(`error: --program ${badType.dir}, stack 'dev': Stack 'dev' with configuration key 'replicas' must be of type 'integer'`), bad!.stderr);
  t.is(never!.code, 2, never!.stderr);
  t.true(never!.stderr.includes(`error: --program ${endless.dir}, stack 'dev': the program did not finish within ${limit} s`), never!.stderr);
  for (const run of runs) {
    t.is(run.stdout, "");
    t.false(/^\s+at /m.test(run.stderr), `a stack trace:\n${run.stderr}`);
  }
});

test("a secure jwtSecret in the program's stack file: decrypted with the passphrase; without it unknown, advisory only (exit 0)", async (t) => {
  const { encryptionSalt, crypter } = newPassphraseSalt("platform-passphrase");
  const program = writeProgram({
    "Pulumi.dev.yaml": `encryptionsalt: ${encryptionSalt}\nconfig:\n  acme-platform:jwtSecret:\n    secure: ${crypter.encrypt(FIXTURE_JWT_SECRET)}\n`,
    "index.js": FLEET_PROGRAM(),
  });
  t.teardown(program.dispose);
  const [withPassphrase, without] = await Promise.all([
    check(["--program", program.dir, "--stack", "dev", "--json"], { PULUMI_CONFIG_PASSPHRASE: "platform-passphrase" }),
    check(["--program", program.dir, "--stack", "dev", "--json"]),
  ]);
  t.is(withPassphrase.code, 0, withPassphrase.stderr);
  const decrypted = JSON.parse(withPassphrase.stdout) as Report;
  t.deepEqual(decrypted.clusters.map((c) => c.jwtSecret.desired), [fp(FIXTURE_JWT_SECRET), fp(FIXTURE_JWT_SECRET)]);
  t.deepEqual(decrypted.violations, []);
  t.is(without.code, 0, without.stderr);
  const unknown = JSON.parse(without.stdout) as Report;
  t.deepEqual(unknown.clusters.map((c) => c.jwtSecret.desired), ["unknown", "unknown"]);
  t.true(unknown.violations.length > 0 && unknown.violations.every((v) => v.enforcementLevel === "advisory"), JSON.stringify(unknown.violations));
  t.true(unknown.notes.some((n) => n.includes("acme-platform:jwtSecret could not be decrypted (PULUMI_CONFIG_PASSPHRASE is not set)")), unknown.notes.join("\n"));
});
