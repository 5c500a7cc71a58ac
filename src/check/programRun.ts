import { fork } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, extname, join } from "node:path";
import { InputError } from "../cli/exitCodes";
import type { RecordedResource } from "../mocks/kubernetesMocks";
import type { FromProgramRunner, ProgramRunRequest } from "./programRunner";
import { programWhere } from "./programProject";

/** How long a program may run by default (`--program-timeout`). */
export const DEFAULT_PROGRAM_TIMEOUT_SECONDS = 120;

export interface ProgramRun {
  readonly resources: readonly RecordedResource[];
  /** What each component registered as outputs, by URN. */
  readonly outputs: ReadonlyMap<string, Record<string, unknown>>;
  readonly notes: readonly string[];
}

export interface ProgramRunOptions {
  readonly request: Omit<ProgramRunRequest, "kind">;
  readonly timeoutSeconds: number;
  /** Each registration and read, as the program makes it. */
  readonly onResource: (resource: RecordedResource) => void;
  /** The program's own console output (stderr in the CLI; never stdout, which holds the report). */
  readonly output?: (text: string) => void;
  /** The program's environment, as the check was given it (`main`'s); default this process's. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program of one's own in a child process (`programRunner.ts`) and hears each registration as it happens. A
 * program that fails (an exception, a bad config key, a fleet that cannot be declared) or does not end within the time
 * limit is bad input naming the program and stack (exit 2), its message without a stack trace. The child never
 * outlives the run: it is killed at the limit, when done, and exits when its channel to the check closes.
 */
export function runProgram(options: ProgramRunOptions): Promise<ProgramRun> {
  const { program, stack } = options.request;
  const where = programWhere(program.dir, stack);
  const runner = join(__dirname, `programRunner${extname(__filename)}`);
  const resources: RecordedResource[] = [];
  const notes: string[] = [];
  const fallback = resolvesKubesphereFleet(program.dir) ? undefined : kubesphereFleetFolder(options.request.checkPackageDir);
  if (fallback) notes.push(`kubesphere-fleet is not installed in ${program.dir}: the program got the copy running this check (${options.request.checkPackageDir}).`);
  const given = options.env ?? process.env;
  const env = fallback ? { ...given, NODE_PATH: [fallback, given["NODE_PATH"]].filter(Boolean).join(delimiter) } : given;
  const child = fork(runner, [], { cwd: program.dir, env, serialization: "advanced", stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const output = options.output ?? (() => undefined);
  child.stdout!.on("data", (chunk: Buffer) => output(chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => output(chunk.toString("utf8")));
  return new Promise<ProgramRun>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, run?: ProgramRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      if (fallback) rmSync(fallback, { recursive: true, force: true });
      if (error) reject(error);
      else resolve(run!);
    };
    const timer = setTimeout(() => {
      finish(new InputError(`${where}: the program did not finish within ${options.timeoutSeconds} s (${resources.length} resources registered by then). Fix: look for an output that never resolves or a loop, or raise --program-timeout <seconds>.`));
    }, options.timeoutSeconds * 1000);
    child.on("message", (message: FromProgramRunner) => {
      switch (message.kind) {
        case "resource":
          resources.push(message.resource);
          try {
            options.onResource(message.resource);
          } catch (error) {
            finish(error instanceof Error ? error : new Error(String(error)));
          }
          break;
        case "done":
          if (message.error !== undefined) finish(new InputError(`${where}: the program failed: ${message.error}`));
          else finish(undefined, { resources, outputs: new Map(message.outputs), notes });
          break;
      }
    });
    child.on("error", (error) => finish(new Error(`the program runner could not start: ${error.message}`)));
    child.on("exit", (code, signal) => finish(new InputError(`${where}: the program's process ended (${signal ?? `exit code ${code}`}) before it finished; the program may call process.exit.`)));
    child.send({ kind: "run", ...options.request, ...(fallback ? { kubesphereFleetFromCheck: true } : {}) } satisfies ProgramRunRequest);
  });
}

/** Whether a program resolves `kubesphere-fleet` from its own folder, as its `require` would. */
function resolvesKubesphereFleet(programDir: string): boolean {
  try {
    require.resolve("kubesphere-fleet", { paths: [programDir] });
    return true;
  } catch {
    return false;
  }
}

/**
 * A folder holding `kubesphere-fleet` as a link to the package running the check, for the runner's NODE_PATH: Node
 * looks there only after the program's own node_modules, and resolves the package through its `exports` as installed.
 */
function kubesphereFleetFolder(checkPackageDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-program-path-"));
  symlinkSync(checkPackageDir, join(dir, "kubesphere-fleet"), "dir");
  return dir;
}
