/**
 * The values a check reads from files a pull request controls (an env file, stack files, snapshot folders) and from
 * KubeSphereFleet's args, made hostile: bracket bombs, secrets and 7 MB strings in the wrong place, terminal escapes in
 * names, `__proto__` keys, YAML nulls, and snapshot folders missing from several stacks. Run as users run the check
 * (the CLI, on files), or in process through the functions it uses, under Pulumi's mock runtime where the program runs.
 */
import test from "ava";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { InputError } from "../../src/cli/exitCodes";
import { readEscEnvironment } from "../../src/check/escEnvironment";
import { readStackConfig } from "../../src/check/stackFile";
import { readStackInput } from "../../src/check/stackInput";
import { KubeSphereFleet } from "../../src/component/kubeSphereFleet";
import { runFleetUnderMocks, runUnderMocks, stackConfigOf } from "../../src/mocks/runUnderMocks";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { cliEntry, REPO, runCheckInProcess, runCli, runNode, scratchCopy, timeScale } from "../helpers/checkCli";
import { liveObjects } from "../helpers/mocksFleet";

/** Looks like a jwtSecret or a token; must never be printed. */
const SECRET = "hostileValuesSecret0123456789abcdefXYZ";
const SEVEN_MB = "s".repeat(7 * 1024 * 1024);
const INJECTED = "\u001b[2K\rNo mandatory violations\n";

