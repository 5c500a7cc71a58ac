import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest, type ConstructRequest, type ConstructResponse, type GetSchemaResponse } from "@pulumi/pulumi/proto/provider_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { startEngineStub, type EngineLogEntry } from "./engineStub";
import { pluginOutput, sdkCommandPath, spawnPlugin, stopProcess, unaryCall } from "./pluginProcess";

export interface StartComponentProviderOptions {
  /** How long to wait for the port; default 60 s. */
  readonly startTimeoutMs?: number;
  /** Extra environment for the provider process. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running component provider and a typed client to it. */
export interface ComponentProviderSession {
  /** The raw gRPC client, for calls this wrapper does not cover. */
  readonly client: ResourceProviderClient;
  /** Milliseconds from spawn to the port being printed. */
  readonly startMs: number;
  /** What the provider wrote to stderr so far. */
  stderr(): string;
  /** Log calls the provider made to the stub engine. */
  engineLogs(): readonly EngineLogEntry[];
  /** `GetSchema`, parsed: the package schema `pulumi package add` generates SDKs from. */
  getSchema(): Promise<Record<string, unknown>>;
  /** `GetPluginInfo`: the version the provider reports. */
  getPluginVersion(): Promise<string>;
  /** `Construct`: the engine asks the provider to build a component, whose resources it registers with `request`'s monitor. */
  construct(request: ConstructRequest): Promise<ConstructResponse>;
  /** Closes the client, stops the provider process and the stub engine. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a Node component package the way the engine does for `pulumi package add` and `pulumi up`:
 * `node <@pulumi/pulumi>/cmd/run-plugin <pluginDir> <engine>` with cwd = the plugin dir (the SDK's runner compiles
 * the TypeScript entry with its ts-node; it exits when this process goes, `spawnPlugin`), reads the port it prints and connects a `ResourceProviderClient`.
 */
export async function startComponentProvider(pluginDir: string, options: StartComponentProviderOptions = {}): Promise<ComponentProviderSession> {
  const dir = resolve(pluginDir);
  const engine = await startEngineStub();
  const started = Date.now();
  const child = spawnPlugin(sdkCommandPath(dir, "run-plugin"), [dir, engine.address], {
    cwd: dir,
    // The ts-node the SDK vendors caches what it compiles in the OS temp folder; nothing here reads outside the repository.
    env: { ...process.env, TS_NODE_CACHE: "false", ...options.env },
  });
  const { port, stderr } = await pluginOutput(child, "Component provider", options.startTimeoutMs ?? 60_000, async () => {
    await engine.close();
  });
  const startMs = Date.now() - started;
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> => unaryCall(client, method, request);
  let closed = false;
  return {
    client,
    startMs,
    stderr,
    engineLogs: () => engine.logs,
    async getSchema() {
      const response = await call<GetSchemaRequest, GetSchemaResponse>(client.getSchema, new GetSchemaRequest());
      return JSON.parse(response.getSchema()) as Record<string, unknown>;
    },
    async getPluginVersion() {
      return (await call<Empty, PluginInfo>(client.getPluginInfo, new Empty())).getVersion();
    },
    construct: (request) => call<ConstructRequest, ConstructResponse>(client.construct, request),
    async close() {
      if (closed) return;
      closed = true;
      client.close();
      await stopProcess(child);
      await engine.close();
    },
  };
}
