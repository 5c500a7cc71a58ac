/**
 * Pulumi ESC in the offline check: a stack file's `environment:` imports, and `--esc-env-file` (what `esc open … --format
 * json` prints). Read in process through the same functions the CLI uses; the CLI runs are in acrossStacks.test.ts.
 */
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/cli/exitCodes";
import { readEscEnvironment } from "../../src/check/escEnvironment";
import { readStackInput } from "../../src/check/stackInput";
import { isUnknownValue } from "../../src/model/unknownValue";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { REPO } from "../helpers/checkCli";

const OTHER_SECRET = "anotherFleetsJwtSecretCCCCCCCCCCCCCC";

/** A project folder with the split example's kubeconfigs and one stack file of this text. */
function project(t: { teardown(f: () => void): void }, stackFile: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-esc-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(REPO, "examples", "split-fleet", "kubeconfigs"), join(dir, "kubeconfigs"), { recursive: true });
  mkdirSync(join(dir, "stacks"));
  writeFileSync(join(dir, "stacks", "Pulumi.shard.yaml"), stackFile);
  return dir;
}

const MEMBERS = `
  kubesphere-fleet:clusters:
    - name: eu-2
      role: member
      version: "4.1"
      kubeconfig:
        path: kubeconfigs/member-2.yaml`;

function envFile(t: { teardown(f: () => void): void }, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-env-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "env.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

test("esc open --format json: this project's keys, prefixed or bare (the prefixed one wins), other namespaces ignored", (t) => {
  const file = envFile(t, {
    environmentVariables: { AWS_REGION: "eu-central-1" },
    pulumiConfig: { jwtSecret: OTHER_SECRET, "kubesphere-fleet:jwtSecret": FIXTURE_JWT_SECRET, namespace: "acme-system", "aws:region": "eu-central-1", "other:jwtSecret": OTHER_SECRET },
    files: { KUBECONFIG: "apiVersion: v1" },
  });
  const env = readEscEnvironment(file);
  t.deepEqual(env.pulumiConfig, { jwtSecret: FIXTURE_JWT_SECRET, namespace: "acme-system" });
});

test("an env file that is not ESC JSON is bad input naming the file and the fix, never its text", (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [`{"pulumiConfig": {"jwtSecret": "${OTHER_SECRET}"`, /is not ESC JSON: not valid JSON at line 1, column \d+\. Fix: write it with: esc open/],
    [[OTHER_SECRET], /is not ESC JSON: not a JSON object/],
    [{ exprs: {}, properties: { jwtSecret: { value: OTHER_SECRET } } }, /is the detailed form \(exprs, properties\), not the environment's values\. Fix: open it with --format json/],
    [{ environmentVariables: { TOKEN: OTHER_SECRET } }, /has no pulumiConfig: the environment gives a stack no config\. Fix: give the environment a pulumiConfig block with kubesphere-fleet:jwtSecret/],
    [{ pulumiConfig: [OTHER_SECRET] }, /is not ESC JSON: pulumiConfig is not a mapping of config keys to values/],
  ];
  for (const [content, pattern] of cases) {
    const error = t.throws(() => readEscEnvironment(envFile(t, content)), { instanceOf: InputError });
    t.regex(error!.message, new RegExp(`^--esc-env-file .*env\\.json ${pattern.source}`));
    t.false(error!.message.includes(OTHER_SECRET));
  }
});

test("a stack importing an environment: a jwtSecret it does not set is unknown without --esc-env-file, and taken from it with", (t) => {
  const dir = project(t, `environment:\n  - acme/kubesphere-fleet\nconfig:${MEMBERS}\n`);
  const without = readStackInput({ stack: "shard", projectDir: dir });
  t.true(isUnknownValue(without.input.jwtSecret), "unknown, as in a preview");
  t.true(without.notes.some((n) => n.startsWith("kubesphere-fleet:jwtSecret is not in the stack file and may come from ESC environment acme/kubesphere-fleet")));
  t.deepEqual(without.fleet.clusters.map((c) => c.role), ["member"], "a shard whose secret comes from ESC is valid");

  const esc = readEscEnvironment(envFile(t, { pulumiConfig: { "kubesphere-fleet:jwtSecret": FIXTURE_JWT_SECRET } }));
  const withEnv = readStackInput({ stack: "shard", projectDir: dir, escEnvironment: esc });
  t.is(withEnv.input.jwtSecret, FIXTURE_JWT_SECRET);
  t.true(withEnv.notes.some((n) => /^kubesphere-fleet:jwtSecret from --esc-env-file .*env\.json \(ESC environment acme\/kubesphere-fleet\); the stack file's own values win/.test(n)));
  t.false(withEnv.notes.join("\n").includes(FIXTURE_JWT_SECRET));
});

test("the stack file wins over the environment, and an env file is not used for a stack that imports none", (t) => {
  const esc = readEscEnvironment(envFile(t, { pulumiConfig: { jwtSecret: OTHER_SECRET } }));
  const own = project(t, `environment:\n  imports:\n    - acme/kubesphere-fleet\nconfig:\n  kubesphere-fleet:jwtSecret: ${FIXTURE_JWT_SECRET}${MEMBERS}\n`);
  t.is(readStackInput({ stack: "shard", projectDir: own, escEnvironment: esc }).input.jwtSecret, FIXTURE_JWT_SECRET);

  const none = project(t, `config:\n  kubesphere-fleet:jwtSecret: ${FIXTURE_JWT_SECRET}${MEMBERS}\n`);
  const read = readStackInput({ stack: "shard", projectDir: none, escEnvironment: esc });
  t.is(read.input.jwtSecret, FIXTURE_JWT_SECRET);
  t.true(read.notes.some((n) => /--esc-env-file .* is not used for stack 'shard': its stack file imports no ESC environment/.test(n)));
});

test("clusters that may come from the environment, or an environment that is not a list, are bad input with the fix", (t) => {
  const noClusters = project(t, "environment:\n  - acme/kubesphere-fleet\nconfig:\n  kubesphere-fleet:hostJwtSecretFingerprint: sha256:890eaf2b1028\n");
  t.throws(() => readStackInput({ stack: "shard", projectDir: noClusters }), {
    instanceOf: InputError,
    message: /has no kubesphere-fleet:clusters and imports ESC environment acme\/kubesphere-fleet, which may hold them; the check cannot open an environment\. Fix: list the clusters in the stack file, or give npm run check --esc-env-file env\.json, written with: esc open acme\/kubesphere-fleet --format json > env\.json/,
  });
  const clustersFromEnv = readEscEnvironment(
    envFile(t, { pulumiConfig: { "kubesphere-fleet:clusters": [{ name: "eu-2", role: "member", version: "4.1", kubeconfig: { path: "kubeconfigs/member-2.yaml" } }], "kubesphere-fleet:jwtSecret": FIXTURE_JWT_SECRET } }),
  );
  t.deepEqual(readStackInput({ stack: "shard", projectDir: noClusters, escEnvironment: clustersFromEnv }).fleet.clusters.map((c) => c.name), ["eu-2"]);

  const badList = project(t, `environment: acme/kubesphere-fleet\nconfig:${MEMBERS}\n`);
  t.throws(() => readStackInput({ stack: "shard", projectDir: badList }), { instanceOf: InputError, message: /'environment' must be a list of Pulumi ESC environment names/ });
});
