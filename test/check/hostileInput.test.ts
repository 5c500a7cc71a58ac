/**
 * The check under input from whoever opens a pull request: stack file, kubeconfig paths, `--live` snapshot, policy
 * config and output paths made hostile (or just wrong) by the test. Each is bad input: exit 2, one message naming
 * the file and the rule, no stack trace, nothing of the file's text, and (for output paths) nothing run first.
 * Every case runs the CLI's `main` in this process (`runCheckInProcess`), with its output captured.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { closeSync, cpSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { main } from "../../src/cli/check";
import { newPassphraseSalt } from "../../src/secrets/passphrase";
import { REPO, runCheckInProcess, scratchCopy } from "../helpers/checkCli";

const SECRET_TEXT = "tokenThatMustNotLeak";
const STACK_TRACE = /\n\s+at .*:\d+:\d+\)?/;
/** The check with captured output, in this process: what a user sees. */
const check = (args: readonly string[]) => runCheckInProcess(args);

function assertBadInput(t: import("ava").ExecutionContext, run: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  t.is(run.code, 2, run.stdout + run.stderr);
  t.regex(run.stderr, message);
  t.notRegex(run.stderr, STACK_TRACE, "no stack trace");
  t.false(run.stderr.includes(SECRET_TEXT) || run.stdout.includes(SECRET_TEXT), "nothing of the file is quoted");
  t.notRegex(run.stderr, /Running the program/, "refused before the run");
}

/** A project with stack `prod` made from the dev example (kubeconfig paths absolute), its live snapshot copied. */
function project(t: import("ava").ExecutionContext, edit: (root: Record<string, any>, dir: string) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-hostile-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = parse(readFileSync(join(REPO, "stacks", "Pulumi.dev.yaml"), "utf8")) as Record<string, any>;
  for (const cluster of root.config["kubesphere-fleet:clusters"]) cluster.kubeconfig.path = join(REPO, cluster.kubeconfig.path);
  mkdirSync(join(dir, "stacks", "prod"), { recursive: true });
  cpSync(join(REPO, "stacks", "dev", "live"), join(dir, "stacks", "prod", "live"), { recursive: true });
  edit(root, dir);
  writeFileSync(join(dir, "stacks", "Pulumi.prod.yaml"), stringify(root));
  return dir;
}

test("a FIFO in --live is refused at once, naming the file and the rule", async (t) => {
  const dir = project(t);
  execFileSync("mkfifo", [join(dir, "stacks", "prod", "live", "host", "zz-pipe.yaml")]);
  assertBadInput(t, await check(["--stack", "prod", "--project-dir", dir]), /--live .*host\/zz-pipe\.yaml is a FIFO \(named pipe\), not a regular file/);
});

test("a symlink in --live to a file outside the folder is refused, and the file is not read", async (t) => {
  const dir = project(t);
  writeFileSync(join(dir, "shadow"), `root:${SECRET_TEXT}:19000:0:99999:7:::\n`);
  symlinkSync(join(dir, "shadow"), join(dir, "stacks", "prod", "live", "member-1", "shadow.yaml"));
  assertBadInput(t, await check(["--stack", "prod", "--project-dir", dir]), /--live .*member-1\/shadow\.yaml resolves to a file outside .*live; a symlink there must stay inside it/);
});

test("a cluster folder in --live that is a symlink out of it is refused", async (t) => {
  const dir = project(t);
  const elsewhere = join(dir, "elsewhere");
  cpSync(join(dir, "stacks", "prod", "live", "member-2"), elsewhere, { recursive: true });
  rmSync(join(dir, "stacks", "prod", "live", "member-2"), { recursive: true });
  symlinkSync(elsewhere, join(dir, "stacks", "prod", "live", "member-2"));
  assertBadInput(t, await check(["--stack", "prod", "--project-dir", dir]), /--live .*member-2 resolves to a folder outside/);
});

test("a kubeconfig.path that is a FIFO is refused, naming the stack key", async (t) => {
  const dir = project(t, (root, dir) => {
    execFileSync("mkfifo", [join(dir, "kubeconfig.fifo")]);
    root.config["kubesphere-fleet:clusters"][1].kubeconfig = { path: join(dir, "kubeconfig.fifo") };
  });
  assertBadInput(t, await check(["--stack", "prod", "--project-dir", dir]), /clusters\[1\] \(member-1\): kubesphere-fleet:clusters\[1\]\.kubeconfig\.path .*kubeconfig\.fifo is a FIFO \(named pipe\), not a regular file/);
});

test("a snapshot file over the size limit is refused with the flag that raises it", async (t) => {
  const dir = project(t);
  const fd = openSync(join(dir, "stacks", "prod", "live", "host", "huge.yaml"), "w");
  ftruncateSync(fd, 9 * 1024 * 1024);
  closeSync(fd);
  assertBadInput(t, await check(["--stack", "prod", "--project-dir", dir]), /--live .*host\/huge\.yaml is 9 MiB, over the 8 MiB limit per file\. Fix: .*--max-file-mib <MiB>/);
  // Raised, the size rule passes and the next rule (it holds no Kubernetes object) speaks.
  const raised = await check(["--stack", "prod", "--project-dir", dir, "--max-file-mib", "10"]);
  assertBadInput(t, raised, /huge\.yaml: expected a Kubernetes object or List/);
});

