import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { LogRequest } from "@pulumi/pulumi/proto/engine_pb";

/** A message a plugin sent to the engine's `Log`. */
export interface EngineLogEntry {
  readonly severity: number;
  readonly message: string;
  readonly urn: string;
}

/**
 * The part of the Pulumi engine a policy pack may call: `Log`. The engine passes its address as the first argument
 * of `run-policy-pack`; the Node runner (3.x) drops that argument and logs through the engine only when
 * `PULUMI_NODEJS_ENGINE` is set, so this stub mostly proves nothing is logged. Listens on 127.0.0.1 only.
 */
export interface EngineStub {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Every Log call received, in order. */
  readonly logs: readonly EngineLogEntry[];
  close(): Promise<void>;
}

export async function startEngineStub(): Promise<EngineStub> {
  const logs: EngineLogEntry[] = [];
  const server = new grpc.Server();
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: "not part of the policy-pack test engine" } as grpc.ServiceError, null);
  server.addService(EngineService, {
    log: (call: grpc.ServerUnaryCall<LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
      logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
      callback(null, new Empty());
    },
    getRootResource: unimplemented,
    setRootResource: unimplemented,
    startDebugging: unimplemented,
    requirePulumiVersion: unimplemented,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
