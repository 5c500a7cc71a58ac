import { InputError } from "../cli/exitCodes";
import { POLICY_PACK_DIR } from "../cli/projectDir";
import type { FleetDeclaration } from "../config/fleetDeclaration";
import { runFleetUnderMocks, stackConfigOf } from "../mocks/runUnderMocks";
import { RESTART_ANNOTATION_PATH } from "../program/clusterPlan";
import { KUBERNETES_PROVIDER_TYPE, unwrapSecrets, type RecordedResource } from "../mocks/kubernetesMocks";
import { clusterViewFromObjects, type KubernetesObject } from "../model/kubernetesObjects";
import { readLiveSnapshot } from "./liveSnapshot";
import { AnalysisThread } from "./analysisThread";
import type { Remediation } from "./packAnalysis";
import { readCheckInput, type StackInput } from "./stackInput";
import { planRotation } from "./rotation";
import { planCluster, type DeclaredResource } from "./plan";
import type { CheckReport, Violation } from "./report";
import type { FileLimits } from "./stackFile";
import { EngineResourceBuilder, plainProperties, toStackResources } from "./toEngineResources";
import { liveTargetOf } from "./previewOutputs";
import type { EscEnvironment } from "./escEnvironment";
import type { StackResource } from "../pack/fleetFromResources";
import type { PolicyDiagnostic } from "../engine/analyzerMessages";

export interface CheckOptions {
  readonly stack: string;
  readonly projectDir: string;
  readonly liveDir: string;
  readonly policyPackConfig?: string;
  /** The policy pack to run; default `<repo>/policies`. */
  readonly packDir?: string;
  /**
   * The pack's side, already started for `packDir` (an `AnalysisThread`, not yet configured): the CLI starts it before
   * it loads the Pulumi SDK, so the pack loads its own SDK meanwhile. `runCheck` closes it when done.
   * Default: `runCheck` starts one first thing.
   */
  readonly analysis?: AnalysisThread;
  readonly env?: NodeJS.ProcessEnv;
  /** The size limit of every file read (default 8 MiB each) and how the user raises it. */
  readonly fileLimits?: FileLimits;
  /** Progress for large fleets (stderr in the CLI). */
  readonly progress?: (message: string) => void;
  /** `--esc-env-file`: the opened ESC environment, for the keys a stack file that imports one does not set. */
  readonly escEnvironment?: EscEnvironment;
  /** The stack's config, already read and validated with its snapshot folders (`readCheckInput`): the CLI and the check across stacks read it before they start the pack. */
  readonly input?: StackInput;
}

/** One stack's check, and what the program declared, as the rules read a stack (for the verdicts across stacks). */
export interface StackCheck {
  readonly report: CheckReport;
  /** Built on demand: a single stack's check never needs it. */
  declared(): readonly StackResource[];
}

export const DEFAULT_PACK_DIR = POLICY_PACK_DIR;

/**
 * The offline check: the program under Pulumi's mock runtime with the stack's config, reads answered from the live
 * snapshot, and every declared resource through the policy pack over the engine protocol, as a preview does:
 * `Analyze` as each resource registers, then `AnalyzeStack`. The pack process starts first and loads its SDK while
 * this one runs the program; a thread of its own talks to it (`AnalysisThread`). Throws `InputError` for bad input.
 * Runs the program once: Pulumi's mocks are process-global.
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  return (await checkStack(options)).report;
}

/** `runCheck`, with the resources the program declared. */
export async function checkStack(options: CheckOptions): Promise<StackCheck> {
  const progress = options.progress ?? (() => undefined);
  const analysis = options.analysis ?? new AnalysisThread(options.packDir ?? DEFAULT_PACK_DIR, progress);
  let stack: StackInput;
  try {
    stack = options.input ?? readCheckInput(options);
  } catch (error) {
    await analysis.close();
    throw error;
  }
  analysis.configure({
    stack: options.stack,
    ...(options.policyPackConfig ? { policyPackConfig: options.policyPackConfig } : {}),
    ...(options.fileLimits ? { fileLimits: options.fileLimits } : {}),
    ...(stack.fleet.hostJwtSecretFingerprint ? { hostPin: stack.fleet.hostJwtSecretFingerprint } : {}),
  });
  try {
    return await checkWith(analysis, stack, options, progress);
  } finally {
    await analysis.close();
  }
}

