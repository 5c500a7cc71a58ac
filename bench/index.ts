/**
 * `npm run bench`: measures the policy pack, the program under mocks and the offline check, each against a
 * baseline taken in the same run, and writes BENCHMARKS.md. Options:
 *   --quick         tiny sizes and single runs, to try the harness (writes .bench-tmp/BENCHMARKS.quick.md)
 *   --only <list>   comma-separated sections: start, analyze, program, check, preview
 *   --out <file>    where to write the report
 * Not a test: nothing here asserts; a missed target is a FAIL row, and the AnalyzeStack one gets a CPU profile.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { benchAnalyze } from "./analyze";
import { benchAnalyzeStack, FLOOR_RATIO_AT } from "./analyzeStack";
import { makeClientCertificate } from "./certificate";
import { benchCheck } from "./check";
import { PREVIOUS_CHECK_COMMIT } from "./previousCheck";
import { machineLine } from "./machine";
import { benchPackStart } from "./packStart";
import { benchPreview } from "./preview";
import { BENCH_TMP, REPO_ROOT } from "./paths";
import { hotAreas, profileAnalyzeStack } from "./profile";
import { benchProgram } from "./program";
import { renderReport } from "./report";
import type { BenchRow } from "./result";
import { formatMs } from "./stats";

const SECTIONS = ["start", "analyze", "program", "check", "preview"] as const;
type Section = (typeof SECTIONS)[number];

export interface BenchPlan {
  readonly startRuns: number;
  readonly analyzeSizes: readonly number[];
  readonly analyzeRuns: number;
  readonly programSizes: readonly number[];
  readonly programRuns: (size: number) => number;
  readonly checkSize: number;
  readonly checkRuns: { small: number; large: number };
  readonly profileSize: number;
  /** Rounds of the real `pulumi preview` against the offline check. */
  readonly previewRuns: number;
}

export const FULL_PLAN: BenchPlan = {
  startRuns: 9,
  analyzeSizes: [10, 100, 1000, 5000],
  analyzeRuns: 5,
  // 5,000: the component with every restart depending on every patch took 151 s and 2.75 GB there.
  programSizes: [10, 100, 1000, 5000],
  programRuns: (size) => (size >= 1000 ? 1 : 3),
  checkSize: 1000,
  checkRuns: { small: 5, large: 1 },
  profileSize: 1000,
  previewRuns: 3,
};

export const QUICK_PLAN: BenchPlan = {
  startRuns: 1,
  analyzeSizes: [2, 5],
  analyzeRuns: 1,
  programSizes: [2, 5],
  programRuns: () => 1,
  checkSize: 5,
  checkRuns: { small: 1, large: 1 },
  profileSize: 5,
  previewRuns: 1,
};

export interface BenchOptions {
  readonly plan: BenchPlan;
  readonly sections: readonly Section[];
  readonly out: string;
  readonly command: string;
  readonly log: (line: string) => void;
}

/** Runs the chosen sections and writes the report. A section that cannot run becomes a row saying why. */
export async function runBench(options: BenchOptions): Promise<{ rows: BenchRow[]; markdown: string }> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const { plan, log } = options;
  const certificate = makeClientCertificate();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const section = async (name: Section, title: string, run: () => Promise<BenchRow[]>) => {
    if (!options.sections.includes(name)) return;
    log(`${title} …`);
    const sectionStart = Date.now();
    try {
      const sectionRows = await run();
      rows.push(...sectionRows);
      for (const row of sectionRows) log(`  ${row.size}: ${row.value} vs ${row.baseline}${row.ratio === undefined ? "" : ` = ${row.ratio.toFixed(2)}×`}${row.pass === false ? " FAIL" : ""}`);
    } catch (error) {
      const why = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
      log(`  not measured: ${why}`);
      rows.push({ measure: title, size: "—", value: "not measured", baseline: why });
    }
    log(`  (${formatMs(Date.now() - sectionStart)})`);
  };

  await section("start", "Policy pack cold start", () => benchPackStart(plan.startRuns));
  await section("analyze", "AnalyzeStack", async () => {
    const { rows: analyzeRows } = await benchAnalyzeStack(plan.analyzeSizes, plan.analyzeRuns, certificate);
    if (analyzeRows.some((r) => r.pass === false)) {
      log(`  profiling the real pack on ${plan.profileSize} clusters …`);
      const { file, hot } = await profileAnalyzeStack(plan.profileSize, certificate);
      notes.push(profileNote(plan.profileSize, relative(REPO_ROOT, file), hot));
    }
    // The engine also calls Analyze on every resource before AnalyzeStack: the per-resource rules' work shows there.
    const perResourceSizes = plan.analyzeSizes.filter((size) => size <= FLOOR_RATIO_AT);
    return [...analyzeRows, ...(await benchAnalyze(perResourceSizes, plan.analyzeRuns > 1 ? 3 : 1, certificate)).rows];
  });
  await section("program", "Program under mocks", async () => (await benchProgram(plan.programSizes, plan.programRuns, certificate)).rows);
  await section("check", "Offline check", async () => (await benchCheck(plan.checkSize, plan.checkRuns, certificate)).rows);
  await section("preview", "Real pulumi preview vs the offline check", () => benchPreview(plan.previewRuns));

  const markdown = renderReport({ rows, machine: machineLine(loadAtStart), command: options.command, date: new Date(), totalMs: Date.now() - started, notes: [BASELINES_NOTE, ...notes] });
  writeFileSync(options.out, markdown);
  log(`wrote ${relative(REPO_ROOT, options.out) || options.out} (${formatMs(Date.now() - started)})`);
  return { rows, markdown };
}

