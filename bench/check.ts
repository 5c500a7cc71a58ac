import { join } from "node:path";
import type { ClientCertificate } from "./certificate";
import { runChild, TSX, type ChildRun } from "./childProcess";
import { benchDir } from "./paths";
import { ratioRow, type BenchRow } from "./result";
import { writeBenchStack } from "./stackFiles";
import { formatMs, median } from "./stats";

/** `npm run check` as a user types it; `--silent` keeps npm's own banner out of the output. */
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export interface CheckTimes {
  readonly label: string;
  readonly ms: number;
  readonly runs: number;
}

/**
 * The offline check end to end (`npm run check`, process start to exit) on the example stack `dev` and on a
 * generated stack of `largeSize` clusters with its live snapshot (`--project-dir`, `--live`). The floor is a tsx
 * process that runs a one-line script, so the ratio shows what the check adds to starting TypeScript.
 */
export async function benchCheck(largeSize: number, runs: { small: number; large: number }, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; times: CheckTimes[] }> {
  const floor = await medianOf(runs.small, () => runChild(TSX, ["--eval", "process.stdout.write('{}')"]), "tsx --eval");
  const dev = await medianOf(runs.small, () => check(["--stack", "dev", "--json"]), "npm run check -- --stack dev");
  const stack = writeBenchStack(largeSize, certificate);
  const large = await medianOf(runs.large, () => check(["--stack", stack.stack, "--project-dir", stack.projectDir, "--live", stack.liveDir, "--json"]), `npm run check on ${largeSize} clusters`);
  const times = [
    { label: "floor", ms: floor, runs: runs.small },
    { label: "dev", ms: dev, runs: runs.small },
    { label: `${largeSize}`, ms: large, runs: runs.large },
  ];
  const rows = [
    ratioRow(
      { measure: `Offline check end to end (median of ${runs.small})`, size: "stack dev (3 clusters)", value: formatMs(dev), baseline: `${formatMs(floor)} (tsx, one-line script)` },
      dev / floor,
    ),
    ratioRow(
      {
        measure: `Offline check end to end (median of ${runs.large})`,
        size: `${largeSize.toLocaleString("en-US")} clusters, --live`,
        value: formatMs(large),
        baseline: `${formatMs(dev)} (stack dev)`,
      },
      large / dev,
    ),
  ];
  return { rows, times };
}

function check(args: readonly string[]): Promise<ChildRun> {
  // stdout to a file: the report of a large fleet is bigger than a pipe's buffer (see RunChildOptions.stdoutFile).
  return runChild(NPM, ["run", "--silent", "check", "--", ...args], { env: { ...process.env, NO_COLOR: "1" }, stdoutFile: join(benchDir("check"), "report.json") });
}

async function medianOf(runs: number, run: () => Promise<ChildRun>, what: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = await run();
    // 0: no mandatory violation, 1: a mandatory violation; both are a finished check. 2 and others are failures.
    if ((result.code !== 0 && result.code !== 1) || !isJson(result.stdout)) {
      throw new Error(`${what} exited with code ${result.code} without a JSON report: ${result.stderr.trim().split("\n").slice(-3).join(" ")}`);
    }
    samples.push(result.ms);
  }
  return median(samples);
}

/** Whether the check printed its `--json` report (a crash also exits 1, but prints no JSON). */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
