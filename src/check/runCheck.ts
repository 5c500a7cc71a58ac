import { InputError } from "../cli/exitCodes";
import { POLICY_PACK_DIR } from "../cli/projectDir";
import { formatConfigError, validateFleetConfig, type FleetConfigInput } from "../config/validateFleetConfig";
import type { FleetDeclaration } from "../config/fleetDeclaration";
import { launchPolicyPack, type PolicyPackSession } from "../engine";
import { readPolicyPackConfig } from "../input/policyPackConfig";
import { runFleetUnderMocks, stackConfigOf } from "../mocks/runUnderMocks";
import { RESTART_ANNOTATION_PATH } from "../program/clusterPlan";
import { KUBERNETES_PROVIDER_TYPE, type RecordedResource } from "../mocks/kubernetesMocks";
import { clusterViewFromObjects, type KubernetesObject } from "../model/kubernetesObjects";
import { isPlainObject } from "../model/lookup";
import { UNKNOWN_VALUE } from "../model/unknownValue";
import { readLiveSnapshot } from "./liveSnapshot";
import { PackAnalysis } from "./packAnalysis";
import { planRotation } from "./rotation";
import { planCluster, type DeclaredResource } from "./plan";
import type { CheckReport, Violation } from "./report";
import { readStackConfig, type FileLimits } from "./stackFile";
import { EngineResourceBuilder, plainProperties } from "./toEngineResources";

export interface CheckOptions {
  readonly stack: string;
  readonly projectDir: string;
  readonly liveDir: string;
  readonly policyPackConfig?: string;
  /** The policy pack to run; default `<repo>/policies`. */
  readonly packDir?: string;
  /**
   * The pack of `packDir`, already spawned (`launchPolicyPack(…).ready`): the CLI spawns it before it loads the
   * Pulumi SDK. `runCheck` stops it when done. Default: `runCheck` spawns it first thing.
   */
  readonly pack?: Promise<PolicyPackSession>;
  readonly env?: NodeJS.ProcessEnv;
  /** The size limit of every file read (default 8 MiB each) and how the user raises it. */
  readonly fileLimits?: FileLimits;
  /** Progress for large fleets (stderr in the CLI). */
  readonly progress?: (message: string) => void;
}

export const DEFAULT_PACK_DIR = POLICY_PACK_DIR;