/** What each baseline is, so a ratio can be read without the source. */
export const BASELINES_NOTE = `## Baselines

- **Cold start**: \`node node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine> <pack>\` with cwd = the pack, spawn until
  the port is printed; the baseline is a one-policy pack, precompiled JS on the same node_modules (\`.bench-tmp/packs/one-policy\`).
- **AnalyzeStack**: a compliant fleet generated from the shared fixtures (one 3.4 host, members alternating 3.4 and
  4.1, each with its own \`multicluster.clusterName\`, one openssl client certificate in every kubeconfig). Per
  cluster: the provider (kubeconfig, secret), ConfigMapPatch kubesphere-config, on 3.4 a ClusterConfiguration patch,
  a DeploymentPatch of ks-apiserver; each resource carries its provider as the engine attaches it. The request is
  encoded once; every call is the first one of a fresh pack process (pack start-up not timed). The engine calls
  Analyze on every resource first, in the same process; that is left out here, so the pack gets no warm-up and a
  cache kept across calls buys nothing. Rounds alternate between the packs. The **floor pack** has
  one stack policy that reads every property of every resource. The floor pack with the real pack's number of stack
  policies shows what the policy SDK itself adds: it deserializes the whole stack again for every stack policy. The
  **parse floor** is the floor pack that also parses each kubesphere.yaml and kubeconfig once with \`yaml\`: the least
  one stack policy judging all of them would do. The real pack judges kubeconfigs and each object's own settings per
  resource (Analyze) instead.
- **Analyze**: the same fleet, one Analyze call per resource in order, on a fresh pack process per round (requests
  encoded beforehand); the **resource floor pack** has one resource policy that reads every property of the resource
  and of its provider. This is where the real pack judges everything one object decides, before it is applied.
- **CPU time** rows: the same calls measured as the pack process's user + system CPU time (\`/proc/<pid>/stat\`)
  instead of wall time; on a shared machine they show what the pack costs without the scheduler's share. Targets are
  judged on the wall-time rows.
- **Program under mocks**: one child process per run (\`bench/programChild.ts\`), the generated stack's live snapshot
  answering \`.get\`; the 1-cluster run is the fixed cost (SDK, @pulumi/kubernetes, mocks), and the time per cluster
  is (t(N) − t(1)) / (N − 1). Peak RSS is the child's \`process.resourceUsage().maxRSS\`.
- **Offline check**: \`npm run check -- --stack dev\` exactly as the README runs it, from spawn to exit, against the floor
  \`node -e "require('@pulumi/pulumi'); require('@pulumi/kubernetes')"\` (the two SDKs every check loads), rounds
  alternating. The 1,000-cluster stack is generated under \`.bench-tmp/fleet-1000\` and checked with \`--project-dir\`,
  \`--live\` and \`--json\`, against the 12 s bound and against the previous path: the check of commit
  \`${PREVIOUS_CHECK_COMMIT.slice(0, 7)}\` (tsx at every start, the pack started after the program, one Analyze at a
  time), extracted from git history into \`.bench-tmp/previous-check\` and run the same way in the same run. Peak RSS
  per process comes from a preload (\`bench/recordMaxRss.js\`, \`NODE_OPTIONS=--require\`).
- **Real preview**: what a user would otherwise run, \`pulumi preview --policy-pack policies\` of stack dev with the real
  Pulumi CLI and Kubernetes provider (\`npm run real-tools\`), against one real kube-apiserver + etcd per cluster of
  \`stacks/Pulumi.dev.yaml\` holding KubeSphere's objects as the installers leave them (a file backend, a passphrase, no
  network), timed spawn to exit against \`npm run check -- --stack dev\`, rounds alternating; starting the servers is
  not timed. Without the real tools the row says not measured and why.`;

function profileNote(size: number, file: string, hot: Awaited<ReturnType<typeof profileAnalyzeStack>>["hot"]): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  return [
    `## Profile: AnalyzeStack on ${size} clusters, real pack (a target above was missed)`,
    "",
    `One call, pack start-up excluded; V8 CPU profile in \`${file}\` (open in Chrome DevTools). Self time by area:`,
    "",
    "| Area | Self time | Share |",
    "| --- | --- | --- |",
    ...hotAreas(hot).slice(0, 10).map((a) => `| ${a.area} | ${formatMs(a.selfMs)} | ${pct(a.share)} |`),
    "",
    "Hottest functions:",
    "",
    "| Function | Where | Self time | Share |",
    "| --- | --- | --- | --- |",
    ...hot.slice(0, 15).map((h) => `| ${h.name} | ${h.where || "—"} | ${formatMs(h.selfMs)} | ${pct(h.share)} |`),
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, only: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const sections = values.only ? values.only.split(",").map((s) => s.trim()) : [...SECTIONS];
  const unknown = sections.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--only ${values.only}: unknown section(s) ${unknown.join(", ")}; use ${SECTIONS.join(", ")}.`);
  const out = values.out ?? (values.quick ? join(BENCH_TMP, "BENCHMARKS.quick.md") : join(REPO_ROOT, "BENCHMARKS.md"));
  const command = ["npm run bench", ...(values.quick || values.only ? ["--", ...(values.quick ? ["--quick"] : []), ...(values.only ? ["--only", values.only] : [])] : [])].join(" ");
  await runBench({ plan: values.quick ? QUICK_PLAN : FULL_PLAN, sections: sections as Section[], out, command, log: (line) => process.stdout.write(`${line}\n`) });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}
