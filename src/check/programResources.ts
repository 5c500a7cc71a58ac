import type { ProviderInput, ResourceInput } from "../engine";
import { KUBERNETES_PROVIDER_TYPE, qualifiedUrn, type RecordedResource } from "../mocks/kubernetesMocks";
import type { StackConfig as EngineConfig } from "../mocks/runUnderMocks";
import { DefaultProviders, PROVIDER_TYPE_PREFIX } from "./defaultProvider";
import { HELM_RELEASE_TYPE, checkHelmRelease } from "./helmReleaseCheck";
import type { FileLimits } from "./stackFile";
import { wireProperties } from "./toEngineResources";

export interface ProgramResourceOptions {
  readonly stack: string;
  readonly project: string;
  readonly programDir: string;
  readonly config: EngineConfig;
  readonly limits: FileLimits;
  /** How messages name the program and stack. */
  readonly where: string;
}

/**
 * What a program of one's own registers, in the form the engine hands a policy pack: URNs under the program's
 * project, each custom resource with its provider (the explicit one it named, else the engine's default provider,
 * registered and analysed before it, `defaultProvider.ts`), inputs as the provider's Check leaves them where the check
 * knows that Check (a Helm `Release`, `helmReleaseCheck.ts`; every other resource as the program gave it), secrets
 * wrapped, values not known here unknown. `.get` reads are left out, as the engine analyses registrations only.
 */
export class ProgramResourceBuilder {
  readonly resources: ResourceInput[] = [];
  /** The cluster of each resource that belongs to one (the component's children, by the cluster the mocks gave them). */
  readonly clusterOfUrn = new Map<string, string>();
  /** Each recorded resource as the pack saw it (a Release after its Check), for the plan. */
  readonly checked: RecordedResource[] = [];
  private readonly providers = new Map<string, ProviderInput>();
  private readonly defaults: DefaultProviders;

  constructor(private readonly options: ProgramResourceOptions) {
    this.defaults = new DefaultProviders(options.stack, options.project, options.config);
  }

  /** The resources to hand the pack for one registration, in order: a new default provider first, then the resource. */
  add(recorded: RecordedResource): ResourceInput[] {
    this.checked.push(recorded);
    const out: ResourceInput[] = [];
    let provider: ProviderInput | undefined;
    if (recorded.provider) {
      provider = this.providers.get(recorded.provider.split("::").slice(0, -1).join("::"));
    } else {
      // A read without a provider makes the engine register the default provider too.
      const made = this.defaults.of(recorded);
      if (made?.registered) {
        this.resources.push(made.registered);
        this.providers.set(made.provider.urn!, made.provider);
        out.push(made.registered);
      }
      provider = made?.provider;
    }
    if (recorded.read) return out;
    const urn = qualifiedUrn(this.options.stack, this.options.project, recorded.type, recorded.name, recorded.parent);
    let resource = recorded;
    if (recorded.type === HELM_RELEASE_TYPE) {
      const namespace = provider?.properties["namespace"];
      resource = checkHelmRelease(recorded, urn, { programDir: this.options.programDir, defaultNamespace: typeof namespace === "string" && namespace !== "" ? namespace : "default", limits: this.options.limits, where: this.options.where });
      this.checked[this.checked.length - 1] = resource;
    }
    const properties = wireProperties({ ...resource, secretPaths: resource.secretPaths.filter((p) => hasPath(resource.inputs, p)) });
    if (recorded.type.startsWith(PROVIDER_TYPE_PREFIX)) this.providers.set(urn, { type: recorded.type, name: recorded.name, urn, properties });
    if (recorded.cluster && recorded.type !== KUBERNETES_PROVIDER_TYPE) this.clusterOfUrn.set(urn, recorded.cluster);
    const input: ResourceInput = { type: recorded.type, name: recorded.name, urn, properties, ...(provider ? { provider } : {}), ...(recorded.parent ? { parent: recorded.parent } : {}) };
    this.resources.push(input);
    out.push(input);
    return out;
  }
}

function hasPath(value: unknown, path: string): boolean {
  let here: unknown = value;
  for (const key of path.split(".")) {
    if (here === null || typeof here !== "object" || !Object.hasOwn(here, key)) return false;
    here = (here as Record<string, unknown>)[key];
  }
  return true;
}
