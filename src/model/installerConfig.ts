import { CacheType, type AuthSettings, type InstallerFacts } from "./fleet";
import { isPlainObject } from "./lookup";
import { absent, known, type Observed } from "./observed";
import { SettingsReader } from "./settingsReader";

/** Group/version/kind of ks-installer's ClusterConfiguration (KubeSphere 3.x). */
export const CLUSTER_CONFIGURATION = { apiVersion: "installer.kubesphere.io/v1alpha1", kind: "ClusterConfiguration", name: "ks-installer" } as const;

/** `v3.4.1` or `3.4` → `3.4`. */
export function kubesphereMinor(version: unknown): string | undefined {
  const match = typeof version === "string" ? /^v?(\d+)\.(\d+)/.exec(version.trim()) : null;
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/**
 * The auth settings ks-installer will render from a ClusterConfiguration `ks-installer` (`metadata` and `spec` as
 * plain data). What the installer derives is stated as it derives it, per version (see `renderedAccessTokenMaxAge`).
 */
export function readClusterConfiguration(object: { metadata?: unknown; spec?: unknown }, source: string): AuthSettings {
  // Read from the object's root, so that every source names the key as kubectl shows it: `spec.multicluster.clusterRole`.
  const meta = new SettingsReader({ metadata: object.metadata }, source);
  const spec = new SettingsReader({ spec: object.spec }, source);
  const version = meta.raw(["metadata", "labels", "version"]);
  const installer: InstallerFacts = {
    ...(version.state === "known" && kubesphereMinor(version.value) ? { version: kubesphereMinor(version.value)! } : {}),
    clusterRole: stringAt(spec, ["spec", "multicluster", "clusterRole"]),
    ...oauthOptionKeys(spec),
    oauthAccessTokenMaxAge: spec.duration(["spec", "authentication", "oauthOptions", "accessTokenMaxAge"]),
  };
  const role = spec.role(["spec", "multicluster", "clusterRole"]);
  return {
    source,
    kind: "installer",
    role,
    jwtSecret: spec.secret(["spec", "authentication", "jwtSecret"]),
    accessTokenMaxAge: renderedAccessTokenMaxAge(role, installer, spec.where(["spec", "multicluster", "clusterRole"])),
    maximumClockSkew: spec.duration(["spec", "authentication", "maximumClockSkew"]),
    cache: redisOf(spec),
    problems: [...meta.problems, ...spec.problems],
    installer,
  };
}

function stringAt(reader: SettingsReader, path: readonly string[]): Observed<string> {
  const value = reader.raw(path);
  return value.state === "known" ? known(String(value.value), value.source) : value;
}

function oauthOptionKeys(spec: SettingsReader): { oauthOptionKeys?: string[] } {
  const options = spec.raw(["spec", "authentication", "oauthOptions"]);
  return options.state === "known" && isPlainObject(options.value) ? { oauthOptionKeys: Object.keys(options.value) } : {};
}

/**
 * What ks-installer's `roles/ks-core/config/templates/kubesphere-config.yaml.j2` renders for
 * `authentication.oauthOptions.accessTokenMaxAge`, as ks-apiserver then reads it (kubesphere/ks-installer tags):
 * - v3.0.0: a member gets `accessTokenMaxAge: 0`; `spec.authentication.oauthOptions` is not rendered.
 * - v3.1.1: `spec.authentication.oauthOptions` when set (`if … elif`), else a member's 0, so any oauthOptions drops the 0.
 * - v3.2.1: a member gets only the 0; otherwise the spec's oauthOptions.
 * - v3.3.2, v3.4.1: the spec's oauthOptions, then a member's 0 after it. A member that also sets accessTokenMaxAge
 *   gets the key twice; ks-apiserver 3.x keeps the last (yaml.v2 non-strict), so the member reads 0.
 */
function renderedAccessTokenMaxAge(role: Observed<string>, installer: InstallerFacts, roleSource: string): Observed<number> {
  if (role.state === "unknown") return role;
  const member = role.state === "known" && role.value === "member";
  const fromSpec = installer.oauthAccessTokenMaxAge;
  const zero = known(0, `${roleSource} (ks-installer renders accessTokenMaxAge: 0 for members)`);
  switch (installer.version) {
    case "3.0":
      return member ? zero : absent(fromSpec.source);
    case "3.1":
      if (installer.oauthOptionKeys !== undefined) return fromSpec;
      return member ? zero : absent(fromSpec.source);
    default:
      // 3.2 renders only the member's 0; 3.3/3.4 render the spec's value first and the member's 0 last.
      return member ? zero : fromSpec;
  }
}

/** ks-installer deploys Redis and points ks-apiserver's cache at it when `spec.common.redis.enabled` is true. */
function redisOf(spec: SettingsReader): Observed<CacheType> {
  const enabled = spec.raw(["spec", "common", "redis", "enabled"]);
  if (enabled.state !== "known") return enabled;
  return known(enabled.value === true ? CacheType.redis : CacheType.inMemory, enabled.source);
}

/** A ClusterConfiguration `spec` with a patch merged in, as a server-side apply of the patch leaves it. */
export function mergeSpec(live: unknown, patch: unknown): unknown {
  if (!isPlainObject(live) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...live };
  for (const [key, value] of Object.entries(patch)) merged[key] = isPlainObject(value) ? mergeSpec(live[key], value) : value;
  return merged;
}

/** Whether a patch sets any field of a ClusterConfiguration `spec` to a value it does not already have. */
export function changesSpec(live: unknown, patch: unknown): boolean {
  if (!isPlainObject(patch)) return !sameScalar(live, patch);
  const entries = Object.entries(patch);
  if (entries.length === 0) return !isPlainObject(live);
  return entries.some(([key, value]) => changesSpec(isPlainObject(live) ? live[key] : undefined, value));
}

/** Kubernetes stores what YAML gave it; `0` and `"0"` differ as JSON, and so they do to ks-installer's template. */
function sameScalar(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
