/**
 * `npm run check` runs the build in policies/bin (scripts/cli.js), not TypeScript through tsx; a source newer than
 * the build is rebuilt first, so an edit or a `git pull` never runs stale code. Exercised in a copy of the project,
 * so the rebuild never touches the build that other tests' packs run from. The launcher in package.json ends Node's own
 * options (`node -- scripts/cli.js`), so an `--env-file` among the check's arguments reaches the check, not Node.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runCommand, runNode, timeScale, type CliRun } from "../helpers/checkCli";

const COPIED = ["package.json", "tsconfig.json", "tsconfig.build.json", "Pulumi.yaml", "scripts", "src", "policies", "stacks"];

function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-launcher-"));
  // Timestamps kept: the copied build must still be newer than the copied sources.
  for (const entry of COPIED) cpSync(join(REPO, entry), join(dir, entry), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function runScript(dir: string, args: readonly string[]): Promise<CliRun> {
  return runNode([join(dir, "scripts", "cli.js"), ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, timeoutMs: 100_000 });
}

test("the check runs from the build, and rebuilds first when a source is newer than the build", async (t) => {
  const dir = copyProject();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const fresh = await runScript(dir, ["check", "--stack", "dev", "--json"]);
  t.is(fresh.code, 0, fresh.stderr);
  t.false(fresh.stderr.includes("Building"), fresh.stderr);
  const report = JSON.parse(fresh.stdout) as { stack: string; stackFile: string; clusters: unknown[] };
  t.is(report.stack, "dev");
  t.is(report.stackFile, join(dir, "stacks", "Pulumi.dev.yaml"), "the project is found from the build, four folders below it");
  t.is(report.clusters.length, 3);

  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, "src", "rules", "index.ts"), later, later);
  const edited = await runScript(dir, ["check", "--stack", "dev", "--json"]);
  t.is(edited.code, 0, edited.stderr);
  t.regex(edited.stderr, /Building with tsconfig\.build\.json first: a source changed since the last build/);
  t.deepEqual(JSON.parse(edited.stdout), report, "the same report, and tsc wrote nothing to stdout");
});

test("an unknown command is refused with the usage, exit 2; --help and --version answer on stdout", async (t) => {
  const run = await runScript(REPO, ["frobnicate"]);
  t.is(run.code, 2);
  t.regex(run.stderr, /unknown command 'frobnicate'[^]*Usage: kubesphere-fleet <check\|audit>/);
  const help = await runScript(REPO, ["--help"]);
  t.is(help.code, 0);
  t.regex(help.stdout, /^Usage: kubesphere-fleet <check\|audit> \[options\]/);
  const version = await runScript(REPO, ["--version"]);
  t.is(version.code, 0);
  t.is(version.stdout, `${(require("../../package.json") as { version: string }).version}\n`);
});

/** `npm run --silent check -- <args>` in the repository, as users run it: package.json's launcher, then the build. */
function npmRunCheck(args: readonly string[]): Promise<CliRun> {
  return runCommand("npm", ["run", "--silent", "check", "--", ...args], { env: { ...process.env, NO_COLOR: "1" }, timeoutMs: 60_000 });
}

test("an env file with a NODE_OPTIONS=--require line, given as --env-file or --esc-env-file, is read by the check's bounded reader, never by Node", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-node-env-file-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, "marker");
  writeFileSync(join(dir, "x.js"), `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran");\n`);
  const envFile = join(dir, "env.json");
  writeFileSync(envFile, `NODE_OPTIONS=--require ${join(dir, "x.js")}\n`);

  const renamed = await npmRunCheck(["--stack", "dev", "--esc-env-file", envFile]);
  t.is(renamed.code, 2, renamed.stderr);
  t.regex(renamed.stderr, /^error: --esc-env-file .*env\.json is not ESC JSON: not valid JSON at line 1, column 1\. Fix: write it with: esc open /m);
  for (const old of [["--env-file", envFile], [`--env-file=${envFile}`]]) {
    const run = await npmRunCheck(["--stack", "dev", ...old]);
    t.is(run.code, 2, run.stderr);
    t.regex(run.stderr, /^error: --env-file is Node's own option .*so the check's flag is --esc-env-file; the file was not read\. Fix: pass --esc-env-file <file> instead of --env-file <file>\./m);
  }
  t.false(existsSync(marker), "x.js ran: Node read the env file");

  const missing = await npmRunCheck(["--stack", "dev", "--env-file", join(dir, "missing.env")]);
  t.is(missing.code, 2, `not Node's exit 9: ${missing.stderr}`);
  t.notRegex(missing.stderr, /^node: /m);
});

test("--esc-env-file on a FIFO or /dev/zero, through npm run check: exit 2 at once from the bounded reader", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-node-env-file-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, "env.fifo");
  execFileSync("mkfifo", [fifo]);
  for (const [file, refusal] of [
    [fifo, /is a FIFO \(named pipe\), not a regular file/],
    ["/dev/zero", /is a character device, not a regular file/],
  ] as const) {
    for (const flag of ["--esc-env-file", "--env-file"]) {
      const started = Date.now();
      const run = await npmRunCheck(["--stack", "dev", flag, file]);
      t.is(run.code, 2, run.stderr);
      if (flag === "--esc-env-file") t.regex(run.stderr, new RegExp(`^error: --esc-env-file ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} ${refusal.source}`, "m"));
      else t.regex(run.stderr, /the check's flag is --esc-env-file; the file was not read/);
      t.true(Date.now() - started < 30_000 * timeScale(), `${flag} ${file} took ${Date.now() - started} ms`);
    }
  }
});
