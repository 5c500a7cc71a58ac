import { ManageMode, type FleetDeclaration } from "../config/fleetDeclaration";
import type { ClusterPlan, FleetPlan } from "./clusterPlan";
import { planConfigMap } from "./configMapPlan";
import { fleetSecret } from "./fleetSecret";
import { planInstaller } from "./installerPlan";
import type { LiveCluster } from "./liveCluster";

/** Stands in for a secret that could not be had, so every other cluster is still checked; never declared. */
const CHECK_ONLY_SECRET = "check-only-placeholder-never-declared";

/**
 * Decides, from the validated fleet and what was read from each cluster, what to write where. Pure: the same
 * input gives the same plan, so a second run with nothing new declares identical inputs. Every problem is
 * reported, and any problem empties the plan, so nothing is declared. Clusters in `unreadable` (their reads failed
 * and were reported already) are skipped.
 */
export function planFleet(fleet: FleetDeclaration, live: ReadonlyMap<string, LiveCluster>, unreadable: ReadonlySet<string> = new Set()): FleetPlan {
  const errors: string[] = [];
  const secret = fleetSecret(fleet, live, unreadable, errors);
  const plans: ClusterPlan[] = [];
  for (const cluster of fleet.clusters) {
    if (unreadable.has(cluster.name)) continue;
    const context = { cluster, names: fleet.names, secret: secret?.value ?? CHECK_ONLY_SECRET, where: `Stack '${fleet.stack}', ${cluster.label}`, errors };
    const objects = live.get(cluster.name) ?? {};
    const plan = cluster.mode === ManageMode.installer ? planInstaller(context, objects) : planConfigMap(context, objects);
    if (plan) plans.push(plan);
  }
  const complete = secret !== undefined && unreadable.size === 0 && errors.length === 0;
  return { plans: complete ? plans : [], jwtSecretSource: secret?.source ?? "none", errors };
}
