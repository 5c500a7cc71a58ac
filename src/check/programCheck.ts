import { InputError } from "../cli/exitCodes";
import { PROJECT_DIR } from "../cli/projectDir";
import { KUBESPHERE_FLEET_TYPE } from "../component/kubeSphereFleet";
import type { ClusterDeclaration, FleetDeclaration, KubeSphereVersion } from "../config/fleetDeclaration";
import { DEFAULT_KUBESPHERE_NAMES } from "../model/kubernetesObjects";
import { isPlainObject } from "../model/lookup";
import { AnalysisThread } from "./analysisThread";
import { ENV_FILE_FLAG } from "./escEnvironment";
import { liveTargetOf } from "./previewOutputs";
import { DEFAULT_PROGRAM_TIMEOUT_SECONDS, runProgram } from "./programRun";
import { ProgramResourceBuilder } from "./programResources";
import { programWhere } from "./programProject";
import { readProgramInput, type ProgramInput, type ProgramInputOptions } from "./programInput";
import type { CheckReport } from "./report";
import { planRotation } from "./rotation";
import { DEFAULT_PACK_DIR, dedupe, planFleet, violationsOf, type CheckOptions } from "./runCheck";

/** `runCheck`'s options that mean the same here (the pack, its config, the limits, progress), and the program's own. */
export interface ProgramCheckOptions extends Pick<CheckOptions, "stack" | "policyPackConfig" | "packDir" | "analysis" | "env" | "fileLimits" | "progress">, ProgramInputOptions {
  /** The program's input, already read (`readProgramInput`): the CLI reads it before it starts the pack. */
  readonly input?: ProgramInput;
  /** `--program-timeout`, default 120 s. */
  readonly timeoutSeconds?: number;
  /** The program's own console output. */
  readonly output?: (text: string) => void;
}

/**
 * The offline check of a program of one's own that uses `KubeSphereFleet`: the program runs under Pulumi's mock
 * runtime with its own stack file (`programStack.ts`), the component's reads are answered from the live snapshot, every
 * other resource echoes its inputs (outputs a provider would compute are unknown, as in a preview), and each
 * registration goes to the policy pack over the engine protocol as it happens, with the engine's default providers
 * and a Helm Release as its provider's Check leaves it (`programResources.ts`). The report is `runCheck`'s: the plan of
 * each cluster the component declares, the verdicts, the notes.
 */
export async function runProgramCheck(options: ProgramCheckOptions): Promise<CheckReport> {
  const progress = options.progress ?? (() => undefined);
  const analysis = options.analysis ?? new AnalysisThread(options.packDir ?? DEFAULT_PACK_DIR, progress);
  try {
    return await checkProgram(analysis, options, progress);
  } finally {
    await analysis.close();
  }
}

async function checkProgram(analysis: AnalysisThread, options: ProgramCheckOptions, progress: (message: string) => void): Promise<CheckReport> {
  const limits = options.fileLimits ?? {};
  const { stack } = options;
  const { project, stackConfig, liveDir, live } = options.input ?? readProgramInput(options);
  analysis.configure({ stack, ...(options.policyPackConfig ? { policyPackConfig: options.policyPackConfig } : {}), ...(options.fileLimits ? { fileLimits: options.fileLimits } : {}) });

  const where = programWhere(project.dir, stack);
  const builder = new ProgramResourceBuilder({ stack, project: project.name, programDir: project.dir, config: stackConfig.engine, limits, where });
  progress(`Running ${project.main} under Pulumi's mock runtime, each resource to the policy pack as it registers…`);
  let run;
  try {
    run = await runProgram({
      request: { program: project, stack, config: stackConfig.engine, objects: [...live.entries()], checkPackageDir: PROJECT_DIR },
      timeoutSeconds: options.timeoutSeconds ?? DEFAULT_PROGRAM_TIMEOUT_SECONDS,
      onResource: (recorded) => {
        // A component's child writes an object of its cluster: AnalyzeStack gets it as the provider returns it.
        for (const resource of builder.add(recorded)) {
          const cluster = builder.clusterOfUrn.get(resource.urn ?? "");
          analysis.add(resource, cluster === undefined ? undefined : liveTargetOf(resource, live.get(cluster)));
        }
      },
      ...(options.output ? { output: options.output } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
  } catch (error) {
    if (error instanceof InputError && stackConfig.unopenedEnvironments && /Missing required configuration/i.test(error.message)) {
      throw new InputError(
        `${error.message}\nThe stack imports ESC environment ${stackConfig.unopenedEnvironments}, which the check cannot open. Fix: pass ${ENV_FILE_FLAG} env.json, written with: esc open ${stackConfig.unopenedEnvironments.split(", ").pop()} --format json > env.json.`,
      );
    }
    throw error;
  }

  progress(`Waiting for the policy pack (${builder.resources.length} resources, then the stack)…`);
  const diagnostics = await analysis.finish();
  const notes = [...run.notes, ...stackConfig.notes, ...analysis.notes];
  const violations = violationsOf(diagnostics, builder.clusterOfUrn);
  const fleet = componentFleet(stack, run.outputs);
  if (fleet.clusters.length === 0) notes.push(`The program declared no KubeSphereFleet (or it declared no cluster): there is no plan, only the policy pack's verdicts on what it declares.`);
  const missing = fleet.clusters.filter((c) => !live.has(c.name)).map((c) => `'${c.name}'`);
  if (missing.length > 0) notes.push(`--live ${liveDir} has no folder for ${missing.join(", ")}: planned against nothing live.`);
  const clusters = planFleet(fleet, live, builder.checked, notes, analysis.remediations);
  const rotation = planRotation(fleet, clusters, live);
  return { stack, stackFile: stackConfig.file, ...(rotation ? { rotation } : {}), clusters, violations: dedupe(violations), notes };
}

/** The clusters every KubeSphereFleet of the program declared, from its registered `clusters` output (role, version, mode). */
function componentFleet(stack: string, outputs: ReadonlyMap<string, Record<string, unknown>>): FleetDeclaration {
  const clusters: ClusterDeclaration[] = [];
  for (const [urn, registered] of outputs) {
    if (urn.split("::")[2]?.split("$").pop() !== KUBESPHERE_FLEET_TYPE || !isPlainObject(registered["clusters"])) continue;
    for (const [name, summary] of Object.entries(registered["clusters"])) {
      if (!isPlainObject(summary)) continue;
      clusters.push({
        name,
        label: name,
        role: summary["role"] as ClusterDeclaration["role"],
        version: String(summary["version"]) as KubeSphereVersion,
        mode: summary["mode"] as ClusterDeclaration["mode"],
        ksInstaller: String(summary["version"]).startsWith("3."),
        kubeconfig: { source: `the provider of ${name}` },
      });
    }
  }
  return { stack, clusters, names: DEFAULT_KUBESPHERE_NAMES };
}
