import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { SECRET_SIG, SPECIAL_SIG_KEY } from "../engine/wire";
import { isPlainObject, lookup } from "../model/lookup";


/** One resource the program registered or read, as the engine would have received it. */
export interface RecordedResource {
  /** e.g. `pulumi:providers:kubernetes`, `kubernetes:core/v1:ConfigMapPatch`. */
  readonly type: string;
  readonly name: string;
  /** Inputs with secrets unwrapped to their plain values. */
  readonly inputs: Record<string, unknown>;
  /** The cluster: the provider's name for a provider, else the name of the provider the resource uses. */
  readonly cluster?: string;
  /** Dotted paths of the inputs that travelled as Pulumi secrets on the wire (e.g. `data.kubesphere.yaml`). */
  readonly secretPaths: readonly string[];
  /** Outputs the engine is asked to keep as secrets (`additionalSecretOutputs`). */
  readonly additionalSecretOutputs: readonly string[];
  /** `retainOnDelete`: the engine leaves the object as it is when the resource is deleted. */
  readonly retainOnDelete: boolean;
  /** URNs this resource depends on. */
  readonly dependencies: readonly string[];
  /** `ignoreChanges`: input paths the engine keeps at their last applied value on an update. */
  readonly ignoreChanges: readonly string[];
  /** The URN of the resource's parent (a component such as KubeSphereFleet), when it has one besides the stack. */
  readonly parent?: string;
  /** True for a `.get` read, false for a declared resource. */
  readonly read: boolean;
  readonly id?: string;
  /** The explicit provider reference the request named (`<provider urn>::<id>`), if any. */
  readonly provider?: string;
  /** A custom resource (a provider's), not a component. */
  readonly custom?: boolean;
  /** The version of the resource's package the SDK asked for (the version of a default provider). */
  readonly version?: string;
}

/** What a registration or read request carries besides its inputs. */
export type RequestFacts = Pick<RecordedResource, "secretPaths" | "additionalSecretOutputs" | "retainOnDelete" | "dependencies" | "ignoreChanges" | "parent" | "version">;

/** Which cluster's objects a resource sees: by default its provider's name (`clusterOfProvider`). */
export type ClusterOf = (resource: { type: string; name: string; provider?: string }, providerName: string | undefined) => string | undefined;

const STACK_TYPE = "pulumi:pulumi:Stack";

/** A resource's URN as the engine forms it: its type qualified by its parents' types (the stack's left out). */
export function qualifiedUrn(stack: string, project: string, type: string, name: string, parent?: string): string {
  const parentType = parent?.split("::")[2];
  const qualified = parentType && parentType !== STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";

type MockResult = { id: string | undefined; state: Record<string, unknown> };

/**
 * Pulumi mocks for a fleet: `.get` reads are answered from each cluster's Kubernetes objects (the cluster is the
 * name of the resource's provider), a missing object fails the read as a real cluster would, and every registration
 * is recorded. Register with `installMocks` (src/mocks/runUnderMocks.ts) to also record which inputs were secrets.
 */
export class FleetMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  /** What each component registered as its outputs (`registerOutputs`), by URN. */
  readonly outputs = new Map<string, Record<string, unknown>>();
  private readonly requests = new Map<string, RequestFacts>();

  /** `onRecord` hears of every registration and read as it is recorded (the check analyses each one then). */
  constructor(
    private readonly clusters: ReadonlyMap<string, readonly KubernetesObject[]>,
    private readonly onRecord?: (resource: RecordedResource) => void,
    private readonly clusterOf: ClusterOf = (_resource, providerName) => providerName,
  ) {}

  /** Called by the recording monitor with a component's registered outputs. */
  noteOutputs(urn: string, outputs: Record<string, unknown>): void {
    this.outputs.set(urn, outputs);
  }

  /** Called by the recording monitor, before `newResource`, with what the request said beyond the inputs. */
  noteRequest(type: string, name: string, facts: RequestFacts): void {
    this.requests.set(`${type}::${name}`, facts);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): MockResult | Promise<MockResult> {
    const result = this.record(args);
    // The program's registrations are promise callbacks only: without a turn of the event loop, no I/O would be
    // read until the program ends. A listener (the check sends each resource to the policy pack) needs that I/O.
    return this.onRecord ? new Promise((resolve) => setImmediate(() => resolve(result))) : result;
  }

  private record(args: pulumi.runtime.MockResourceArgs): MockResult {
    const read = args.id !== undefined && args.id !== "";
    const cluster = args.type === KUBERNETES_PROVIDER_TYPE ? args.name : this.clusterOf(args, clusterOfProvider(args.provider));
    const request = this.requests.get(`${args.type}::${args.name}`) ?? { secretPaths: [], additionalSecretOutputs: [], retainOnDelete: false, dependencies: [], ignoreChanges: [] };
    let state: Record<string, unknown> = args.inputs as Record<string, unknown>;
    let id = `${args.name}-id`;
    if (read) {
      state = this.find(args.type, args.id!, cluster) as Record<string, unknown>;
      id = args.id!;
    }
    const recorded: RecordedResource = {
      type: args.type,
      name: args.name,
      inputs: unwrapSecrets(args.inputs) as Record<string, unknown>,
      ...(cluster ? { cluster } : {}),
      ...request,
      read,
      id,
      ...(args.provider ? { provider: args.provider } : {}),
      custom: read || args.custom === true,
    };
    this.resources.push(recorded);
    this.onRecord?.(recorded);
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    throw new Error(`the fleet mocks answer no provider function (${args.token})`);
  }

  /** The object a `.get` of this type and id returns on the cluster; fails like the API server's 404. */
  private find(type: string, id: string, cluster: string | undefined): KubernetesObject {
    const match = /^kubernetes:(.+):([^:]+)$/.exec(type);
    if (!match) throw new Error(`cannot read ${type}: not a Kubernetes type`);
    const apiVersion = match[1] === "core/v1" ? "v1" : match[1]!;
    const kind = match[2]!;
    const [namespace, name] = id.includes("/") ? id.split("/", 2) : [undefined, id];
    const objects = cluster ? (this.clusters.get(cluster) ?? []) : [];
    const found = objects.find(
      (o) => o.kind === kind && o.apiVersion === apiVersion && text(o.metadata, "name") === name && (namespace === undefined || (text(o.metadata, "namespace") ?? "default") === namespace),
    );
    if (!found) throw new Error(`${kind.toLowerCase()}s "${name}" not found (cluster '${cluster ?? "none"}', namespace ${namespace ?? "default"})`);
    return found;
  }
}

/**
 * `urn:pulumi:<stack>::<project>::[<parent types>$]pulumi:providers:kubernetes::<name>::<id>` → `<name>` (a provider
 * that is a component's child carries its parents' types before its own).
 */
export function clusterOfProvider(reference: string | undefined): string | undefined {
  if (!reference) return undefined;
  const parts = reference.split("::");
  return parts.length >= 5 && parts[2]!.split("$").pop() === KUBERNETES_PROVIDER_TYPE ? parts[3] : undefined;
}

function text(metadata: unknown, key: string): string | undefined {
  const found = lookup(metadata, [key]);
  return found.state === "known" ? String(found.value) : undefined;
}

/** The inputs with every secret wrapper replaced by its plain value. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  // An asset's path or text is a promise (settled where it is needed, src/check/programRunner.ts): kept as it is.
  if (!isPlainObject(value) || value instanceof Promise) return value;
  if (value[SPECIAL_SIG_KEY] === SECRET_SIG) return unwrapSecrets(value["value"]);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}
