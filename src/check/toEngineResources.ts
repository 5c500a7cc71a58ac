import type { RecordedResource } from "../mocks/kubernetesMocks";
import { KUBERNETES_PROVIDER_TYPE, qualifiedUrn } from "../mocks/kubernetesMocks";
import { PROJECT } from "../config/fleetDeclaration";
import { isPlainObject } from "../model/lookup";
import { UNKNOWN_VALUE } from "../model/unknownValue";
import { secret, type ProviderInput, type ResourceInput } from "../engine";
import type { StackResource } from "../pack/fleetFromResources";

/** The declared resources in the engine's wire form, and which cluster each URN belongs to. */
export interface EngineResources {
  readonly resources: readonly ResourceInput[];
  readonly clusterOfUrn: ReadonlyMap<string, string>;
}

/**
 * Turns what the program registers under mocks into what the engine sends a policy pack: `.get` reads are left out
 * (the engine analyses registrations only), inputs that were secrets travel secret-wrapped, a string computed from
 * a value not known here (an undecrypted secure config value) travels as the unknown sentinel, and every resource
 * carries its provider with the provider's inputs. One resource at a time, in registration order (a provider is
 * registered before the resources that use it), so each can be analysed as it registers, as the engine does.
 */
export class EngineResourceBuilder {
  readonly resources: ResourceInput[] = [];
  readonly clusterOfUrn = new Map<string, string>();
  private readonly providers = new Map<string, ProviderInput>();

  /** `wrapSecrets: false`: inputs that were secrets stay plain, as the rules read them in this process (`fleetFromResources`). */
  constructor(
    private readonly stack: string,
    private readonly wrapSecrets = true,
  ) {}

  /** The resource in wire form, or `undefined` for a `.get` read. */
  add(r: RecordedResource): ResourceInput | undefined {
    if (r.read) return undefined;
    const urn = urnOf(r, this.stack);
    const properties = wireProperties(r, this.wrapSecrets);
    let provider: ProviderInput | undefined;
    if (r.type === KUBERNETES_PROVIDER_TYPE) {
      this.providers.set(r.name, { type: r.type, name: r.name, urn, properties });
      this.clusterOfUrn.set(urn, r.name);
    } else if (r.cluster) {
      this.clusterOfUrn.set(urn, r.cluster);
      provider = this.providers.get(r.cluster);
    }
    const resource: ResourceInput = { type: r.type, name: r.name, urn, properties, ...(provider ? { provider } : {}), ...(r.parent ? { parent: r.parent } : {}) };
    this.resources.push(resource);
    return resource;
  }
}

/** Every declared resource of a finished run in wire form (see `EngineResourceBuilder`). */
export function toEngineResources(recorded: readonly RecordedResource[], stack: string, wrapSecrets = true): EngineResources {
  const builder = new EngineResourceBuilder(stack, wrapSecrets);
  for (const r of recorded) builder.add(r);
  return builder;
}

/** Every declared resource of a finished run as the rules read a stack (`fleetFromResources`): plain inputs, engine URNs. */
export function toStackResources(recorded: readonly RecordedResource[], stack: string): StackResource[] {
  return toEngineResources(recorded, stack, false).resources.map(({ properties, provider, type, name, urn }) => ({
    type: type ?? "",
    name,
    urn: urn ?? "",
    props: { ...properties },
    ...(provider ? { provider: { type: provider.type ?? "", name: provider.name, urn: provider.urn ?? "", props: { ...provider.properties } } } : {}),
  }));
}

/** The URN the engine gives a recorded resource: its type qualified by its parent's (a component's child). */
function urnOf(resource: RecordedResource, stack: string): string {
  return qualifiedUrn(stack, PROJECT, resource.type, resource.name, resource.parent);
}

/** A recorded resource's inputs with values not known here as the unknown sentinel (secrets left plain). */
export function plainProperties(resource: RecordedResource): Record<string, unknown> {
  return wireProperties(resource, false);
}

export function wireProperties(resource: RecordedResource, wrapSecrets = true): Record<string, unknown> {
  const secretPaths = new Set(wrapSecrets ? resource.secretPaths : []);
  const walk = (value: unknown, path: string[]): unknown => {
    const here = path.join(".");
    const inner = transform(value, path);
    return path.length > 0 && secretPaths.has(here) ? secret(inner) : inner;
  };
  const transform = (value: unknown, path: string[]): unknown => {
    if (typeof value === "string") return value.includes(UNKNOWN_VALUE) ? UNKNOWN_VALUE : value;
    if (isMockUnknown(value)) return UNKNOWN_VALUE;
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)]));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    return value;
  };
  return transform(resource.inputs, []) as Record<string, unknown>;
}

/** How the mock runtime hands over a value not known during preview: the SDK's `Unknown` singleton. */
function isMockUnknown(value: unknown): boolean {
  return isPlainObject(value) && (value as { __pulumiUnknown?: unknown }).__pulumiUnknown === true;
}
