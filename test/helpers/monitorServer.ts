/**
 * The engine's resource monitor for a provider's Construct, served over gRPC on 127.0.0.1 from the fleet mocks: reads
 * answered from each cluster's objects, every registration recorded (with its parent and secret inputs). Installs
 * the mocks in this process too, since the mock monitor serializes its answers with this process's runtime.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { SupportsFeatureResponse } from "@pulumi/pulumi/proto/resource_pb";
import { FleetMocks, type RecordedResource } from "../../src/mocks/kubernetesMocks";
import { RecordingMonitor, installMocks } from "../../src/mocks/runUnderMocks";
import type { KubernetesObject } from "../../src/model/kubernetesObjects";

export interface MonitorServer {
  /** `127.0.0.1:<port>`, for ConstructRequest.monitorEndpoint. */
  readonly address: string;
  /** Every registration and read received, in order. */
  readonly resources: readonly RecordedResource[];
  close(): Promise<void>;
}

type Handler = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

export async function startMonitorServer(project: string, stack: string, objects: ReadonlyMap<string, readonly KubernetesObject[]>): Promise<MonitorServer> {
  const mocks = new FleetMocks(objects);
  await installMocks(mocks, project, stack, false);
  const monitor = new RecordingMonitor(mocks);
  const forward = (method: (req: never, cb: (err: unknown, res: unknown) => void) => unknown): Handler => (call, callback) =>
    void method.call(monitor, call.request as never, (err, res) => callback(err as grpc.ServiceError | null, res));
  const unimplemented: Handler = (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: "not part of the test monitor" } as grpc.ServiceError, null);
  const handlers: Record<string, Handler> = Object.fromEntries(Object.keys(ResourceMonitorService).map((name) => [name, unimplemented]));
  Object.assign(handlers, {
    registerResource: forward(monitor.registerResource),
    readResource: forward(monitor.readResource),
    invoke: forward(monitor.invoke),
    registerPackage: forward(monitor.registerPackage),
    // The mock monitor answers these two with plain objects; the wire needs the messages.
    registerResourceOutputs: ((call, callback) => monitor.registerResourceOutputs(call.request, (err) => callback(err as grpc.ServiceError | null, new Empty()))) as Handler,
    supportsFeature: ((call, callback) =>
      monitor.supportsFeature(call.request, (err: unknown, res: { getHassupport(): boolean }) =>
        callback(err as grpc.ServiceError | null, new SupportsFeatureResponse().setHassupport(res.getHassupport())),
      )) as Handler,
  });
  const server = new grpc.Server();
  server.addService(ResourceMonitorService, handlers as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    resources: mocks.resources,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
