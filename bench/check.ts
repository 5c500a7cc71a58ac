import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ClientCertificate } from "./certificate";
import { runChild, type ChildRun } from "./childProcess";
import { benchDir } from "./paths";
import { PREVIOUS_CHECK_COMMIT, previousCheckTree } from "./previousCheck";
import { ratioRow, type BenchRow } from "./result";
import { writeBenchStack } from "./stackFiles";
import { formatBytes, formatMs, median } from "./stats";

/** `npm run check` as a user types it. */
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Issue 11's targets: the dev stack within 2.5× the SDK-load floor; 1,000 clusters in 12 s and 0.4× the previous path. */
export const DEV_FLOOR_TARGET = 2.5;
export const LARGE_SECONDS_TARGET = 12;
export const LARGE_PREVIOUS_TARGET = 0.4;

/** What the floor process runs: the two SDKs every check loads, and nothing else. */
export const FLOOR_SCRIPT = "require('@pulumi/pulumi'); require('@pulumi/kubernetes');";

export interface CheckTimes {
  readonly label: string;
  readonly ms: number;
  readonly runs: number;
}

/** One timed check with the peak RSS of the check process and of its policy pack (when the preload saw them). */
interface CheckRun {
  readonly ms: number;
  readonly checkRssBytes?: number;
  readonly packRssBytes?: number;
}

/**
 * The offline check end to end, process start to exit:
 * - `npm run check -- --stack dev`, exactly as the README runs it, against the floor "node loads @pulumi/pulumi and
 *   @pulumi/kubernetes and exits" (rounds alternate, so both see the same load);
 * - a generated stack of `largeSize` clusters with its live snapshot (`--project-dir`, `--live`, `--json`), against
 *   the fixed bound and against the previous path (commit `PREVIOUS_CHECK_COMMIT` run from git history, tsx and all)
 *   in the same run; with the peak RSS of the check process and of the pack.
 */
export async function benchCheck(largeSize: number, runs: { small: number; large: number }, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; times: CheckTimes[] }> {
  const floorMs: number[] = [];
  const devMs: number[] = [];
  for (let i = 0; i < runs.small; i++) {
    floorMs.push(finished(await runChild(process.execPath, ["-e", FLOOR_SCRIPT]), "node loading the SDKs", () => true).ms);
    devMs.push(await devCheckMs());
  }
  const floor = median(floorMs);
  const dev = median(devMs);
  const rows: BenchRow[] = [
    ratioRow(
      {
        measure: `Offline check end to end, \`npm run check -- --stack dev\` as the README runs it (median of ${runs.small})`,
        size: "stack dev (3 clusters)",
        value: formatMs(dev),
        baseline: `${formatMs(floor)} (node loads @pulumi/pulumi and @pulumi/kubernetes, exits)`,
      },
      dev / floor,
      DEV_FLOOR_TARGET,
    ),
  ];
  const times: CheckTimes[] = [
    { label: "floor", ms: floor, runs: runs.small },
    { label: "dev", ms: dev, runs: runs.small },
  ];

  const stack = writeBenchStack(largeSize, certificate);
  const args = ["--stack", stack.stack, "--project-dir", stack.projectDir, "--live", stack.liveDir, "--json"];
  const size = `${largeSize.toLocaleString("en-US")} clusters, --live`;
  const large = await medianRun(runs.large, () => timedCheck(args), `npm run check on ${largeSize} clusters`);
  times.push({ label: `${largeSize}`, ms: large.ms, runs: runs.large });
  let previous: CheckRun | undefined;
  let previousWhy = "";
  try {
    const tree = previousCheckTree();
    previous = await medianRun(runs.large, () => timedCheck(args, tree), `the previous check on ${largeSize} clusters`);
    times.push({ label: `${largeSize} previous`, ms: previous.ms, runs: runs.large });
  } catch (error) {
    previousWhy = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
  }
  const previousName = `previous path, commit ${PREVIOUS_CHECK_COMMIT.slice(0, 7)}: tsx, pack after the program, one Analyze at a time`;
  const limitMs = LARGE_SECONDS_TARGET * 1000;
  rows.push({
    measure: `Offline check end to end, 1,000-cluster bound (median of ${runs.large})`,
    size,
    value: formatMs(large.ms),
    baseline: `${formatMs(limitMs)} (the bound)`,
    ratio: large.ms / limitMs,
    target: `≤ ${LARGE_SECONDS_TARGET} s`,
    pass: large.ms <= limitMs,
  });
  rows.push(
    previous
      ? ratioRow({ measure: `Offline check end to end vs the previous path (median of ${runs.large})`, size, value: formatMs(large.ms), baseline: `${formatMs(previous.ms)} (${previousName})` }, large.ms / previous.ms, LARGE_PREVIOUS_TARGET)
      : { measure: "Offline check end to end vs the previous path", size, value: formatMs(large.ms), baseline: `not measured: ${previousWhy}` },
  );
  if (large.checkRssBytes !== undefined) {
    const baseline = previous?.checkRssBytes;
    const row = { measure: "Offline check, peak RSS of the check process", size, value: formatBytes(large.checkRssBytes), baseline: baseline === undefined ? "—" : `${formatBytes(baseline)} (previous path)` };
    rows.push(baseline === undefined ? row : ratioRow(row, large.checkRssBytes / baseline));
  }
  if (large.packRssBytes !== undefined) {
    const baseline = previous?.packRssBytes;
    const row = { measure: "Offline check, peak RSS of its policy pack process", size, value: formatBytes(large.packRssBytes), baseline: baseline === undefined ? "—" : `${formatBytes(baseline)} (previous path)` };
    rows.push(baseline === undefined ? row : ratioRow(row, large.packRssBytes / baseline));
  }
  return { rows, times };
}

