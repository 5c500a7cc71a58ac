/**
 * `npm run audit`: read every cluster of the fleet live and report its KubeSphere auth settings and violations.
 * Only parses arguments, builds the targets, runs the audit and prints; everything else lives in src/audit.
 */
import { AUDIT_USAGE, parseAuditArgs, type AuditArgs } from "../audit/auditArgs";
import { ClusterState } from "../audit/auditCluster";
import { auditFleet, type FleetAudit } from "../audit/auditFleet";
import { COLOUR, formatJson, formatText, PLAIN } from "../audit/format";
import { writeMetricsFile } from "../audit/metricsFile";
import { printableLines } from "../input/printable";
import type { AuditPlan } from "../audit/targets";
import { existingClusterSnapshot, prepareSnapshotFolder, removeUnusedSnapshotFolder, SNAPSHOT_FILE_MODE, writeClusterSnapshot } from "../snapshot/writeSnapshot";
import { ExitCode, InputError, unexpected } from "./exitCodes";
import { outputFileProblem } from "./outputPath";
import { defaultProjectDir } from "./projectDir";

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, isTty: boolean): Promise<{ code: ExitCode; stdout: string; stderr: string }> {
  const args = parseAuditArgs(argv, { projectDir: defaultProjectDir(), isTty, env });
  if (args === "help") return { code: ExitCode.healthy, stdout: AUDIT_USAGE + "\n", stderr: "" };
  const plan = planOf(args, env);
  // Checked before the clusters are read; the report is still printed, and the exit code says the file is missing.
  let metricsProblem = args.metrics ? outputFileProblem(args.metrics.flag, args.metrics.file) : undefined;
  // Made (and proved writable) before the clusters are read: a folder that cannot be made is bad input at once.
  const createdFolder = args.save ? prepareSnapshotFolder(args.save) : undefined;
  const now = new Date();
  const audit = await auditFleet(plan.targets, {
    names: plan.names,
    timeoutMs: args.timeoutMs,
    concurrency: args.concurrency,
    rules: {
      now,
      certificateExpiryWindowDays: args.expiryWindowDays,
      ...(plan.expectedJwtSecretFingerprint ? { expectedJwtSecretFingerprint: plan.expectedJwtSecretFingerprint } : {}),
      ...(plan.declaredJwtSecretFingerprint ? { declaredJwtSecretFingerprint: plan.declaredJwtSecretFingerprint } : {}),
    },
  });
  const saved = args.save ? save(args.save, audit) : undefined;
  if (saved && saved.clusters.length === 0) removeUnusedSnapshotFolder(saved.dir, createdFolder);
  if (args.metrics && !metricsProblem) metricsProblem = writeMetricsFile(args.metrics.flag, args.metrics.file, audit, { fleet: args.metrics.fleet, now, maxBytes: args.maxFileBytes });
  const metrics = args.metrics && !metricsProblem ? args.metrics.file : undefined;
  let stdout: string;
  if (args.json) {
    const document = JSON.parse(formatJson(audit)) as Record<string, unknown>;
    if (saved) document["snapshot"] = saved;
    if (metrics) document["prometheusTextfile"] = metrics;
    stdout = JSON.stringify(document, null, 2) + "\n";
  } else {
    stdout = formatText(audit, args.colour ? COLOUR : PLAIN);
    if (saved) {
      const stack = args.source.kind === "stack" ? args.source.stack : "<name>";
      const mode = SNAPSHOT_FILE_MODE.toString(8).padStart(4, "0");
      stdout +=
        saved.clusters.length === 0
          ? `No snapshot written: no cluster could be read, so nothing was saved to ${saved.dir}${createdFolder ? " (the folder made for it was removed again)" : ""}.\n`
          : `Snapshot of ${saved.clusters.length} cluster${saved.clusters.length === 1 ? "" : "s"} written to ${saved.dir} (files ${mode}); ` +
            `check it with \`npm run check -- --stack ${stack} --live ${saved.dir}\`.\n`;
      for (const name of saved.stale) stdout += `The folder of '${name}' in ${saved.dir} is from an earlier run: '${name}' could not be read now.\n`;
    }
    if (metrics) stdout += `Metrics of fleet '${args.metrics!.fleet}' written to ${metrics} (0644, Prometheus text format for node_exporter's textfile collector).\n`;
  }
  if (metricsProblem) return { code: ExitCode.badInput, stdout, stderr: `audit: ${metricsProblem}\n` };
  return { code: audit.healthy ? ExitCode.healthy : ExitCode.violation, stdout, stderr: "" };
}

