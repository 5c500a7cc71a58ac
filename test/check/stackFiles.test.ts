/**
 * Stack files exactly as the Pulumi CLI writes and reads them (issue 21, item 6): a secure value whose plaintext is
 * JSON, a passphrase file with surrounding whitespace, Pulumi.yaml's project config, and secure values that cannot be
 * decrypted here.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { readStackInput } from "../../src/check/stackInput";
import { newPassphraseSalt } from "../../src/secrets/passphrase";
import { runCheckInProcess } from "../helpers/checkCli";
import { projectWith } from "../helpers/stackProject";

const PASSPHRASE = "correct horse battery staple";
const { encryptionSalt, crypter } = newPassphraseSalt(PASSPHRASE);
const CLUSTERS = "kubesphere-fleet:clusters";

interface Report {
  clusters: { name: string; role: string; changes: unknown[] }[];
  violations: { policy: string; message: string }[];
  notes: string[];
}

const projects: string[] = [];
/** A project from the dev example; `files` (written after `edit`) are added beside stacks/, e.g. a Pulumi.yaml. */
function project(edit: (root: Record<string, any>) => void, files: () => Record<string, string> = () => ({})): string {
  const dir = projectWith("prod", edit);
  for (const [name, text] of Object.entries(files())) writeFileSync(join(dir, name), text);
  projects.push(dir);
  return dir;
}
test.after.always(() => projects.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const check = (dir: string, env: NodeJS.ProcessEnv = {}) => runCheckInProcess(["--stack", "prod", "--project-dir", dir, "--json"], env);

test("clusters set with pulumi config set --secret clusters \"$(jq -c . clusters.json)\" are read as the program reads them", async (t) => {
  let compact = "";
  const plain = project(() => {});
  const secure = project((root) => {
    // What the CLI stores: the secure value's plaintext is exactly the shell's "$(jq -c . clusters.json)".
    const list = root.config[CLUSTERS];
    const jq = spawnSync("jq", ["-c", "."], { input: JSON.stringify(list, null, 2), encoding: "utf8" });
    compact = jq.stdout.replace(/\n+$/, "");
    root.encryptionsalt = encryptionSalt;
    root.config[CLUSTERS] = { secure: crypter.encrypt(compact) };
  });
  t.true(compact.startsWith('[{"name":"host"'), "jq wrote the list");
  const [fromPlain, fromSecure] = await Promise.all([check(plain), check(secure, { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE })]);
  t.is(fromSecure.code, fromPlain.code, fromSecure.stderr);
  const a = JSON.parse(fromPlain.stdout) as Report;
  const b = JSON.parse(fromSecure.stdout) as Report;
  t.deepEqual(b.clusters, a.clusters);
  t.deepEqual(b.violations, a.violations);
  t.deepEqual(b.clusters.map((c) => c.name), ["host", "member-1", "member-2"]);
});

test("a passphrase file is read with surrounding whitespace trimmed, as pulumi's readPassphrase does", async (t) => {
  const dir = project((root) => {
    root.encryptionsalt = encryptionSalt;
    root.config["kubesphere-fleet:jwtSecret"] = { secure: crypter.encrypt("rotatedJwtSecretCCCCCCCCCCCCCCCCCC") };
  });
  // An editor's file: a trailing blank line, and a tab before the passphrase.
  writeFileSync(join(dir, "passphrase.txt"), `\t${PASSPHRASE}\n\n`);
  const run = await check(dir, { PULUMI_CONFIG_PASSPHRASE_FILE: join(dir, "passphrase.txt") });
  t.is(run.code, 0, run.stderr);
  t.deepEqual((JSON.parse(run.stdout) as Report).notes, []);
});

const projectYaml = (config: Record<string, unknown>) => stringify({ name: "kubesphere-fleet", runtime: "nodejs", config });

test("Pulumi.yaml's project config gives the keys the stack file does not set, and the stack's own values win", async (t) => {
  let clusters: unknown;
  const dir = project(
    (root) => {
      // The clusters only in Pulumi.yaml (shorthand: a list is a project key's default); the stack keeps configMap.
      clusters = root.config[CLUSTERS];
      delete root.config[CLUSTERS];
      root.config["kubesphere-fleet:configMap"] = "kubesphere-config";
    },
    () => ({ "Pulumi.yaml": projectYaml({ clusters, configMap: "not-this-one", "kubesphere-fleet:namespace": { type: "string", default: "kubesphere-system" } }) }),
  );
  const run = await check(dir);
  t.is(run.code, 0, run.stderr);
  t.deepEqual((JSON.parse(run.stdout) as Report).clusters.map((c) => c.name), ["host", "member-1", "member-2"]);
  t.false(run.stdout.includes("not-this-one"), "the stack's configMap wins over the project default");
});

test("a project key without a default that the stack does not set is refused with pulumi's words, exit 2", async (t) => {
  const dir = project(() => {}, () => ({ "Pulumi.yaml": projectYaml({ jwtSecret: { type: "string", secret: true }, hostJwtSecretFingerprint: { type: "string" } }) }));
  const run = await check(dir);
  t.is(run.code, 2, run.stdout);
  t.regex(run.stderr, /Stack 'prod' is missing configuration values 'hostJwtSecretFingerprint' and 'jwtSecret'/);
  t.notRegex(run.stderr, /\n\s+at /, "no stack trace");
});

test("a project key without a default may come from an ESC environment the check has not opened: a note, not a refusal", async (t) => {
  const dir = project(
    (root) => {
      root.environment = ["acme/kubesphere-fleet"];
      root.config["kubesphere-fleet:jwtSecret"] = "plainJwtSecretDDDDDDDDDDDDDDDDDDDDDD";
    },
    () => ({ "Pulumi.yaml": projectYaml({ hostJwtSecretFingerprint: { type: "string" } }) }),
  );
  const run = await check(dir);
  t.is(run.code, 0, run.stderr);
  t.true((JSON.parse(run.stdout) as Report).notes.some((n) => /declares 'hostJwtSecretFingerprint' without a default .* ESC environment acme\/kubesphere-fleet may/.test(n)));
});

test("a project key declared secret: true with a plain stack value is refused as pulumi refuses it, exit 2", async (t) => {
  const dir = project(
    (root) => {
      root.config["kubesphere-fleet:jwtSecret"] = "plainJwtSecretDDDDDDDDDDDDDDDDDDDDDD";
    },
    () => ({ "Pulumi.yaml": projectYaml({ jwtSecret: { type: "string", secret: true } }) }),
  );
  const run = await check(dir);
  t.is(run.code, 2, run.stdout);
  t.regex(run.stderr, /Stack 'prod' with configuration key 'jwtSecret' must be encrypted as it's secret/);
  t.false(run.stderr.includes("plainJwtSecretDDDD"), "the value is not quoted");
});

test("a value not of its project type is refused as pulumi refuses it; a typed key met is accepted", async (t) => {
  const typed = { clusters: { type: "array", items: { type: "object" } }, namespace: { type: "string", default: "kubesphere-system" } };
  const [ok, wrong] = await Promise.all([
    check(project(() => {}, () => ({ "Pulumi.yaml": projectYaml(typed) }))),
    check(project((root) => (root.config["kubesphere-fleet:namespace"] = { name: "kubesphere-system" }), () => ({ "Pulumi.yaml": projectYaml(typed) }))),
  ]);
  t.is(ok.code, 0, ok.stderr);
  t.is(wrong.code, 2, wrong.stdout);
  t.regex(wrong.stderr, /Stack 'prod' with configuration key 'namespace' must be of type 'string'/);
});

test("a secure hostJwtSecretFingerprint that cannot be decrypted is unknown: noted, not refused", async (t) => {
  const dir = project((root) => {
    root.encryptionsalt = encryptionSalt;
    root.config["kubesphere-fleet:hostJwtSecretFingerprint"] = { secure: crypter.encrypt("sha256:890eaf2b1028") };
  });
  const run = await check(dir);
  t.is(run.code, 0, run.stderr);
  const notes = (JSON.parse(run.stdout) as Report).notes;
  t.true(notes.some((n) => /kubesphere-fleet:hostJwtSecretFingerprint is a secure value that could not be decrypted \(PULUMI_CONFIG_PASSPHRASE is not set\)/.test(n)), notes.join("\n"));
});

test("secure clusters that cannot be decrypted are bad input naming the fix, exit 2", async (t) => {
  const dir = project((root) => {
    root.encryptionsalt = encryptionSalt;
    root.config[CLUSTERS] = { secure: crypter.encrypt(JSON.stringify(root.config[CLUSTERS])) };
  });
  const run = await check(dir);
  t.is(run.code, 2, run.stdout);
  t.regex(run.stderr, /kubesphere-fleet:clusters is a secure value that could not be decrypted \(PULUMI_CONFIG_PASSPHRASE is not set\).*Fix: set PULUMI_CONFIG_PASSPHRASE/);
});

test("a YAML number where the program reads text is that number's text, as the engine hands it over", (t) => {
  const dir = project((root) => {
    root.config["kubesphere-fleet:configMap"] = 12345;
  });
  const { fleet, input } = readStackInput({ stack: "prod", projectDir: dir, env: {} });
  t.is(input.configMap, "12345");
  t.is(fleet.names.configMap, "12345");
});
