import { InputError } from "../cli/exitCodes";
import { verdictsAcrossStacks, type FleetCheckReport, type FleetStack } from "./acrossStacks";
import { AnalysisThread } from "./analysisThread";
import { DEFAULT_PACK_DIR, checkStack, type CheckOptions } from "./runCheck";
import { readStackInput, type StackInput } from "./stackInput";
import { missingSnapshotFolders } from "./liveSnapshot";

export interface FleetCheckOptions extends Omit<CheckOptions, "stack" | "liveDir" | "analysis" | "input"> {
  /** The fleet's stacks, each `stacks/Pulumi.<name>.yaml`. */
  readonly stacks: readonly string[];
  /** The snapshot folder of a stack's clusters. */
  readonly liveDirOf: (stack: string) => string;
}

/**
 * The check of a fleet split over several stacks: each stack's own check (its program under mocks and its policy pack),
 * then the verdicts across them. Every stack's config and snapshot folders are looked at first, so bad input in any
 * (a missing cluster folder among them) is reported at once, before anything runs. Pulumi's mocks are process-global, so the programs run one after another; each next stack's pack
 * starts (and loads its SDK) while the current stack runs.
 */
export async function runFleetCheck(options: FleetCheckOptions): Promise<FleetCheckReport> {
  const { stacks } = options;
  const duplicate = stacks.find((s, i) => stacks.indexOf(s) !== i);
  if (duplicate) throw new InputError(`--stack '${duplicate}' is given twice. Fix: name each stack once.`);
  const inputs: StackInput[] = [];
  const problems: string[] = [];
  for (const stack of stacks) {
    try {
      const input = readStackInput({ ...options, stack });
      inputs.push(input);
      // Every stack's snapshot folders too, before any stack runs: one answer naming all that is missing.
      const missing = missingSnapshotFolders(options.liveDirOf(stack), stack, input.fleet.clusters.map((c) => c.name));
      if (missing) throw new InputError(missing);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(`- stack '${stack}': ${error.message.replace(/\n/g, "\n  ")}`);
    }
  }
  if (problems.length > 0) throw new InputError(`${problems.length} of ${stacks.length} stacks have bad input; nothing was checked.\n${problems.join("\n")}`);

  const packDir = options.packDir ?? DEFAULT_PACK_DIR;
  const launch = (): AnalysisThread => new AnalysisThread(packDir, options.progress);
  const checked: FleetStack[] = [];
  const reports: FleetCheckReport["stacks"][number][] = [];
  let next: AnalysisThread | undefined = launch();
  try {
    for (const [i, input] of inputs.entries()) {
      const stack = stacks[i]!;
      const analysis = next!;
      next = i + 1 < inputs.length ? launch() : undefined;
      options.progress?.(`Stack '${stack}' (${i + 1} of ${stacks.length})…`);
      let result;
      try {
        result = await checkStack({ ...options, stack, liveDir: options.liveDirOf(stack), analysis, input });
      } catch (error) {
        if (error instanceof InputError) throw new InputError(`stack '${stack}': ${error.message}`);
        throw error;
      }
      reports.push(result.report);
      checked.push({ stack, fleet: input.fleet, declared: result.declared() });
    }
  } finally {
    if (next) await next.close();
  }
  return { stacks: reports, violations: verdictsAcrossStacks(checked) };
}
