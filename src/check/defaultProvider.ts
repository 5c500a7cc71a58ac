import { secret, type ProviderInput, type ResourceInput } from "../engine";
import type { RecordedResource } from "../mocks/kubernetesMocks";
import type { StackConfig as EngineConfig } from "../mocks/runUnderMocks";

export const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/**
 * The engine's default provider of a package, for a custom resource registered without an explicit provider
 * (pulumi/pulumi v3.248.0):
 * - name: `default`, then `_<major>_<minor>_<patch>`, then `_<pre>` per pre-release part and `_<build>` per build part
 *   of the version the SDK asked for (pkg/resource/deploy/providers/provider.go:107–137, ProviderRequest.DefaultName);
 * - type `pulumi:providers:<package>`, no parent (pkg/resource/deploy/default_providers.go:163–167), so its URN is
 *   `urn:pulumi:<stack>::<project>::pulumi:providers:<package>::<name>`;
 * - inputs: the stack config of the package's namespace (`kubernetes:context` → `context`,
 *   default_providers.go:141 GetPackageConfig) and `version` (default_providers.go:146–147 and
 *   providers/registry.go:165–171 SetProviderVersion).
 * A pluginDownloadURL in the name (provider.go:129–131) is not modelled: the SDK sends none for @pulumi/kubernetes.
 */
export function defaultProviderName(version: string | undefined): string {
  if (!version) return "default";
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version.trim());
  if (!match) return "default";
  const [, major, minor, patch, pre, build] = match;
  const parts = [`_${Number(major)}_${Number(minor)}_${Number(patch)}`, ...(pre ? pre.split(".").map((p) => `_${p}`) : []), ...(build ? build.split(".").map((b) => `_${b}`) : [])];
  return `default${parts.join("")}`;
}

/** The package of a type token: `kubernetes:helm.sh/v3:Release` → `kubernetes`. */
export function packageOf(type: string): string {
  return type.split(":", 1)[0]!;
}

/** The default providers a run's resources need, each made (and handed to the pack) once, as the engine registers it once. */
export class DefaultProviders {
  private readonly made = new Map<string, ProviderInput>();

  constructor(
    private readonly stack: string,
    private readonly project: string,
    private readonly config: EngineConfig,
  ) {}

  /**
   * The default provider of a resource registered without one, and whether it is new (then the engine registers it,
   * and a pack analyses it, before the resource). Undefined for what needs no provider (a component, a provider).
   */
  of(resource: RecordedResource): { provider: ProviderInput; registered?: ResourceInput } | undefined {
    if (!resource.custom || resource.provider || resource.type.startsWith(PROVIDER_TYPE_PREFIX)) return undefined;
    const pkg = packageOf(resource.type);
    const name = defaultProviderName(resource.version);
    const key = `${pkg}\0${name}`;
    const existing = this.made.get(key);
    if (existing) return { provider: existing };
    const type = `${PROVIDER_TYPE_PREFIX}${pkg}`;
    const properties: Record<string, unknown> = {};
    for (const [full, value] of Object.entries(this.config.config)) {
      if (!full.startsWith(`${pkg}:`)) continue;
      properties[full.slice(pkg.length + 1)] = this.config.secretKeys.includes(full) ? secret(value) : value;
    }
    if (resource.version) properties["version"] = resource.version;
    const provider: ProviderInput = { type, name, urn: `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`, properties };
    this.made.set(key, provider);
    return { provider, registered: { type, name, urn: provider.urn!, properties } };
  }
}