/**
 * The offline check: the program under Pulumi's mock runtime with the stack's config, reads answered from the live
 * snapshot, and every declared resource through the policy pack over the engine protocol, as a preview does:
 * `Analyze` as each resource registers, then `AnalyzeStack`. The pack process starts first and loads its SDK while
 * this one runs the program. Throws `InputError` for bad input. Runs the program once: Pulumi's mocks are
 * process-global.
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const progress = options.progress ?? (() => undefined);
  const analysis = new PackAnalysis({
    pack: options.pack ?? (await launchPolicyPack(options.packDir ?? DEFAULT_PACK_DIR)).ready,
    config: (info) => (options.policyPackConfig ? readPolicyPackConfig(options.policyPackConfig, info.policies, options.fileLimits) : {}),
    progress,
  });
  try {
    return await checkWith(analysis, options, progress);
  } finally {
    await analysis.close();
  }
}

async function checkWith(analysis: PackAnalysis, options: CheckOptions, progress: (message: string) => void): Promise<CheckReport> {
  const limits = options.fileLimits ?? {};
  const stackConfig = readStackConfig(options.projectDir, options.stack, options.env ?? process.env, limits);
  const notes: string[] = [];
  // A secure value not decrypted here is a preview unknown to the program and the pack: never a false verdict.
  const input = unknownForSecure(stackConfig.values) as Record<string, unknown>;
  if (stackConfig.undecrypted.length > 0) {
    notes.push(
      `${stackConfig.undecrypted.join(", ")} ${stackConfig.undecrypted.length === 1 ? "is a secure value" : "are secure values"} that could not be decrypted ` +
        `(${stackConfig.undecryptedReason}); what depends on ${stackConfig.undecrypted.length === 1 ? "it" : "them"} is shown as unknown and not compared.`,
    );
  }
  const validation = validateFleetConfig(input as FleetConfigInput, { stack: options.stack, projectRoot: options.projectDir, limits });
  if (!validation.fleet) {
    throw new InputError(`${stackConfig.file} has ${validation.errors.length} problem(s):\n${validation.errors.map((e) => `- ${formatConfigError(e)}`).join("\n")}`);
  }
  const fleet = validation.fleet;
  const live = readLiveSnapshot(options.liveDir, limits);
  const missing = fleet.clusters.filter((c) => !live.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new InputError(
      `--live ${options.liveDir} has no folder for ${missing.map((m) => `'${m}'`).join(", ")}. ` +
        `Save one with \`npm run audit -- --stack ${options.stack} --save ${options.liveDir}\`.`,
    );
  }

  progress(`Running the program for ${fleet.clusters.length} clusters under Pulumi's mock runtime, each resource to the policy pack as it registers…`);
  const engine = new EngineResourceBuilder(options.stack);
  const run = await runFleetUnderMocks({
    stack: options.stack,
    config: stackConfigOf(input as FleetConfigInput),
    objects: live,
    projectRoot: options.projectDir,
    preview: true,
    onResource: (recorded) => {
      const resource = engine.add(recorded);
      if (resource) analysis.add(resource);
    },
  });
  if (run.error) throw new InputError(run.error.message);

  progress(`Waiting for the policy pack (${engine.resources.length} resources, then the stack)…`);
  const diagnostics = await analysis.finish();
  const violations: Violation[] = diagnostics.map((d) => {
    const cluster = engine.clusterOfUrn.get(d.urn);
    return {
      policy: d.policyName,
      enforcementLevel: d.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
      ...(cluster ? { cluster } : {}),
      message: d.message,
      ...(d.urn ? { urn: d.urn } : {}),
    };
  });

  const clusters = planFleet(fleet, live, run.resources, notes);
  const rotation = planRotation(fleet, clusters, live);
  return {
    stack: options.stack,
    stackFile: stackConfig.file,
    ...(rotation ? { rotation } : {}),
    clusters,
    violations: dedupe(violations),
    notes,
  };
}

function planFleet(fleet: FleetDeclaration, live: ReadonlyMap<string, readonly KubernetesObject[]>, recorded: readonly RecordedResource[], notes: string[]): CheckReport["clusters"] {
  const byCluster = new Map<string, DeclaredResource[]>();
  for (const r of recorded) {
    if (r.read || !r.cluster || r.type === KUBERNETES_PROVIDER_TYPE) continue;
    const list = byCluster.get(r.cluster) ?? [];
    // A restart annotation held at its last applied value restarts nothing.
    list.push({ type: r.type, name: r.name, props: plainProperties(r), held: r.ignoreChanges.includes(RESTART_ANNOTATION_PATH) });
    byCluster.set(r.cluster, list);
  }
  return fleet.clusters.map((cluster) => {
    const objects = live.get(cluster.name) ?? [];
    const liveView = clusterViewFromObjects(cluster.name, objects, { names: fleet.names, declaredRole: cluster.role });
    for (const problem of liveView.apiserver.flatMap((a) => a.problems)) notes.push(`${cluster.name}: live ${problem.source}: ${problem.message}.`);
    for (const problem of liveView.settings.flatMap((s) => s.problems)) {
      notes.push(`${cluster.name}: live ${problem.source}: ${problem.message}${cluster.mode === "installer" ? " (ks-installer re-renders it from the ClusterConfiguration)" : ""}.`);
    }
    return planCluster({ name: cluster.name, role: cluster.role, version: cluster.version, mode: cluster.mode }, liveView, byCluster.get(cluster.name) ?? [], objects, fleet.names);
  });
}

/** The config with every `{ secure: … }` left undecrypted replaced by Pulumi's unknown. */
function unknownForSecure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unknownForSecure);
  if (isPlainObject(value)) {
    if (typeof value["secure"] === "string" && Object.keys(value).length === 1) return UNKNOWN_VALUE;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownForSecure(v)]));
  }
  return value;
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.policy}\0${v.cluster ?? ""}\0${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
