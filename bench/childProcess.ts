import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths";

export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit. */
  readonly ms: number;
}

/** The tsx binary of the repo, to run TypeScript children as `npm run` does. */
export const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");

export interface RunChildOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Send stdout to this file instead of a pipe (read back when the child exits). A CLI that ends with
   * `process.exit()` loses what it wrote to a pipe beyond 64 KiB; a file is written synchronously.
   */
  readonly stdoutFile?: string;
}

/** Runs a command to completion (no shell), collecting its output and wall time. */
export function runChild(command: string, args: readonly string[], options: RunChildOptions = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const fd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, "w");
    const child = spawn(command, [...args], { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, stdio: ["ignore", fd ?? "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", (error) => {
      if (fd !== undefined) closeSync(fd);
      reject(error);
    });
    child.once("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (fd !== undefined) {
        closeSync(fd);
        stdout = readFileSync(options.stdoutFile!, "utf8");
      }
      resolve({ code, stdout, stderr, ms });
    });
  });
}
