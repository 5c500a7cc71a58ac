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
 * plain data). What the installer derives is stated as it derives it: a member gets `accessTokenMaxAge: 0` unless
 * `spec.authentication.oauthOptions` changes that (3.1 drops the automatic 0 when any oauthOptions is set).
 */
export function readClusterConfiguration(object: { metadata?: unknown; spec?: unknown }, source: string): AuthSettings {
  const meta = new SettingsReader(object.metadata, source);
  const spec = new SettingsReader(object.spec, source);
  const version = meta.raw(["labels", "version"]);
  const installer: InstallerFacts = {
    ...(version.state === "known" && kubesphereMinor(version.value) ? { version: kubesphereMinor(version.value)! } : {}),
    clusterRole: stringAt(spec, ["multicluster", "clusterRole"]),
    ...oauthOptionKeys(spec),
    oauthAccessTokenMaxAge: spec.duration(["authentication", "oauthOptions", "accessTokenMaxAge"]),
  };
  const role = spec.role(["multicluster", "clusterRole"]);
  return {
    source,
    kind: "installer",
    role,
    jwtSecret: spec.secret(["authentication", "jwtSecret"]),
    accessTokenMaxAge: renderedAccessTokenMaxAge(role, installer, spec.where(["multicluster", "clusterRole"])),
    maximumClockSkew: spec.duration(["authentication", "maximumClockSkew"]),
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
  const options = spec.raw(["authentication", "oauthOptions"]);
  return options.state === "known" && isPlainObject(options.value) ? { oauthOptionKeys: Object.keys(options.value) } : {};
}

function renderedAccessTokenMaxAge(role: Observed<string>, installer: InstallerFacts, roleSource: string): Observed<number> {
  if (installer.oauthAccessTokenMaxAge.state !== "absent") return installer.oauthAccessTokenMaxAge;
  if (role.state === "unknown") return role;
  if (role.state === "known" && role.value === "member") {
    const suppressed = installer.version === "3.1" && installer.oauthOptionKeys !== undefined;
    return suppressed ? absent(roleSource) : known(0, `${roleSource} (ks-installer renders accessTokenMaxAge: 0 for members)`);
  }
  return absent(installer.oauthAccessTokenMaxAge.source);
}

/** ks-installer deploys Redis and points ks-apiserver's cache at it when `spec.common.redis.enabled` is true. */
function redisOf(spec: SettingsReader): Observed<CacheType> {
  const enabled = spec.raw(["common", "redis", "enabled"]);
  if (enabled.state !== "known") return enabled;
  return known(enabled.value === true ? CacheType.redis : CacheType.inMemory, enabled.source);
}
