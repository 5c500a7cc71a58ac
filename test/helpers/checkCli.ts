import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = join(__dirname, "..", "..");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * At most this many CLI processes of one test file run at once; the others wait their turn. ava runs a few test
 * files at once (its `concurrency`), so the machine sees a bounded number of CLI processes however many tests ask.
 */
const CLI_PROCESSES_AT_ONCE = 2;
/** A CLI run's time limit on an idle machine; `timeScale()` stretches it on a loaded one. */
const CLI_TIME_LIMIT_MS = 90_000;

let running = 0;
const waiting: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= CLI_PROCESSES_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/**
 * How much slower than idle this machine is now: the 1-minute load average per CPU, at least 1. Time limits in
 * tests are multiplied by it, so a busy CI runner makes runs slower, not failures.
 */
export function timeScale(): number {
  return Math.max(1, loadavg()[0]! / availableParallelism());
}

const { builtCli } = require("../../scripts/cli.js") as { builtCli(name: string): { entry: string; current: boolean } };
const cliEntries = new Map<string, readonly string[]>();

/**
 * Node's arguments that start CLI `name`: its build (policies/bin), as `npm run check` and the installed bin start it,
 * when the build is current (`npm test` builds first); else its TypeScript (`src/cli/<name>.ts`) through tsx, so a run
 * after an edit without `npm run build` still tests the edited code. The build skips tsx's loader in the CLI and in
 * its analysis thread: a CLI run costs about half the CPU. `--` ends Node's options, as the launchers do: Node would
 * otherwise read an `--env-file` among the CLI's arguments itself.
 */
export function cliEntry(name: "check" | "audit"): readonly string[] {
  let entry = cliEntries.get(name);
  if (!entry) {
    const built = builtCli(name);
    entry = built.current ? ["--", built.entry] : ["--require", "tsx/cjs", "--", join(REPO, "src", "cli", `${name}.ts`)];
    cliEntries.set(name, entry);
  }
  return entry;
}

/** Runs a CLI of this project (`cliEntry`) as users do, in a child process (see `runNode`). */
export function runCli(name: "check" | "audit", args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = CLI_TIME_LIMIT_MS): Promise<CliRun> {
  return runNode([...cliEntry(name), ...args], {
    env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: undefined, KUBECONFIG: undefined, NO_COLOR: undefined, ...env } as NodeJS.ProcessEnv,
    timeoutMs,
  });
}

/**
 * `node <args>` in `cwd` (default the repo), its output collected, in one of this file's CLI slots. The time limit
 * counts from the process start (not from the wait for a slot) and scales with the machine's load.
 */
export async function runNode(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  const release = await slot();
  try {
    return await runCommand(process.execPath, args, options);
  } finally {
    release();
  }
}

/** `<command> <args>` in `cwd` (default the repo), its output collected; killed past its time limit, scaled with the machine's load. */
export function runCommand(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise<CliRun>((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd ?? REPO, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const limit = Math.round((options.timeoutMs ?? CLI_TIME_LIMIT_MS) * timeScale());
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command === process.execPath ? "node" : command} ${args.join(" ")} did not finish within ${limit} ms\n${stderr}`));
    }, limit);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A scratch copy of a folder of this repo (e.g. the dev stack's live snapshot), removed by `dispose`. */
export function scratchCopy(relative: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ksf-"));
  cpSync(join(REPO, relative), dir, { recursive: true });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file's text under `dir`, for "no secret anywhere" checks. */
export function allFileText(dir: string): string {
  let text = "";
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    text += statSync(path).isDirectory() ? allFileText(path) : readFileSync(path, "utf8");
  }
  return text;
}