async function checkWith(analysis: Pick<AnalysisThread, "add" | "finish"> & Partial<Pick<AnalysisThread, "notes" | "remediations">>, stack: StackInput, options: CheckOptions, progress: (message: string) => void): Promise<StackCheck> {
  const limits = options.fileLimits ?? {};
  const { stackConfig, input, fleet } = stack;
  const notes = [...stack.notes];
  const live = readLiveSnapshot(options.liveDir, limits);

  progress(`Running the program for ${fleet.clusters.length} clusters under Pulumi's mock runtime, each resource to the policy pack as it registers…`);
  const engine = new EngineResourceBuilder(options.stack);
  const run = await runFleetUnderMocks({
    stack: options.stack,
    config: stackConfigOf(input),
    objects: live,
    projectRoot: options.projectDir,
    preview: true,
    onResource: (recorded) => {
      const resource = engine.add(recorded);
      // With the object it writes, if the snapshot has it: AnalyzeStack gets the outputs the provider would return.
      if (resource) analysis.add(resource, liveTargetOf(resource, recorded.cluster === undefined ? undefined : live.get(recorded.cluster)));
    },
  });
  if (run.error) throw new InputError(run.error.message);

  progress(`Waiting for the policy pack (${engine.resources.length} resources, then the stack)…`);
  const diagnostics = await analysis.finish();
  notes.push(...(analysis.notes ?? []));
  const violations = violationsOf(diagnostics, engine.clusterOfUrn);

  const clusters = planFleet(fleet, live, run.resources, notes, analysis.remediations ?? []);
  const rotation = planRotation(fleet, clusters, live);
  const report: CheckReport = {
    stack: options.stack,
    stackFile: stackConfig.file,
    ...(fleet.hostJwtSecretFingerprint ? { hostJwtSecretFingerprint: fleet.hostJwtSecretFingerprint } : {}),
    ...(rotation ? { rotation } : {}),
    clusters,
    violations: dedupe(violations),
    notes,
  };
  return { report, declared: () => toStackResources(run.resources, options.stack) };
}

/**
 * Each cluster's plan from the resources as `pulumi up` would apply them: a resource a remediation changed is planned
 * with its remediated inputs (the engine applies those), and its plan names the remediations.
 */
export function planFleet(
  fleet: FleetDeclaration,
  live: ReadonlyMap<string, readonly KubernetesObject[]>,
  recorded: readonly RecordedResource[],
  notes: string[],
  remediations: readonly Remediation[],
): CheckReport["clusters"] {
  const byCluster = new Map<string, DeclaredResource[]>();
  const remediationsOf = (r: RecordedResource) => remediations.filter((m) => m.name === r.name && m.urn.endsWith(`${r.type}::${r.name}`));
  const remediated = new Map<string, Remediation[]>();
  for (const r of recorded) {
    if (r.read || !r.cluster || r.type === KUBERNETES_PROVIDER_TYPE) continue;
    const list = byCluster.get(r.cluster) ?? [];
    const applied = remediationsOf(r);
    if (applied.length > 0) remediated.set(`${r.cluster}\0${r.name}`, applied);
    const props = applied.length > 0 ? (unwrapSecrets(applied[applied.length - 1]!.properties) as Record<string, unknown>) : plainProperties(r);
    // A restart annotation held at its last applied value restarts nothing.
    list.push({ type: r.type, name: r.name, props, held: r.ignoreChanges.includes(RESTART_ANNOTATION_PATH) });
    byCluster.set(r.cluster, list);
  }
  return fleet.clusters.map((cluster) => {
    const objects = live.get(cluster.name) ?? [];
    const liveView = clusterViewFromObjects(cluster.name, objects, { names: fleet.names, declaredRole: cluster.role });
    for (const problem of liveView.apiserver.flatMap((a) => a.problems)) notes.push(`${cluster.name}: live ${problem.source}: ${problem.message}.`);
    for (const problem of liveView.settings.flatMap((s) => s.problems)) {
      notes.push(`${cluster.name}: live ${problem.source}: ${problem.message}${cluster.mode === "installer" ? " (ks-installer re-renders it from the ClusterConfiguration)" : ""}.`);
    }
    const plan = planCluster({ name: cluster.name, role: cluster.role, version: cluster.version, mode: cluster.mode }, liveView, byCluster.get(cluster.name) ?? [], objects, fleet.names);
    const resources = plan.resources.map((resource) => {
      const applied = remediated.get(`${cluster.name}\0${resource.name}`);
      return applied ? { ...resource, remediations: applied.map((m) => ({ policy: m.policyName, changed: m.changed })) } : resource;
    });
    return { ...plan, resources };
  });
}

/** The pack's diagnostics as the report's violations, each with the cluster of its resource. */
export function violationsOf(diagnostics: readonly PolicyDiagnostic[], clusterOfUrn: ReadonlyMap<string, string>): Violation[] {
  return diagnostics.map((d) => {
    const cluster = clusterOfUrn.get(d.urn);
    return {
      policy: d.policyName,
      enforcementLevel: d.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
      ...(cluster ? { cluster } : {}),
      message: d.message,
      ...(d.urn ? { urn: d.urn } : {}),
    };
  });
}

export function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.policy}\0${v.cluster ?? ""}\0${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
