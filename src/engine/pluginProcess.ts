import { spawn, type ChildProcess } from "node:child_process";
import type * as grpc from "@grpc/grpc-js";
import { dirname, join } from "node:path";

/** `<@pulumi/pulumi>/cmd/<command>` (run-policy-pack, run-plugin), resolved from the plugin's folder as the engine does. */
export function sdkCommandPath(pluginDir: string, command: string): string {
  return join(dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [pluginDir] })), "cmd", command);
}

/**
 * Run by the plugin's Node before the plugin's own entry: the plugin exits once its stdin, a pipe from the process
 * that started it, reaches its end. The operating system closes that pipe when the starting process is gone, however
 * it ended (SIGKILL, a crash, a test worker that exits, a thread that is terminated), so a plugin never outlives it as
 * an orphan serving gRPC for hours. The pipe is unref'd: it must not keep the plugin alive either, or a plugin whose
 * entry fails (run-policy-pack sets exit code 32 and lets the event loop drain: cmd/run-policy-pack/index.js:70 of
 * @pulumi/pulumi 3.248.0) would wait on its stdin instead of exiting, and whoever started it would wait for its port
 * until the time limit (a minute) rather than hear at once that it exited. Then the entry is loaded as
 * `node <entry> <args…>` loads it: with `-e`, `process.argv` is `[node, entry, ...args]`, which is what the SDK's
 * runners read.
 */
const EXIT_WITH_PARENT = [
  'process.stdin.on("end", () => process.exit(0)).on("error", () => process.exit(0)).resume().unref();',
  "require(process.argv[1]);",
].join("\n");

/**
 * Starts a Node plugin (`<@pulumi/pulumi>/cmd/run-policy-pack`, `run-plugin`) as the engine does, `node <entry>
 * <args…>`, except that it exits when this process goes (`EXIT_WITH_PARENT`). Public Node APIs only: nothing in the
 * SDK is changed. stdout and stderr are pipes, for the port and the plugin's messages.
 */
export function spawnPlugin(entry: string, args: readonly string[], options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, ["-e", EXIT_WITH_PARENT, "--", entry, ...args], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
}

/**
 * The port a plugin the engine starts (a policy pack, a provider) prints as its first line on stdout. Rejects, naming
 * `what` and quoting the end of its stderr, if the process exits first or prints nothing within `timeoutMs`.
 */
export function readPort(child: ChildProcess, what: string, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    let stdout = "";
    const fail = (why: string) => {
      cleanup();
      const tail = stderr().trim().split("\n").slice(-20).join("\n");
      reject(new Error(`${what} did not start: ${why}.${tail ? `\n${tail}` : ""}`));
    };
    const onData = (chunk: string) => {
      stdout += chunk;
      const line = /^\s*(\d+)\s*\n/.exec(stdout);
      if (line) {
        cleanup();
        resolvePromise(Number(line[1]));
      }
    };
    const onExit = (code: number | null, signal: string | null) => fail(`the process exited (${signal ?? `code ${code}`}) before printing its port`);
    // Timers run before I/O in a turn of the event loop: after a long synchronous stretch here, the timeout could
    // fire although the port is already waiting in the pipe. Fail only after that turn's I/O has been read.
    let late: NodeJS.Immediate | undefined;
    const timer = setTimeout(() => (late = setImmediate(() => fail(`no port printed within ${timeoutMs} ms`))), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      if (late) clearImmediate(late);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout!.setEncoding("utf8").on("data", onData);
    child.once("exit", onExit);
  });
}

/** Stops the process, if it still runs, and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill();
  await exited;
}

/** A grpc-js client's unary `method`, called with `request`, as a promise. */
export function unaryCall<Req, Res>(client: grpc.Client, method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolvePromise, reject) => method.call(client, request, (err, res) => (err ? reject(err) : resolvePromise(res))));
}

/** What a started plugin printed: its port, and its stderr so far. */
export interface PluginOutput {
  readonly port: number;
  stderr(): string;
}

/** Collects the plugin's stderr and waits for its port; if none comes, kills it, runs `cleanup` and rejects. */
export async function pluginOutput(child: ChildProcess, what: string, timeoutMs: number, cleanup: () => Promise<void>): Promise<PluginOutput> {
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  try {
    return { port: await readPort(child, what, timeoutMs, () => stderr), stderr: () => stderr };
  } catch (error) {
    child.kill();
    await cleanup();
    throw error;
  }
}