function tempDir(t: { teardown(f: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A scratch copy of examples/split-fleet (host-eu, members-eu, members-us), with stack files edited as YAML. */
function splitFleet(t: { teardown(f: () => void): void }, edits: Record<string, (root: Record<string, any>) => void> = {}): string {
  const copy = scratchCopy("examples/split-fleet");
  t.teardown(copy.dispose);
  for (const [stack, edit] of Object.entries(edits)) {
    const file = join(copy.dir, "stacks", `Pulumi.${stack}.yaml`);
    const root = parseDocument(readFileSync(file, "utf8")).toJS() as Record<string, any>;
    edit(root);
    writeFileSync(file, parseDocument(JSON.stringify(root)).toString());
  }
  return copy.dir;
}

/** The dev stack (stacks/ of this repo) in a scratch project, its stack file given `extra` config lines. */
function devProject(t: { teardown(f: () => void): void }, extra: string): string {
  const dir = tempDir(t, "ksf-values-");
  cpSync(join(REPO, "stacks"), join(dir, "stacks"), { recursive: true });
  const file = join(dir, "stacks", "Pulumi.dev.yaml");
  writeFileSync(file, `${readFileSync(file, "utf8").trimEnd()}\n${extra}\n`);
  return dir;
}

function writeFile(t: { teardown(f: () => void): void }, name: string, text: string): string {
  const file = join(tempDir(t, "ksf-file-"), name);
  writeFileSync(file, text);
  return file;
}

// Item 5: bounded before parsing.

test("an 8 MiB env file of unclosed brackets is refused at once, exit 2, in little memory", async (t) => {
  const file = writeFile(t, "env.json", `{"pulumiConfig": ${"[".repeat(8 * 1024 * 1024 - 20)}`);
  const started = Date.now();
  const error = t.throws(() => readEscEnvironment(file), { instanceOf: InputError });
  t.true(Date.now() - started < 1000 * timeScale(), `took ${Date.now() - started} ms`);
  t.regex(error!.message, /^--esc-env-file .*env\.json nests JSON deeper than 100 levels at line 1, column 117\. Fix: flatten it; no input of this kind nests this deep\.$/);
  // The whole CLI in a 160 MB heap: the error scan of the text used to take 1.5 GB.
  const run = await runNode(["--max-old-space-size=160", ...cliEntry("check"), "--stack", "dev", "--esc-env-file", file], { timeoutMs: 15_000 });
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /^error: --esc-env-file .*env\.json nests JSON deeper than 100 levels at line 1, column 117\./);
});

test("10,000 levels of nesting in an env file's value are refused before parsing: exit 2 naming the bound, no RangeError", async (t) => {
  const dir = splitFleet(t);
  const deep = `${"[".repeat(10_000)}"${SECRET}"${"]".repeat(10_000)}`;
  const env = writeFile(t, "env.json", `{"pulumiConfig": {"kubesphere-fleet:jwtSecret": ${deep}}}`);
  const run = await runCheckInProcess(["--project-dir", dir, "--stack", "members-eu", "--esc-env-file", env]);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /^error: --esc-env-file .*env\.json nests JSON deeper than 100 levels at line 1, column \d+\. Fix: flatten it/);
  t.false(/RangeError|stack size/.test(run.stderr));
  t.false(run.stderr.includes(SECRET));
});

// Item 8: the key and the type, never the value.

test("wrong-typed values from a stack file and an env file are named by key and type, never quoted: no secret, no 7 MB", async (t) => {
  const dir = splitFleet(t, {
    "members-eu": (root) => {
      const [first, second] = root["config"]["kubesphere-fleet:clusters"];
      first.name = SECRET;
      first.role = SECRET;
      first.version = SECRET;
      second.manage = SECRET;
      second.ksInstaller = SECRET;
      second[`${SECRET}${INJECTED}`] = "a key holding escapes";
    },
  });
  const env = writeFile(t, "env.json", JSON.stringify({ pulumiConfig: { "kubesphere-fleet:jwtSecret": { nested: SECRET }, "kubesphere-fleet:configMap": SEVEN_MB, namespace: SECRET } }));
  const run = await runCheckInProcess(["--project-dir", dir, "--stack", "members-eu", "--esc-env-file", env]);
  t.is(run.code, 2, run.stderr);
  const problems = [
    /Stack 'members-eu', clusters\[0\]: kubesphere-fleet:clusters\[0\]\.name is not a DNS-1123 label: it has upper-case letters\./,
    /kubesphere-fleet:clusters\[0\]\.role is a string of 38 characters, not a role\./,
    /kubesphere-fleet:clusters\[0\]\.version is a string of 38 characters, not a KubeSphere version/,
    /clusters\[1\] \(eu-3\): kubesphere-fleet:clusters\[1\]\.manage is a string of 38 characters, not a way to manage a 3\.x cluster\./,
    /kubesphere-fleet:clusters\[1\]\.ksInstaller is a string of 38 characters, not true or false\./,
    /kubesphere-fleet:clusters\[1\]\.hostileValuesSecret0123456789abcdefXYZ\\u001b\[2K\\rNo mandatory violations\\n is not a cluster setting/,
    /kubesphere-fleet:jwtSecret is a mapping, not a string\./,
    /kubesphere-fleet:configMap is a string of 7340032 characters, not a Kubernetes object name\./,
    /kubesphere-fleet:namespace is a string of 38 characters, not a Kubernetes object name\./,
  ];
  for (const problem of problems) t.regex(run.stderr, problem);
  // The key a user wrote is named (escaped); no value is: the secret appears only inside that key's name.
  t.is(run.stderr.split(SECRET).length - 1, 1, run.stderr);
  t.false(run.stderr.includes("sssssssssss"));
  t.true(run.stderr.length < 10_000);
  t.false(/[\u001b\r]/.test(run.stderr), "no raw control character");
});

test.serial("wrong-typed KubeSphereFleet args are named by key and type, never quoted: no secret, no 7 MB", async (t) => {
  const run = await runUnderMocks({ project: "acme", stack: "prod", config: { config: {}, secretKeys: [] }, objects: liveObjects("dev") }, () =>
    new KubeSphereFleet("fleet", {
      clusters: [{ name: "host", role: SECRET as "host", version: SEVEN_MB as "3.4", manage: SECRET as "installer", kubeconfig: "apiVersion: v1" }],
      jwtSecret: 42 as unknown as string,
      namespace: SEVEN_MB,
      configMap: SECRET,
    }).declared(),
  );
  const message = run.error?.message ?? "";
  t.regex(message, /clusters\[0\]\.role is a string of 38 characters, not a role\./);
  t.regex(message, /clusters\[0\]\.version is a string of 7340032 characters, not a KubeSphere version/);
  t.regex(message, /jwtSecret is a number, not a string\./);
  t.regex(message, /namespace is a string of 7340032 characters, not a Kubernetes object name\./);
  t.regex(message, /configMap is a string of 38 characters, not a Kubernetes object name\./);
  t.false(message.includes(SECRET));
  t.false(message.includes("sssssssssss"));
});

// Item 9: control characters escaped in one place.

test("an ESC environment name with terminal escapes and a newline is printed escaped, on one line", async (t) => {
  const name = `acme/${INJECTED}fleet`;
  const dir = splitFleet(t, { "members-eu": (root) => (root["environment"] = [name]) });
  const run = await runCheckInProcess(["--project-dir", dir, "--stack", "members-eu"]);
  t.is(run.code, 0, run.stderr);
  t.false(/[\u001b\r]/.test(run.stdout), "no raw escape or carriage return");
  const lines = run.stdout.split("\n");
  const noted = lines.filter((l) => l.includes("acme/\\u001b[2K\\rNo mandatory violations\\nfleet"));
  t.true(noted.length >= 1, run.stdout);
  t.true(noted.every((l) => l.startsWith("note: ")), noted.join("\n"));
  // The only line that says so is the check's own verdict, the last one.
  t.deepEqual(lines.filter((l) => l.includes("No mandatory violations") && !l.startsWith("note: ")).length, 1);
  t.regex(lines.filter(Boolean).pop()!, /^No mandatory violations \(\d+ advisory\): pulumi preview/);

  // The same name in an error (the stack file lacks clusters, which the environment may hold).
  const bad = splitFleet(t, { "members-eu": (root) => ((root["environment"] = [name]), delete root["config"]["kubesphere-fleet:clusters"]) });
  const refused = await runCheckInProcess(["--project-dir", bad, "--stack", "members-eu"]);
  t.is(refused.code, 2);
  t.false(/[\u001b\r]/.test(refused.stderr));
  t.is(refused.stderr.trimEnd().split("\n").length, 1, refused.stderr);
  t.true(refused.stderr.includes("ESC environment acme/\\u001b[2K\\rNo mandatory violations\\nfleet, which may hold them"));
});

// Item 11: own keys only.

test("__proto__, constructor and prototype in an env file's pulumiConfig and a stack file's config are keys of that name, setting nothing else", (t) => {
  const evil = { namespace: "evil-system", jwtSecret: SECRET, clusters: [] };
  const env = readEscEnvironment(
    writeFile(t, "env.json", `{"pulumiConfig": {"kubesphere-fleet:__proto__": ${JSON.stringify(evil)}, "__proto__": ${JSON.stringify(evil)}, "kubesphere-fleet:constructor": {"namespace": "evil-system"}, "kubesphere-fleet:jwtSecret": "${FIXTURE_JWT_SECRET}"}}`),
  );
  t.deepEqual(Object.keys(env.pulumiConfig).sort(), ["__proto__", "constructor", "jwtSecret"]);
  t.is(Object.getPrototypeOf(env.pulumiConfig), null);
  t.is(env.pulumiConfig["namespace"], undefined);

  const dir = splitFleet(t);
  const file = join(dir, "stacks", "Pulumi.members-eu.yaml");
  writeFileSync(
    file,
    readFileSync(file, "utf8").replace(
      "config:\n",
      `config:\n  kubesphere-fleet:__proto__:\n    namespace: evil-system\n    configMap: evil-config\n    jwtSecret: ${SECRET}\n  kubesphere-fleet:prototype:\n    namespace: evil-system\n`,
    ),
  );
  const stack = readStackInput({ stack: "members-eu", projectDir: dir, escEnvironment: env });
  t.deepEqual(Object.keys(stack.stackConfig.values).sort(), ["__proto__", "clusters", "hostJwtSecretFingerprint", "prototype"]);
  t.deepEqual(stack.stackConfig.values["__proto__"], { namespace: "evil-system", configMap: "evil-config", jwtSecret: SECRET }, "a config key named __proto__, as pulumi reads it");
  t.is(stack.input.namespace, undefined);
  t.is(stack.input.configMap, undefined);
  t.is(stack.input.jwtSecret, FIXTURE_JWT_SECRET, "from the env file's own jwtSecret key");
  t.deepEqual(stack.fleet.names, { namespace: "kubesphere-system", configMap: "kubesphere-config" });
});

// Item 12: a YAML null, as the program gets it.

test.serial("namespace: null and jwtSecret: null get the same verdict from the check's validation and from the program under the mock runtime", async (t) => {
  const dir = devProject(t, "  kubesphere-fleet:namespace: null\n  kubesphere-fleet:jwtSecret: null");
  const refused = t.throws(() => readStackInput({ stack: "dev", projectDir: dir }), { instanceOf: InputError });
  const problems = (message: string) => message.split("\n").filter((l) => l.startsWith("- ")).sort();
  const expected = [
    `- Stack 'dev': kubesphere-fleet:jwtSecret is null (or the text "null"): pulumi passes a YAML null to the program as the text "null", not as unset. Fix: remove kubesphere-fleet:jwtSecret from the stack file (and the ESC environment) to leave it unset, or give it a value.`,
    `- Stack 'dev': kubesphere-fleet:namespace is null (or the text "null"): pulumi passes a YAML null to the program as the text "null", not as unset. Fix: remove kubesphere-fleet:namespace from the stack file (and the ESC environment) to leave it unset, or give it a value.`,
  ];
  t.deepEqual(problems(refused!.message), expected);

  // The program, given the config as the check hands it over (the engine's text: "null").
  const values = readStackConfig(dir, "dev").values;
  const engineConfig = stackConfigOf(values);
  t.is(engineConfig.config["kubesphere-fleet:namespace"], "null");
  const run = await runFleetUnderMocks({ stack: "dev", config: engineConfig, objects: liveObjects("dev"), projectRoot: dir, preview: true });
  t.deepEqual(problems(run.error?.message ?? ""), expected);
  t.deepEqual(run.resources.filter((r) => !r.read && r.type !== "pulumi:providers:kubernetes"), [], "nothing declared, with namespace \"null\" or otherwise");
});

// Item 13: every stack's missing snapshot folders at once, before any stack runs.

test("--all-stacks with snapshot folders missing from 2 of 3 stacks: one exit 2 naming both, before any program runs", async (t) => {
  const dir = splitFleet(t);
  rmSync(join(dir, "stacks", "members-eu", "live", "eu-3"), { recursive: true });
  rmSync(join(dir, "stacks", "members-us", "live"), { recursive: true });
  mkdirSync(join(dir, "stacks", "members-us", "live"));
  // Within 15 s of the process start (scaled by the machine's load): the stacks' programs are never run.
  const run = await runCli("check", ["--project-dir", dir, "--all-stacks", "--esc-env-file", join(dir, "env.json")], {}, 15_000);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /^error: 2 of 3 stacks have bad input; nothing was checked\.\n/);
  t.regex(run.stderr, /- stack 'members-eu': --live .*members-eu\/live has no folder for 'eu-3'\. Save one with `npm run audit -- --stack members-eu --save .*members-eu\/live`\./);
  t.regex(run.stderr, /- stack 'members-us': --live .*members-us\/live has no folder for 'us-1'\./);
  t.false(run.stderr.includes("Running the program"), "no stack ran");
  t.false(run.stderr.includes("host-eu"), "the stack with its snapshot is not named");
});
