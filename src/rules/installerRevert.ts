import { formatDuration } from "../model/duration";
import type { AuthSettings } from "../model/fleet";
import type { Observed } from "../model/observed";

/** ks-apiserver's accessTokenMaxAge when kubesphere.yaml leaves it out (3.x and 4.x): 2h. */
const DEFAULT_MAX_AGE_SECONDS = 7200;

/** One auth setting that ks-installer's next run would write differently from what kubesphere-config holds. */
export interface InstallerRevert {
  /** The kubesphere.yaml key, e.g. `authentication.oauthOptions.accessTokenMaxAge`. */
  readonly key: string;
  /** What ks-installer renders, and from where (a fingerprint or duration, never a secret). */
  readonly rendered: string;
  /** What kubesphere-config holds. */
  readonly config: string;
  readonly setting: "jwtSecret" | "accessTokenMaxAge" | "clusterRole";
  /** The rendered value itself, for a role or a max age (seconds); never a secret. */
  readonly renderedValue?: string | number;
}

/**
 * The auth settings a 3.x kubesphere-config holds that the ClusterConfiguration would render otherwise. ks-installer
 * renders and applies the whole ConfigMap on each run (when `.spec` changes and when its pod starts), so each of
 * these goes back to the rendered value then. Unknown values are not compared. A jwtSecret the spec leaves empty is
 * taken from Secret kubesphere-secret, which this comparison does not see, so it is not compared either.
 */
export function installerReverts(installer: AuthSettings, config: AuthSettings): InstallerRevert[] {
  const reverts: InstallerRevert[] = [];
  const renderedAge = seconds(installer.accessTokenMaxAge);
  const configAge = seconds(config.accessTokenMaxAge);
  if (renderedAge !== undefined && configAge !== undefined && renderedAge !== configAge) {
    reverts.push({
      setting: "accessTokenMaxAge",
      key: "authentication.oauthOptions.accessTokenMaxAge",
      rendered: `${describeAge(installer.accessTokenMaxAge)} (${installer.accessTokenMaxAge.source})`,
      config: describeAge(config.accessTokenMaxAge),
      renderedValue: renderedAge,
    });
  }
  const renderedSecret = installer.jwtSecret;
  const configSecret = config.jwtSecret;
  if (renderedSecret.state === "known" && configSecret.state === "known" && renderedSecret.value.digest !== configSecret.value.digest) {
    reverts.push({
      setting: "jwtSecret",
      key: "authentication.jwtSecret",
      rendered: `${renderedSecret.value.fingerprint} (${renderedSecret.source})`,
      config: configSecret.value.fingerprint,
    });
  }
  const renderedRole = installer.role;
  const configRole = config.role;
  // Only a config that writes multicluster.clusterRole (3.3+) says a role of its own; 3.0–3.2 never write it.
  if (renderedRole.state === "known" && configRole.state === "known" && configRole.source.endsWith("multicluster.clusterRole") && renderedRole.value !== configRole.value) {
    reverts.push({ setting: "clusterRole", key: "multicluster.clusterRole", rendered: `${renderedRole.value} (${renderedRole.source})`, config: configRole.value, renderedValue: renderedRole.value });
  }
  return reverts;
}

function seconds(observed: Observed<number>): number | undefined {
  if (observed.state === "unknown") return undefined;
  return observed.state === "known" ? observed.value : DEFAULT_MAX_AGE_SECONDS;
}

function describeAge(observed: Observed<number>): string {
  return observed.state === "known" ? formatDuration(observed.value) : "not set (ks-apiserver then uses 2h)";
}
