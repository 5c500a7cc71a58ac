import { InputError } from "../cli/exitCodes";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { readEscEnvironment, type EscEnvironment } from "./escEnvironment";
import { readLiveSnapshot } from "./liveSnapshot";
import { defaultProgramLiveDir, programWhere, readProgramProject, type ProgramProject } from "./programProject";
import { readProgramStack, type ProgramStackConfig } from "./programStack";
import type { FileLimits } from "./stackFile";

/** What `check --program` reads before anything runs: the project, the ESC environment, the stack file, the snapshot. */
export interface ProgramInput {
  readonly project: ProgramProject;
  readonly esc?: EscEnvironment;
  readonly stackConfig: ProgramStackConfig;
  readonly liveDir: string;
  readonly live: Map<string, KubernetesObject[]>;
}

export interface ProgramInputOptions {
  readonly stack: string;
  /** `--program`: the folder of the program's Pulumi.yaml. */
  readonly programDir: string;
  /** `--live`; default `<program>/live/<stack>`. */
  readonly liveDir?: string;
  /** `--esc-env-file`, read under the program's project name. */
  readonly escEnvFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly fileLimits?: FileLimits;
}

/**
 * Reads and validates a program's input, in this order; bad input is an `InputError` before the policy pack and the
 * program start. Loads no Pulumi SDK, so it costs a fraction of a second.
 */
export function readProgramInput(options: ProgramInputOptions): ProgramInput {
  const limits = options.fileLimits ?? {};
  const { stack } = options;
  const project = readProgramProject(options.programDir, limits);
  const esc = options.escEnvFile ? readEscEnvironment(options.escEnvFile, limits, project.name) : undefined;
  const stackConfig = namingProgram(project.dir, stack, () => readProgramStack(project, stack, options.env ?? process.env, limits, esc));
  const liveDir = options.liveDir ?? defaultProgramLiveDir(project.dir, stack);
  const live = readLiveSnapshot(liveDir, limits);
  return { project, ...(esc ? { esc } : {}), stackConfig, liveDir, live };
}

/** `read()`, its bad input named by the program and stack (the reason names the file and key). */
function namingProgram<T>(dir: string, stack: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const where = programWhere(dir, stack);
    if (error instanceof InputError && !error.message.startsWith(where)) throw new InputError(`${where}: ${error.message}`);
    throw error;
  }
}