/** `npm run --silent check -- <args>` in `cwd` (default this repo), timed, with each process's peak RSS recorded. */
async function timedCheck(args: readonly string[], cwd?: string): Promise<CheckRun> {
  const dir = benchDir("check");
  const rssFile = join(dir, "max-rss.jsonl");
  rmSync(rssFile, { force: true });
  const preload = join(__dirname, "recordMaxRss.js");
  const env = { ...process.env, NO_COLOR: "1", BENCH_MAX_RSS_FILE: rssFile, NODE_OPTIONS: `${process.env["NODE_OPTIONS"] ?? ""} --require ${preload}`.trim() };
  // stdout to a file: the report of a large fleet is bigger than a pipe's buffer (see RunChildOptions.stdoutFile).
  const run = await runChild(NPM, ["run", "--silent", "check", "--", ...args], { env, stdoutFile: join(dir, "report.json"), ...(cwd ? { cwd } : {}) });
  finished(run, `npm run check ${args.slice(0, 2).join(" ")}${cwd ? ` in ${cwd}` : ""}`, isJson);
  const processes = existsSync(rssFile)
    ? readFileSync(rssFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { argv: string[]; maxRssBytes: number })
    : [];
  // The largest of each kind: tsx (the previous path) runs the check in a child of its own small process.
  const largest = (pattern: RegExp) => processes.filter((p) => p.argv.some((a) => pattern.test(a))).sort((a, b) => b.maxRssBytes - a.maxRssBytes)[0];
  const check = largest(/(scripts[/\\]cli\.js|cli[/\\]check\.[jt]s)$/);
  const pack = largest(/run-policy-pack$/);
  return { ms: run.ms, ...(check ? { checkRssBytes: check.maxRssBytes } : {}), ...(pack ? { packRssBytes: pack.maxRssBytes } : {}) };
}

/** `npm run check -- --stack dev` as the README runs it, spawn to exit, in milliseconds; throws when it printed no report. */
export async function devCheckMs(): Promise<number> {
  return finished(await runChild(NPM, ["run", "check", "--", "--stack", "dev"], { env: { ...process.env, NO_COLOR: "1" } }), "npm run check -- --stack dev", isTextReport).ms;
}

async function medianRun(runs: number, run: () => Promise<CheckRun>, what: string): Promise<CheckRun> {
  const samples: CheckRun[] = [];
  for (let i = 0; i < runs; i++) samples.push(await run());
  if (samples.length === 0) throw new Error(`${what}: no runs`);
  const ms = median(samples.map((s) => s.ms));
  return samples.find((s) => s.ms === ms) ?? { ...samples[0]!, ms };
}

/** A finished check exits 0 (no mandatory violation) or 1 (one) with its report; anything else is a failure. */
function finished(result: ChildRun, what: string, printedReport: (stdout: string) => boolean): ChildRun {
  if ((result.code !== 0 && result.code !== 1) || !printedReport(result.stdout)) {
    throw new Error(`${what} exited with code ${result.code} without its report: ${result.stderr.trim().split("\n").slice(-3).join(" ")}`);
  }
  return result;
}

/** The text report ends with the verdict line (a crash also exits 1, but prints none). */
function isTextReport(text: string): boolean {
  return /pulumi preview --policy-pack policies would (let|block)/.test(text);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
