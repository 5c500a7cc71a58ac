import { join } from "node:path";
import type { FleetCheckReport } from "../check/acrossStacks";
import { CHECK_USAGE, MAX_FILE_FLAG, liveDirOf, parseCheckArgs } from "../check/checkArgs";
import { readEscEnvironment } from "../check/escEnvironment";
import { fleetMandatoryCount, formatFleetText, formatText, textStyle, type TextStyle } from "../check/formatText";
import { mandatoryCount, type CheckReport } from "../check/report";
import { AnalysisThread } from "../check/analysisThread";
import { readProgramInput } from "../check/programInput";
import { readCheckInput, readCheckInputs } from "../check/stackInput";
import { ExitCode, InputError, unexpected } from "./exitCodes";
import { writeFileSafely } from "./outputPath";
import { POLICY_PACK_DIR, PROJECT_DIR, defaultProjectDir } from "./projectDir";
import { printableLines } from "../input/printable";

/** Where the check writes and which environment it reads: this process's, or a caller's (a test that runs it in-process). */
export interface CheckIo {
  readonly stdout: CheckOutput;
  readonly stderr: CheckOutput;
  readonly env: NodeJS.ProcessEnv;
}

/** What the check needs of stdout or stderr: text goes in, and colour and progress depend on whether it is a terminal. */
export interface CheckOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** `npm run check -- --stack <name>`: parse arguments, run the check, print, and say the exit code. */
export async function main(argv: readonly string[], io: CheckIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<ExitCode> {
  try {
    const args = parseCheckArgs(argv, { projectDir: defaultProjectDir(), isTty: Boolean(io.stdout.isTTY), env: io.env });
    if (args === "help") {
      io.stdout.write(`${CHECK_USAGE}\n`);
      return ExitCode.healthy;
    }
    const progress = (message: string) => {
      if (!args.json || io.stderr.isTTY) io.stderr.write(`${message}\n`);
    };
    const fileLimits = { maxBytes: args.maxFileBytes, raiseWith: `${MAX_FILE_FLAG} <MiB>` };
    // Each way reads and validates its input first (no Pulumi SDK needed: a fraction of a second), so bad input is
    // exit 2 before anything starts. Then the pack: its process loads its SDK for about a second, so it is spawned (from
    // its own thread) before this process loads the Pulumi SDK and the program (required only then), and both load at
    // once on two cores. The run stops it.
    if (args.program) {
      const options = {
        programDir: args.program,
        stack: args.stacks[0]!,
        ...(args.live ? { liveDir: args.live } : {}),
        ...(args.envFile ? { escEnvFile: args.envFile } : {}),
        env: io.env,
        fileLimits,
      };
      const input = readProgramInput(options);
      const analysis = new AnalysisThread(POLICY_PACK_DIR, progress);
      const { runProgramCheck } = require("../check/programCheck") as typeof import("../check/programCheck");
      const report = await runProgramCheck({
        ...options,
        input,
        ...(args.policyPackConfig ? { policyPackConfig: args.policyPackConfig } : {}),
        ...(args.programTimeoutSeconds ? { timeoutSeconds: args.programTimeoutSeconds } : {}),
        analysis,
        progress,
        output: (text) => progress(text.trimEnd()),
      });
      return answer(report, { ...args, projectDir: args.program }, io.stdout, formatText, mandatoryCount);
    }
    const escEnvironment = args.envFile ? readEscEnvironment(args.envFile, fileLimits) : undefined;
    const common = { ...args, env: io.env, progress, packDir: POLICY_PACK_DIR, fileLimits, ...(escEnvironment ? { escEnvironment } : {}) };
    if (args.acrossStacks) {
      const fleet = { ...common, stacks: args.stacks, liveDirOf: (stack: string) => liveDirOf(args, stack) };
      const inputs = readCheckInputs(fleet);
      const analysis = new AnalysisThread(POLICY_PACK_DIR, progress);
      const { runFleetCheck } = require("../check/fleetCheck") as typeof import("../check/fleetCheck");
      const report = await runFleetCheck({ ...fleet, inputs, analysis });
      return answer(report, args, io.stdout, formatFleetText, fleetMandatoryCount);
    }
    const stack = args.stacks[0]!;
    const liveDir = liveDirOf(args, stack);
    const input = readCheckInput({ ...common, stack, liveDir });
    const analysis = new AnalysisThread(POLICY_PACK_DIR, progress);
    const { runCheck } = require("../check/runCheck") as typeof import("../check/runCheck");
    const report = await runCheck({ ...common, stack, liveDir, analysis, input });
    return answer(report, args, io.stdout, formatText, mandatoryCount);
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr.write(`error: ${printableLines(error.message)}\n`);
      return ExitCode.badInput;
    }
    io.stderr.write(`error: the check failed unexpectedly: ${printableLines(unexpected(error, argv.includes("--debug")))}\n`);
    return ExitCode.violation;
  }
}

/**
 * How every way of the check ends: the SARIF file if asked, the report on stdout (JSON, or text in `text`'s words),
 * and exit 1 when a verdict is mandatory.
 */
function answer<R extends CheckReport | FleetCheckReport>(
  report: R,
  how: { readonly sarif?: string | undefined; readonly json: boolean; readonly colour: boolean; readonly projectDir: string },
  stdout: CheckOutput,
  text: (report: R, style: TextStyle) => string,
  mandatory: (report: R) => number,
): ExitCode {
  if (how.sarif) writeSarif(how.sarif, report, how.projectDir);
  stdout.write(how.json ? `${JSON.stringify(report, null, 2)}\n` : text(report, textStyle(how.colour)));
  return mandatory(report) > 0 ? ExitCode.violation : ExitCode.healthy;
}

/** SARIF 2.1.0 of one stack's check or of a check across stacks, with every rule's description. */
function writeSarif(path: string, report: CheckReport | FleetCheckReport, projectDir: string): void {
  const { toSarif } = require("../check/sarif") as typeof import("../check/sarif");
  const { allRules } = require("../rules") as typeof import("../rules");
  const { CROSS_STACK_RULES } = require("../check/acrossStacks") as typeof import("../check/acrossStacks");
  const version = (require(join(PROJECT_DIR, "package.json")) as { version: string }).version;
  // Written after the run; a failure now (disk full, a symlink planted meanwhile) is still bad input, exit 2.
  writeFileSafely("--sarif", path, `${JSON.stringify(toSarif(report, [...allRules(), ...CROSS_STACK_RULES], { projectDir, toolVersion: version }), null, 2)}\n`, SARIF_FILE_MODE);
}

/** SARIF holds findings and fingerprints, never a secret: readable by the code-scanning upload that runs next. */
const SARIF_FILE_MODE = 0o644;

/** Runs `main` as a command: the exit code is set, not forced (`process.exit()` would cut a report still being piped). */
export function cli(argv: readonly string[]): void {
  void main(argv).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) cli(process.argv.slice(2));
