import { InputError } from "../cli/exitCodes";
import { verdictsAcrossStacks, type FleetCheckReport, type FleetStack } from "./acrossStacks";
import { AnalysisThread } from "./analysisThread";
import { DEFAULT_PACK_DIR, checkStack, type CheckOptions } from "./runCheck";
import { readCheckInputs, type FleetInputOptions, type StackInput } from "./stackInput";

export interface FleetCheckOptions extends Omit<CheckOptions, "stack" | "liveDir" | "analysis" | "input">, FleetInputOptions {
  /** Every stack's input, already read (`readCheckInputs`) by the CLI before it started the first pack. */
  readonly inputs?: readonly StackInput[];
  /** The first stack's pack, already started; default: started here. */
  readonly analysis?: AnalysisThread;
}

/**
 * The check of a fleet split over several stacks: each stack's own check (its program under mocks and its policy pack),
 * then the verdicts across them. Every stack's config and snapshot folders are looked at first, so bad input in any
 * (a missing cluster folder among them) is reported at once, before anything runs. Pulumi's mocks are process-global, so the programs run one after another; each next stack's pack
 * starts (and loads its SDK) while the current stack runs.
 */
export async function runFleetCheck(options: FleetCheckOptions): Promise<FleetCheckReport> {
  const { stacks } = options;
  const inputs = options.inputs ?? readCheckInputs(options);
  const packDir = options.packDir ?? DEFAULT_PACK_DIR;
  const launch = (): AnalysisThread => new AnalysisThread(packDir, options.progress);
  const checked: FleetStack[] = [];
  const reports: FleetCheckReport["stacks"][number][] = [];
  let next: AnalysisThread | undefined = options.analysis ?? launch();
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
