import type { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeResponse, ConfigureAnalyzerRequest, RemediateResponse } from "@pulumi/pulumi/proto/analyzer_pb";
import {
  analyzeRequestBytes,
  analyzeResult,
  analyzeStackRequestBytes,
  encodeAnalyzerResource,
  packInfo,
  policyConfigMessage,
  remediateResult,
  type AnalyzeResult,
  type PackInfo,
  type PolicyConfigInput,
  type RemediateResult,
  type ResourceInput,
} from "./analyzerMessages";
import { startEngineStub, type EngineLogEntry, type EngineStub } from "./engineStub";
import { pluginOutput, sdkCommandPath, spawnPlugin, stopProcess, unaryCall } from "./pluginProcess";

export * from "./analyzerMessages";
export { secret, toStruct, fromStruct, WIRE_UNKNOWN, SPECIAL_SIG_KEY, SECRET_SIG } from "./wire";

export interface StartPolicyPackOptions {
  /** Working directory of the pack process; default `packDir` (what the engine does). */
  readonly cwd?: string;
  /** Engine address passed as the runner's first argument; default a stub engine started here on 127.0.0.1. */
  readonly engineAddress?: string;
  /** How long to wait for the port; default 60 s. */
  readonly startTimeoutMs?: number;
  /** Extra environment for the pack process. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running policy pack and a typed client to it. */
export interface PolicyPackSession {
  /** The port the pack printed on stdout. */
  readonly port: number;
  /** The pack process's id (its CPU time can be read from the operating system, as the benchmarks do). */
  readonly pid: number;
  /** The raw gRPC client, for calls this wrapper does not cover. */
  readonly client: AnalyzerClient;
  /** Milliseconds from spawn to the port being printed. */
  readonly startMs: number;
  /** What the pack wrote to stderr so far. */
  stderr(): string;
  /** Log calls the pack made to the stub engine (empty when `engineAddress` was given). */
  engineLogs(): readonly EngineLogEntry[];
  getAnalyzerInfo(): Promise<PackInfo>;
  /**
   * Sends policy config the way the CLI does for `--policy-pack-config`: an entry for every policy of the pack, with
   * its default enforcement level and schema defaults unless `config` overrides them. Without this call the pack
   * uses its own defaults.
   */
  configure(config?: Readonly<Record<string, PolicyConfigInput>>): Promise<void>;
  /** `Analyze`: the resource policies over one resource. */
  analyze(resource: ResourceInput): Promise<AnalyzeResult>;
  /** `AnalyzeStack`: the stack policies over every resource of the stack. */
  analyzeStack(resources: readonly ResourceInput[]): Promise<AnalyzeResult>;
  /** `AnalyzeStack` over resources already encoded, each by `encodeAnalyzerResource`, in this order. */
  analyzeStackEncoded(resources: readonly Uint8Array[]): Promise<AnalyzeResult>;
  /** `Remediate`: the remediations of policies configured `remediate`, over one resource. */
  remediate(resource: ResourceInput): Promise<RemediateResult>;
  /** Closes the client, stops the pack process and the stub engine. Safe to call twice. */
  close(): Promise<void>;
}

/** `node_modules/@pulumi/pulumi/cmd/run-policy-pack`, resolved from the pack directory as the engine does. */
export function runPolicyPackPath(packDir: string): string {
  return sdkCommandPath(packDir, "run-policy-pack");
}

/**
 * Starts a Node policy pack the way the Pulumi engine does: `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> <packDir>`
 * with cwd = the pack dir (and exits when this process goes, `spawnPlugin`), then reads the port from its stdout and connects an `AnalyzerClient` with insecure
 * credentials on 127.0.0.1. The pack must be built (its package.json `main` must exist).
 *
 * @example
 * const pack = await startPolicyPack("policies");
 * await pack.configure({ "kubesphere-kubeconfig-renew-expiring-certificate": { certificateExpiryWindowDays: 60 } });
 * const { diagnostics } = await pack.analyzeStack(resources);
 * await pack.close();
 */
export async function startPolicyPack(packDir: string, options: StartPolicyPackOptions = {}): Promise<PolicyPackSession> {
  return (await launchPolicyPack(packDir, options)).ready;
}

/** A policy pack process, spawned; `ready` resolves once it printed its port and a client is connected. */
export interface LaunchedPolicyPack {
  readonly ready: Promise<PolicyPackSession>;
  /**
   * Stops the process now, whether or not it printed its port (then `ready` rejects): a caller done before the pack
   * started (bad input) need not wait for it to start only to stop it. The session's `close()` is still safe after it.
   */
  stop(): Promise<void>;
}

/**
 * `startPolicyPack` in two steps: resolves as soon as the process is spawned, so the caller can do its own work (load
 * the Pulumi SDK, run a program) while the pack loads its own. Until `ready` settles, the caller's event loop must
 * get a turn now and then for the port to be read; a long synchronous stretch only delays that, never fails it.
 */
export async function launchPolicyPack(packDir: string, options: StartPolicyPackOptions = {}): Promise<LaunchedPolicyPack> {
  const dir = resolve(packDir);
  const engine: EngineStub | undefined = options.engineAddress ? undefined : await startEngineStub();
  const engineAddress = options.engineAddress ?? engine!.address;
  const started = Date.now();
  const child = spawnPlugin(runPolicyPackPath(dir), [engineAddress, dir], { cwd: options.cwd ?? dir, env: { ...process.env, ...options.env } });
  return { ready: connect(child, engine, started, options), stop: () => stopProcess(child) };
}

async function connect(child: ChildProcess, engine: EngineStub | undefined, started: number, options: StartPolicyPackOptions): Promise<PolicyPackSession> {
  const { port, stderr } = await pluginOutput(child, "Policy pack", options.startTimeoutMs ?? 60_000, async () => {
    await engine?.close();
  });
  const startMs = Date.now() - started;
  const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  let info: PackInfo | undefined;
  let closed = false;

  const call = <Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> => unaryCall(client, method, request);

  const session: PolicyPackSession = {
    port,
    pid: child.pid!,
    client,
    startMs,
    stderr,
    engineLogs: () => engine?.logs ?? [],
    async getAnalyzerInfo() {
      info = packInfo(await call(client.getAnalyzerInfo, new Empty()));
      return info;
    },
    async configure(config = {}) {
      const known = info ?? (await session.getAnalyzerInfo());
      const request = new ConfigureAnalyzerRequest();
      const map = request.getPolicyconfigMap();
      for (const name of Object.keys(config)) {
        if (!known.policies.some((p) => p.name === name)) throw new Error(`Policy config names '${name}', which pack '${known.name}' does not have.`);
      }
      for (const policy of known.policies) {
        const { enforcementLevel, ...properties } = config[policy.name] ?? {};
        const defaults = schemaDefaults(policy.configSchema?.properties);
        map.set(policy.name, policyConfigMessage(enforcementLevel ?? policy.enforcementLevel, { ...defaults, ...properties }));
      }
      await call(client.configure, request);
    },
    async analyze(resource) {
      const response = await encodedCall(client, ANALYZE_METHOD, analyzeRequestBytes(resource));
      return analyzeResult(response.getDiagnosticsList(), response.getNotApplicableList());
    },
    analyzeStack(resources) {
      return session.analyzeStackEncoded(resources.map(encodeAnalyzerResource));
    },
    async analyzeStackEncoded(resources) {
      const response = await encodedCall(client, ANALYZE_STACK_METHOD, analyzeStackRequestBytes(resources));
      return analyzeResult(response.getDiagnosticsList(), response.getNotApplicableList());
    },
    async remediate(resource) {
      return remediateResult(await encodedCall(client, REMEDIATE_METHOD, analyzeRequestBytes(resource), RemediateResponse.deserializeBinary));
    },
    async close() {
      if (closed) return;
      closed = true;
      client.close();
      await stopProcess(child);
      await engine?.close();
    },
  };
  return session;
}

/** The gRPC methods of the analyzer service (@pulumi/pulumi/proto/analyzer_grpc_pb.js) that take encoded requests here. */
export const ANALYZE_METHOD = "/pulumirpc.Analyzer/Analyze";
export const ANALYZE_STACK_METHOD = "/pulumirpc.Analyzer/AnalyzeStack";
export const REMEDIATE_METHOD = "/pulumirpc.Analyzer/Remediate";

/** A unary call of `method` with a request already encoded, through `client`; the answer decoded by `decode` (default `AnalyzeResponse`). */
export function encodedCall<Res = AnalyzeResponse>(
  client: grpc.Client,
  method: string,
  request: Buffer,
  decode: (bytes: Uint8Array) => Res = AnalyzeResponse.deserializeBinary as unknown as (bytes: Uint8Array) => Res,
): Promise<Res> {
  return new Promise((resolvePromise, reject) =>
    client.makeUnaryRequest(
      method,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => decode(new Uint8Array(bytes)),
      request,
      (err: grpc.ServiceError | null, response?: Res) => (err || !response ? reject(err ?? new Error(`${method} returned nothing`)) : resolvePromise(response)),
    ),
  );
}

function schemaDefaults(properties: Record<string, unknown> | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(properties ?? {})) {
    if (schema !== null && typeof schema === "object" && "default" in schema) defaults[key] = (schema as { default: unknown }).default;
  }
  return defaults;
}