function planOf(args: AuditArgs, env: NodeJS.ProcessEnv): AuditPlan {
  const source = args.source;
  const limits = { maxBytes: args.maxFileBytes, raiseWith: "--max-file-mib <MiB>" };
  const { targetsFromKubeconfig, targetsFromStack } = kubeconfigTargets();
  if (source.kind === "stack") return targetsFromStack(source.projectDir, source.stack, env, limits);
  return targetsFromKubeconfig(source.file, source.contexts, { namespace: source.namespace, configMap: source.configMap }, env, limits);
}

/** The audit's own install line for the optional peer dependency, with the range package.json gives it. */
export const CLIENT_NODE_MISSING =
  "the live audit reads clusters through @kubernetes/client-node, an optional peer dependency of kubesphere-fleet that is not installed here " +
  "(the component, the policy pack and the check do not need it). Fix: npm install @kubernetes/client-node@^1.4.0 beside kubesphere-fleet, " +
  "or run npx -p kubesphere-fleet -p @kubernetes/client-node@^1.4.0 -- kubesphere-fleet audit …";

/**
 * The kubeconfig readers (src/audit/targets), loaded when an audit runs rather than with the CLI: they load
 * @kubernetes/client-node, an optional peer dependency (57 MB that component users do not install), so `--help` and
 * bad arguments answer without it, and its absence is bad input with the install line.
 */
function kubeconfigTargets(): typeof import("../audit/targets") {
  try {
    return require("../audit/targets") as typeof import("../audit/targets");
  } catch (error) {
    const missing = error as NodeJS.ErrnoException;
    if (missing.code === "MODULE_NOT_FOUND" && /['"]@kubernetes\/client-node['"]/.test(missing.message)) throw new InputError(CLIENT_NODE_MISSING);
    throw error;
  }
}

/**
 * Writes the snapshot of every cluster that was read. A cluster that could not be read gets no new folder; an
 * older folder of it is left alone but named in `stale`, so nobody mistakes it for this run's state.
 */
function save(dir: string, audit: FleetAudit): { dir: string; clusters: string[]; stale: string[] } {
  const clusters: string[] = [];
  const stale: string[] = [];
  try {
    for (const cluster of audit.clusters) {
      if (cluster.state !== ClusterState.read) {
        if (existingClusterSnapshot(dir, cluster.target.name)) stale.push(cluster.target.name);
        continue;
      }
      writeClusterSnapshot(dir, cluster.target.name, cluster.objects);
      clusters.push(cluster.target.name);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new InputError(`--save ${dir} cannot be written (${code}). Fix: give a folder you can write to.`);
  }
  return { dir, clusters, stale };
}

/**
 * `main` with the CLI's error contract: bad input becomes exit 2 and one line on stderr, any other error exit 1
 * with its first line only; never a stack trace, which could quote kubeconfig content.
 */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv, isTty: boolean): Promise<{ code: ExitCode; stdout: string; stderr: string }> {
  try {
    return await main(argv, env, isTty);
  } catch (error) {
    if (error instanceof InputError) return { code: ExitCode.badInput, stdout: "", stderr: `audit: ${error.message}\n` };
    return { code: ExitCode.violation, stdout: "", stderr: `audit: internal error: ${unexpected(error, argv.includes("--debug"))}\n` };
  }
}

/** Runs the audit as a command: prints, then exits with its code. */
export function cli(argv: readonly string[]): void {
  void run(argv, process.env, Boolean(process.stdout.isTTY)).then(({ code, stdout, stderr }) => {
    // Errors may name what a file holds (a context, a key): control characters are escaped, as in the report.
    if (stderr) process.stderr.write(printableLines(stderr));
    // Exit once stdout is flushed: client-node's keep-alive sockets would otherwise hold the process open.
    process.stdout.write(stdout, () => process.exit(code));
  });
}

if (require.main === module) cli(process.argv.slice(2));
