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
    env: cliEnv(env),
    timeoutMs,
  });
}

/** The environment a CLI run gets: this test process's, without what would change a run's meaning, plus `env`. */
export function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: undefined, KUBECONFIG: undefined, NO_COLOR: undefined, ...env } as NodeJS.ProcessEnv;
}

let inProcess: Promise<unknown> = Promise.resolve();

/**
 * `check <args>` run in this test process, as `runCli("check", …)` runs it in a child: the CLI's `main` (from the build
 * when it is current, as `cliEntry` picks it) with the same arguments and environment, its stdout and stderr collected,
 * its exit code returned. Pulumi's SDK, the program and the CLI then load once per test file instead of once per run
 * (about 1.3 s of CPU each, a third of a check's): each run still starts its own policy pack process and analysis thread,
 * and reinstalls the mocks and the stack's config, as the check across stacks does for each of its stacks in one
 * process. Runs wait for one another (the mocks are process-global). For what only a process shows (how it is
 * launched, signals, Node's own options, exit without output), use `runCli`; for `--program` too: this process resolves
 * modules through tsx, which maps `kubesphere-fleet` to src/ by tsconfig.json's `paths`, so a program of one's own
 * would find a package a user's process does not.
 */
export function runCheckInProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  if (args.includes("--program")) throw new Error("check --program runs in a process of its own here: use runCli or runNode.");
  const run = inProcess.then(async (): Promise<CliRun> => {
    const entry = cliEntry("check");
    const module = entry[0] === "--" ? entry[1]! : join(REPO, "src", "cli", "check.ts");
    const { main } = require(module) as typeof import("../../src/cli/check");
    let stdout = "";
    let stderr = "";
    const code = await main(args, {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      env: cliEnv(env),
    });
    return { code, stdout, stderr };
  });
  inProcess = run.catch(() => undefined);
  return run;
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
