import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as state from "@pulumi/pulumi/runtime/state";
import { PROJECT } from "../config/fleetDeclaration";
import type { FleetConfigInput } from "../config/validateFleetConfig";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { lookup } from "../model/lookup";
import type { FleetOutputs } from "../program/fleetProgram";
import { FleetMocks, type ClusterOf, type RecordedResource } from "./kubernetesMocks";

/** The stack config as the engine hands it to the program: full keys, objects as JSON, and which keys are secret. */
export interface StackConfig {
  readonly config: Record<string, string>;
  readonly secretKeys: readonly string[];
}

/**
 * A `FleetConfigInput` as engine config. `clusters` is marked secret when any cluster gives kubeconfig `content`
 * (a nested secure value makes the whole key secret); `jwtSecret` is always secret.
 */
export function stackConfigOf(input: FleetConfigInput): StackConfig {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const set = (key: keyof FleetConfigInput, value: unknown, secret: boolean): void => {
    if (value === undefined) return;
    config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) secretKeys.push(`${PROJECT}:${key}`);
  };
  const hasContent = Array.isArray(input.clusters) && input.clusters.some((c: unknown) => lookup(c, ["kubeconfig", "content"]).state !== "absent");
  set("clusters", input.clusters, hasContent);
  set("jwtSecret", input.jwtSecret, true);
  set("namespace", input.namespace, false);
  set("configMap", input.configMap, false);
  set("hostJwtSecretFingerprint", input.hostJwtSecretFingerprint, false);
  return { config, secretKeys };
}

export interface MockRunOptions {
  readonly stack: string;
  readonly config: StackConfig;
  /** Per cluster name, the objects its `.get` reads see (kubectl `get -o yaml` shape). */
  readonly objects: ReadonlyMap<string, readonly KubernetesObject[]>;
  /** Relative kubeconfig paths resolve against this directory. */
  readonly projectRoot: string;
  readonly preview?: boolean;
  /** Called with every registration and read as the program makes it. */
  readonly onResource?: (resource: RecordedResource) => void;
}

export interface MockRunResult {
  /** The stack outputs, when the program succeeded. */
  readonly outputs?: FleetOutputs;
  /** The program's error (a `pulumi.RunError` for bad input), when it failed. */
  readonly error?: Error;
  /** Every registration and read, in order. */
  readonly resources: readonly RecordedResource[];
}

/**
 * Runs the fleet program under mocks for one stack config and the clusters' objects. Mocks and config are
 * process-global in the Pulumi SDK: each call reinstalls both, so runs may follow one another in a process, but two
 * runs must never overlap.
 */
export async function runFleetUnderMocks(options: MockRunOptions): Promise<MockRunResult> {
  const run = await runUnderMocks({ ...options, project: PROJECT, ...(options.onResource ? { onResource: options.onResource } : {}) }, async () => {
    // Imported only now: the program must see the mocks, never a real engine.
    const { fleetMain } = require("../program/main") as typeof import("../program/main");
    return (await fleetMain(options.projectRoot)).outputs;
  });
  return { ...(run.value ? { outputs: run.value } : {}), ...(run.error ? { error: run.error } : {}), resources: run.resources };
}

export interface ProgramRunOptions {
  readonly project: string;
  readonly stack: string;
  readonly config: StackConfig;
  /** Per provider name, the objects its `.get` reads see (kubectl `get -o yaml` shape). */
  readonly objects: ReadonlyMap<string, readonly KubernetesObject[]>;
  readonly preview?: boolean;
  readonly onResource?: MockRunOptions["onResource"];
  /** Which cluster's objects a read sees (default: the provider's name). */
  readonly clusterOf?: ClusterOf;
}

/**
 * Runs a Pulumi program (`body`, which imports or builds it) under the fleet mocks with this project, stack and
 * config, and waits for every registration. `error` is what `body` threw.
 */
