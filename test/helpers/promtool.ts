/**
 * Prometheus's own `promtool` (Debian package `prometheus`; `.ci/run` installs it). A test that needs it is declared
 * with `promtoolTest`: where promtool is missing, ava lists it as skipped under its own title, never as passed, and
 * under CI it fails (see `realToolTest`).
 */
import type { ExecutionContext } from "ava";
import { execFile } from "node:child_process";
import { PROMTOOL as TOOL, realToolTest } from "./realTools";

export const PROMTOOL = TOOL.command;

export function promtoolTest(title: string, fn: (t: ExecutionContext) => Promise<void> | void): void {
  realToolTest([TOOL], title, fn);
}

export interface PromtoolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `promtool <args>` (stdin from `input` when given), bounded to 60s. */
export function promtool(args: readonly string[], options: { cwd?: string; input?: string } = {}): Promise<PromtoolRun> {
  return new Promise((resolve) => {
    const child = execFile(PROMTOOL, [...args], { cwd: options.cwd, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? "");
  });
}
