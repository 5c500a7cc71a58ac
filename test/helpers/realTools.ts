/**
 * Prometheus's own tools as an operator runs them (Debian packages `prometheus`, `prometheus-node-exporter`,
 * `prometheus-alertmanager`; `.ci/run` installs them). A test that needs one is declared with `realToolTest`: where a
 * tool is missing, ava lists the test as skipped under its own title naming the tool; under CI (`CI` set) it fails.
 * Daemons listen on 127.0.0.1 only, on a free port, with their data in the test's temp folder, and `stop()` ends them
 * (SIGTERM, then SIGKILL) on every path.
 */
import test, { type ExecutionContext } from "ava";
import { closedPort } from "../audit/liveFleet";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export interface RealTool {
  readonly command: string;
  /** The Debian package that ships it. */
  readonly debianPackage: string;
}

export const PROMTOOL: RealTool = { command: "promtool", debianPackage: "prometheus" };
export const PROMETHEUS: RealTool = { command: "prometheus", debianPackage: "prometheus" };
export const NODE_EXPORTER: RealTool = { command: "prometheus-node-exporter", debianPackage: "prometheus-node-exporter" };
export const ALERTMANAGER: RealTool = { command: "prometheus-alertmanager", debianPackage: "prometheus-alertmanager" };
export const AMTOOL: RealTool = { command: "amtool", debianPackage: "prometheus-alertmanager" };

const available = new Map<string, boolean>();

/** Whether `tool --version` runs here. */
export function toolAvailable(tool: RealTool): boolean {
  if (!available.has(tool.command)) available.set(tool.command, spawnSync(tool.command, ["--version"], { stdio: "ignore" }).status === 0);
  return available.get(tool.command)!;
}

/** `test(title, fn)` when every tool is here; else skipped (naming them), or failed under CI. */
export function realToolTest(tools: readonly RealTool[], title: string, fn: (t: ExecutionContext) => Promise<void> | void, options: { serial?: boolean } = {}): void {
  const missing = tools.filter((tool) => !toolAvailable(tool));
  const names = `${missing.map((tool) => tool.command).join(", ")} ${missing.length === 1 ? "is" : "are"}`;
  const install = `apt-get install -y ${[...new Set(missing.map((tool) => tool.debianPackage))].join(" ")}`;
  testNeeding(title, missing.length ? `${names} not installed; ${install}` : undefined, fn, options);
}

/**
 * `test(title, fn)` when nothing is `missing`; otherwise listed as skipped with what is missing in its title, or,
 * under CI (`CI` set), failed: CI cannot pass without running the tests of the real tools.
 */
export function testNeeding(title: string, missing: string | undefined, fn: (t: ExecutionContext) => Promise<void> | void, options: { serial?: boolean } = {}): void {
  const declare = options.serial ? test.serial : test;
  if (missing === undefined) declare(title, fn);
  else if (process.env["CI"]) declare(title, (t) => t.fail(`CI must run this test, and ${missing} (.ci/run installs it).`));
  else declare.skip(`${title} (skipped: ${missing})`, fn);
}

export interface Daemon {
  readonly url: string;
  /** What it wrote to stdout and stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `tool args…` (the args get the port) and waits until `url + readyPath` answers 200, at most `timeoutMs`.
 * A daemon that exits or never gets ready is stopped, and the error carries its log.
 */
export async function startDaemon(tool: RealTool, args: (port: number) => string[], readyPath: string, timeoutMs = 30_000): Promise<Daemon> {
  const port = await closedPort();
  const child = spawn(tool.command, args(port), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const daemon: Daemon = { url: `http://127.0.0.1:${port}`, log: () => output, stop: () => stop(child, exited) };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const response = await fetch(`${daemon.url}${readyPath}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return daemon;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await daemon.stop();
  throw new Error(`${tool.command} did not get ready on port ${port}:\n${output}`);
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killed);
}

/** Polls `check` until it returns a value (not undefined), at most `timeoutMs`; the last failure explains a timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
