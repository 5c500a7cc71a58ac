import { ClusterRole, type AuthSettings, type ClusterView } from "./fleet";
import type { Observed } from "./observed";

/**
 * The role a cluster plays: the ClusterConfiguration's when it states one (ks-installer owns 3.x configs), then any
 * other source's, then the declared role. `undefined` when nothing states a role.
 */
export function roleOf(cluster: ClusterView): ClusterRole | undefined {
  const ordered = [...cluster.settings].sort((a, b) => rank(a) - rank(b));
  for (const settings of ordered) {
    if (settings.role.state === "known" && settings.role.value !== ClusterRole.none) return settings.role.value;
  }
  if (cluster.declaredRole) return cluster.declaredRole;
  for (const settings of ordered) if (settings.role.state === "known") return settings.role.value;
  return undefined;
}

function rank(settings: AuthSettings): number {
  return settings.kind === "installer" ? 0 : settings.kind === "helm-values" ? 1 : 2;
}

/** Every observation of one setting across a cluster's sources. */
export function observationsOf<K extends "jwtSecret" | "accessTokenMaxAge" | "maximumClockSkew" | "cache" | "role">(
  cluster: ClusterView,
  key: K,
): AuthSettings[K][] {
  return cluster.settings.map((s) => s[key]);
}

/** Whether any observation in the list is a preview unknown. */
export function anyUnknown(observations: readonly Observed<unknown>[]): boolean {
  return observations.some((o) => o.state === "unknown");
}
