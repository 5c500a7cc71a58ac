/**
 * `npm run check` runs the build in policies/bin (scripts/cli.js), not TypeScript through tsx; a source newer than
 * the build is rebuilt first, so an edit or a `git pull` never runs stale code. Exercised in a copy of the project,
 * so the rebuild never touches the build that other tests' packs run from.
 */
import test from "ava";
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runNode, type CliRun } from "../helpers/checkCli";

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

test("an unknown command is refused with the usage, exit 2", async (t) => {
  const run = await runScript(REPO, ["frobnicate"]);
  t.is(run.code, 2);
  t.regex(run.stderr, /usage: node scripts\/cli\.js <check\|audit>/);
});
