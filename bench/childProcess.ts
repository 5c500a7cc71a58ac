import { spawn } from "node:child_process";
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

/** Runs a command to completion (no shell), collecting its output and wall time. */
export function runChild(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, [...args], { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
  });
}
