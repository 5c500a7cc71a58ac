import { spawn } from "node:child_process";
import { basename } from "node:path";
import { FailureKind, ReadFailure } from "./reader";

/**
 * The `exec` entry of a kubeconfig user (client.authentication.k8s.io): a command that prints an `ExecCredential`.
 * The audit runs it itself rather than through client-node, so that the cluster's timeout covers it: when the time is
 * up the plugin's whole process group is killed and the cluster is reported as a credentials problem, and no plugin
 * process outlives the audit.
 */
export interface ExecConfig {
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion?: string;
}

/** What a plugin's `ExecCredential.status` may carry. PEM text for the certificate and key. */
export interface ExecCredentialStatus {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
}

/** A credential is a few KiB; more output than this is not an ExecCredential. */
const MAX_PLUGIN_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

/** The exec config of a kubeconfig user, in either place client-node accepts it (`exec`, or the `exec` auth-provider). */
export function execConfigOf(user: { exec?: unknown; authProvider?: unknown } | null | undefined): ExecConfig | undefined {
  const provider = user?.authProvider as { config?: { exec?: unknown } } | undefined;
  const exec = (user?.exec ?? provider?.config?.exec) as Partial<ExecConfig> | undefined;
  if (!exec || typeof exec !== "object") return undefined;
  return exec as ExecConfig;
}

/**
 * Runs the plugin until it prints its credential, or until `signal` aborts (then kills it). Never echoes what the
 * plugin printed: a token may be in it. Fails with a `credentials-unavailable` ReadFailure.
 */
export function runExecPlugin(exec: ExecConfig, signal: AbortSignal): Promise<ExecCredentialStatus> {
  const name = typeof exec.command === "string" && exec.command !== "" ? basename(exec.command) : "(none)";
  const fail = (detail: string) => new ReadFailure({ kind: FailureKind.credentialsUnavailable, detail: `the exec credential plugin '${name}' ${detail}` });
  if (typeof exec.command !== "string" || exec.command === "") return Promise.reject(fail("has no command"));
  if (signal.aborted) return Promise.reject(fail("was not started: the cluster's timeout had passed"));
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const entry of exec.env ?? []) if (entry && typeof entry.name === "string") env[entry.name] = String(entry.value ?? "");
    env["KUBERNETES_EXEC_INFO"] = JSON.stringify({ apiVersion: exec.apiVersion ?? DEFAULT_EXEC_API_VERSION, kind: "ExecCredential", spec: { interactive: false } });
    // Its own process group, so that the plugin and anything it started are stopped together.
    const child = spawn(exec.command, (exec.args ?? []).map(String), { env, stdio: ["ignore", "pipe", "ignore"], detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const onAbort = () => {
      stopGroup(child.pid);
      finish(() => reject(fail("did not finish within the cluster's timeout and was stopped")));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    if (child.pid !== undefined) track(child.pid);
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PLUGIN_OUTPUT_BYTES) {
        stopGroup(child.pid);
        finish(() => reject(fail(`printed more than ${MAX_PLUGIN_OUTPUT_BYTES / 1024 / 1024} MiB and was stopped`)));
      } else chunks.push(chunk);
    });
    child.on("error", (error: NodeJS.ErrnoException) => finish(() => reject(fail(`could not be started (${error.code ?? error.name})`))));
    child.on("close", (code, killedBy) => {
      if (child.pid !== undefined) untrack(child.pid);
      finish(() => {
        if (code !== 0) return reject(fail(code === null ? `was stopped by ${killedBy ?? "a signal"}` : `exited with code ${code} (its output is not shown: it may hold a token)`));
        const status = credentialStatus(Buffer.concat(chunks).toString("utf8"));
        if (!status) return reject(fail("did not print an ExecCredential with a token or a client certificate and key"));
        resolve(status);
      });
    });
  });
}

function credentialStatus(output: string): ExecCredentialStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return undefined;
  }
  const status = (parsed as { status?: unknown } | null)?.status as Record<string, unknown> | undefined;
  if (!status || typeof status !== "object") return undefined;
  const text = (key: string) => (typeof status[key] === "string" && status[key] !== "" ? (status[key] as string) : undefined);
  const token = text("token");
  const clientCertificateData = text("clientCertificateData");
  const clientKeyData = text("clientKeyData");
  if (!token && !(clientCertificateData && clientKeyData)) return undefined;
  return { ...(token ? { token } : {}), ...(clientCertificateData && clientKeyData ? { clientCertificateData, clientKeyData } : {}) };
}

/** Process groups of plugins still running; stopped when the audit exits, however it exits. */
const running = new Set<number>();
let hooked = false;

function track(pid: number): void {
  running.add(pid);
  if (hooked) return;
  hooked = true;
  process.on("exit", stopAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      stopAll();
      process.kill(process.pid, signal);
    });
  }
}

function untrack(pid: number): void {
  // The plugin exited; anything it left running in its group goes with it.
  stopGroup(pid);
  running.delete(pid);
}

function stopAll(): void {
  for (const pid of running) stopGroup(pid);
  running.clear();
}

function stopGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
