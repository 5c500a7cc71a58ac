import { join } from "node:path";
import type { ClientCertificate } from "./certificate";
import { runChild, TSX } from "./childProcess";
import { ratioRow, type BenchRow } from "./result";
import { writeBenchStack } from "./stackFiles";
import { formatBytes, formatMs, median } from "./stats";

export const PER_CLUSTER_GROWTH_TARGET = 1.5;

export interface ProgramRun {
  readonly ms: number;
  readonly maxRssBytes: number;
  readonly resources: number;
  /** Dependencies carried by every RegisterResource request: what the engine receives. */
  readonly dependencyEdges: number;
  readonly error?: string;
}

export interface ProgramTimes {
  readonly size: number;
  readonly ms: number;
  readonly maxRssBytes: number;
  readonly resources: number;
  readonly dependencyEdges: number;
  readonly runs: number;
}

/** The most dependency edges per cluster the program may send the engine: it must grow linearly with the fleet. */
export const EDGES_PER_CLUSTER_TARGET = 3;

/**
 * The fleet program under Pulumi's mocks, one child process per run (`bench/programChild.ts`), on generated stacks of
 * 1 (the fixed cost: SDK, @pulumi/kubernetes, mocks) and each of `sizes` clusters. The time per cluster is
 * (t(N) − t(1)) / (N − 1); it must not grow from one size to the next. Peak RSS is the child's `maxRSS`.
 */
export async function benchProgram(sizes: readonly number[], runsFor: (size: number) => number, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; times: ProgramTimes[] }> {
  const times: ProgramTimes[] = [];
  for (const size of [1, ...sizes]) {
    const stack = writeBenchStack(size, certificate);
    const runs: ProgramRun[] = [];
    for (let i = 0; i < runsFor(size); i++) runs.push(await runProgramOnce(stack.projectDir, stack.stack));
    times.push({ size, ms: median(runs.map((r) => r.ms)), maxRssBytes: median(runs.map((r) => r.maxRssBytes)), resources: runs[0]!.resources, dependencyEdges: runs[0]!.dependencyEdges, runs: runs.length });
  }
  return { rows: programRows(times), times };
}

export function programRows(times: readonly ProgramTimes[]): BenchRow[] {
  const fixed = times.find((t) => t.size === 1);
  if (!fixed) throw new Error("the program benchmark needs the 1-cluster run");
  const perCluster = (t: ProgramTimes) => Math.max(t.ms - fixed.ms, 0) / (t.size - 1);
  const rows: BenchRow[] = [];
  const sized = times.filter((t) => t.size > 1);
  sized.forEach((t, i) => {
    const label = `${t.size.toLocaleString("en-US")} clusters (${t.resources.toLocaleString("en-US")} registrations, median of ${t.runs})`;
    rows.push(ratioRow({ measure: "Program under mocks, wall time", size: label, value: formatMs(t.ms), baseline: `${formatMs(fixed.ms)} (1 cluster: fixed cost)` }, t.ms / fixed.ms));
    const previous = sized[i - 1];
    // A per-cluster share at or below zero is the fixed cost's noise (a 10-cluster run faster than the 1-cluster one).
    if (previous && perCluster(previous) > 0) {
      rows.push(
        ratioRow(
          {
            measure: "Program under mocks, time per cluster (t(N) − t(1)) / (N − 1)",
            size: `${t.size.toLocaleString("en-US")} clusters`,
            value: formatMs(perCluster(t)),
            baseline: `${formatMs(perCluster(previous))} (${previous.size.toLocaleString("en-US")} clusters)`,
          },
          perCluster(t) / perCluster(previous),
          // At 10 clusters the per-cluster share is within the fixed cost's noise: only larger sizes are judged.
          previous.size >= 100 ? PER_CLUSTER_GROWTH_TARGET : undefined,
        ),
      );
    }
    rows.push(
      ratioRow(
        {
          measure: "Program under mocks, dependency edges sent to the engine, per cluster",
          size: `${t.size.toLocaleString("en-US")} clusters`,
          value: t.dependencyEdges.toLocaleString("en-US"),
          baseline: `${t.size.toLocaleString("en-US")} clusters`,
        },
        t.dependencyEdges / t.size,
        EDGES_PER_CLUSTER_TARGET,
      ),
    );
    rows.push(
      ratioRow(
        { measure: "Program under mocks, peak RSS", size: `${t.size.toLocaleString("en-US")} clusters`, value: formatBytes(t.maxRssBytes), baseline: `${formatBytes(fixed.maxRssBytes)} (1 cluster)` },
        t.maxRssBytes / fixed.maxRssBytes,
      ),
    );
  });
  return rows;
}

/** One run of the fleet program under mocks, in a child process, on the bench stack `stack` in `projectDir`. */
export async function runProgramOnce(projectDir: string, stack: string): Promise<ProgramRun> {
  const run = await runChild(TSX, [join(__dirname, "programChild.ts"), projectDir, stack]);
  const line = run.stdout.trim().split("\n").pop() ?? "";
  if (run.code !== 0 || !line.startsWith("{")) throw new Error(`program under mocks (stack ${stack}) failed with code ${run.code}: ${run.stderr.trim().split("\n").slice(-5).join("\n")}`);
  const result = JSON.parse(line) as ProgramRun;
  if (result.error) throw new Error(`program under mocks (stack ${stack}) reported an error: ${result.error}`);
  return result;
}