test("a snapshot file that is a YAML alias bomb is bad input, with no stack trace", async (t) => {
  const live = scratchCopy("stacks/dev/live");
  t.teardown(live.dispose);
  const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: bomb, namespace: apps}", "data:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`  ${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
  writeFileSync(join(live.dir, "host", "bomb.yaml"), lines.join("\n"));
  assertBadInput(t, await check(["--stack", "dev", "--live", live.dir]), /--live .*host\/bomb\.yaml has YAML aliases that expand more than 100 times/);
});

test("a stack file that nests YAML too deep is bad input", async (t) => {
  const dir = project(t);
  writeFileSync(join(dir, "stacks", "Pulumi.bomb.yaml"), `config:\n  kubesphere-fleet:x: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`);
  assertBadInput(t, await check(["--stack", "bomb", "--project-dir", dir]), /stack 'bomb': .*Pulumi\.bomb\.yaml nests YAML deeper than 100 levels/);
});

test("--sarif into a folder that does not exist is bad input before the run", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-sarif-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  assertBadInput(t, await check(["--stack", "dev", "--sarif", join(dir, "missing", "check.sarif")]), /--sarif .*missing\/check\.sarif: the folder .*missing does not exist\. Fix: create it/);
  assertBadInput(t, await check(["--stack", "dev", "--sarif", dir]), /--sarif .* is a folder/);
});

test("--sarif on a symlink, a FIFO or a symlink to a device-like file is bad input before the run, and nothing is written through it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-sarif-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const victim = join(dir, "outside.txt");
  writeFileSync(victim, "untouched\n");
  const link = join(dir, "check.sarif");
  symlinkSync(victim, link);
  const fifo = join(dir, "fifo.sarif");
  execFileSync("mkfifo", [fifo]);
  // Stands for /dev/null (never touched here): a link to a FIFO in the scratch folder.
  const nullLike = join(dir, "null.sarif");
  symlinkSync(fifo, nullLike);
  assertBadInput(t, await check(["--stack", "dev", "--sarif", link]), /^error: --sarif .*check\.sarif is a symlink; a file is never written through one, it could lead anywhere\. Fix: remove the link \(rm .*check\.sarif\)/);
  assertBadInput(t, await check(["--stack", "dev", "--sarif", fifo]), /^error: --sarif .*fifo\.sarif is a FIFO \(named pipe\), not a regular file; only a regular file is replaced\. Fix: /);
  assertBadInput(t, await check(["--stack", "dev", "--sarif", nullLike]), /^error: --sarif .*null\.sarif is a symlink/);
  t.is(readFileSync(victim, "utf8"), "untouched\n");
});

test("--policy-pack-config that is not JSON is refused with a position and without its text", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-policy-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "config.json"), `{\n  "all": "advisory",\n  token: ${SECRET_TEXT}\n}\n`);
  const run = await runCheckInProcess(["--stack", "dev", "--policy-pack-config", join(dir, "config.json")]);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /--policy-pack-config .*config\.json: not valid JSON at line 3, column 3\./);
  t.false(run.stderr.includes(SECRET_TEXT));
  t.notRegex(run.stderr, STACK_TRACE);
});

test("--policy-pack-config with a value of the wrong type is refused against the policy's configSchema", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-policy-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ "kubesphere-kubeconfig-renew-expiring-certificate": { certificateExpiryWindowDays: SECRET_TEXT } }, null, 2));
  const run = await runCheckInProcess(["--stack", "dev", "--policy-pack-config", join(dir, "config.json")]);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /\/kubesphere-kubeconfig-renew-expiring-certificate\/certificateExpiryWindowDays \(line 3, column 36\) must be integer/);
  t.false(run.stderr.includes(SECRET_TEXT));
});

test("an encrypted kubeconfig content checked without the passphrase is unknown, an advisory note, not bad input", async (t) => {
  const { encryptionSalt, crypter } = newPassphraseSalt("correct horse battery staple");
  const dir = project(t, (root) => {
    root.encryptionsalt = encryptionSalt;
    const path = root.config["kubesphere-fleet:clusters"][1].kubeconfig.path as string;
    root.config["kubesphere-fleet:clusters"][1].kubeconfig = { content: { secure: crypter.encrypt(readFileSync(path, "utf8")) } };
  });
  const run = await runCheckInProcess(["--stack", "prod", "--project-dir", dir]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /note: kubesphere-fleet:clusters\[1\]\.kubeconfig\.content is a secure value that could not be decrypted \(PULUMI_CONFIG_PASSPHRASE is not set\)/);
  t.regex(run.stdout, /member-1 +member +3\.4 +installer/);
  t.notRegex(run.stdout + run.stderr, /BEGIN|could not be read/);
});

test("an unexpected error prints its first line and no stack trace; --debug prints the stack", async (t) => {
  const broken = {
    stdout: { isTTY: false, write: () => { throw new TypeError("the terminal went away"); } },
    stderr: { isTTY: false, write: (s: string) => (stderr += s) },
    env: {},
  };
  let stderr = "";
  t.is(await main(["--help"], broken), 1);
  t.regex(stderr, /^error: the check failed unexpectedly: TypeError: the terminal went away\. Run again with --debug for the stack trace/);
  t.notRegex(stderr, STACK_TRACE);
  stderr = "";
  t.is(await main(["--help", "--debug"], broken), 1);
  t.regex(stderr, STACK_TRACE);
});