export async function runUnderMocks<T>(options: ProgramRunOptions, body: () => Promise<T>): Promise<{ value?: T; error?: Error; resources: readonly RecordedResource[]; outputs: ReadonlyMap<string, Record<string, unknown>> }> {
  const mocks = new FleetMocks(options.objects, options.onResource, options.clusterOf);
  await installMocks(mocks, options.project, options.stack, options.preview ?? false);
  pulumi.runtime.setAllConfig(options.config.config, [...options.config.secretKeys]);
  // The SDK records a stack trace for every output promise, for a leak message no mock run prints; under tsx each
  // frame goes through a source map. The bench measured half of a 1,000-cluster run spent there. The program
  // reports user mistakes as RunError messages, which need no trace.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const value = await body();
    await waitForRPCs();
    return { value, resources: mocks.resources, outputs: mocks.outputs };
  } catch (error) {
    await waitForRPCs().catch(() => undefined);
    return { error: error instanceof Error ? error : new Error(String(error)), resources: mocks.resources, outputs: mocks.outputs };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Like `pulumi.runtime.setMocks`, with a monitor that also tells the mocks what the request said beyond the inputs. */
export async function installMocks(mocks: FleetMocks, project: string, stack: string, preview: boolean): Promise<void> {
  await pulumi.runtime.setMocks(mocks, project, stack, preview);
  // setMockOptions resets the feature flags (secrets among them) that setMocks just turned on: keep them.
  const store = (state as unknown as { getStore(): Record<string, unknown> }).getStore();
  const features = Object.fromEntries(Object.entries(store).filter(([key]) => key.startsWith("supports")));
  settings.setMockOptions(new RecordingMonitor(mocks), project, stack, preview);
  Object.assign(store, features);
}

/** A mock monitor that also tells the fleet mocks what each request said beyond its inputs (parent, secrets, options). */
export class RecordingMonitor extends MockMonitor {
  constructor(private readonly fleetMocks: FleetMocks) {
    super(fleetMocks);
  }

  override async registerResource(req: WireRequest, callback: (err: unknown, response: unknown) => void): Promise<void> {
    this.fleetMocks.noteRequest(req.getType(), req.getName(), {
      secretPaths: secretPaths(req.getObject().toJavaScript()),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      retainOnDelete: req.getRetainondelete?.() ?? false,
      dependencies: req.getDependenciesList(),
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
      ...parentOf(req),
      ...(req.getVersion?.() ? { version: req.getVersion!() } : {}),
    });
    return super.registerResource(req, callback);
  }

  // The SDK's own signature takes `any` here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override registerResourceOutputs(req: any, callback: (err: unknown, response: unknown) => void): void {
    const request = req as OutputsRequest;
    this.fleetMocks.noteOutputs(request.getUrn(), (request.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>);
    super.registerResourceOutputs(req, callback);
  }

  override async readResource(req: WireRequest, callback: (err: unknown, response: unknown) => void): Promise<void> {
    this.fleetMocks.noteRequest(req.getType(), req.getName(), {
      secretPaths: secretPaths(req.getProperties().toJavaScript()),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      retainOnDelete: false,
      dependencies: req.getDependenciesList(),
      ignoreChanges: [],
      ...parentOf(req),
      ...(req.getVersion?.() ? { version: req.getVersion!() } : {}),
    });
    return super.readResource(req, callback);
  }
}

/** The request's parent, unless it is the stack itself. */
function parentOf(req: WireRequest): { parent?: string } {
  const parent = req.getParent?.();
  return parent && parent.split("::")[2] !== "pulumi:pulumi:Stack" ? { parent } : {};
}

interface WireRequest {
  getParent?(): string;
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): unknown };
  getProperties(): { toJavaScript(): unknown };
  getAdditionalsecretoutputsList(): string[];
  getDependenciesList(): string[];
  getRetainondelete?(): boolean | undefined;
  getIgnorechangesList?(): string[];
  getVersion?(): string;
}

interface OutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): unknown } | undefined;
}

/** Paths of values wrapped in Pulumi's secret signature in a serialized property map. */
export function secretPaths(value: unknown, path: string[] = []): string[] {
  if (value === null || typeof value !== "object") return [];
  const record = value as Record<string, unknown>;
  if (record[specialSigKey] === specialSecretSig) return [path.join(".")];
  return Object.entries(record).flatMap(([key, child]) => secretPaths(child, [...path, key]));
}

/** The SDK's wait for outstanding registrations (internal, so missing from its typings). */
function waitForRPCs(): Promise<void> {
  return (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
