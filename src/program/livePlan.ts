import { ManageMode, hostOf, type FleetDeclaration } from "../config/fleetDeclaration";
import type { ClusterPlan, FleetPlan } from "./clusterPlan";
import { planConfigMap } from "./configMapPlan";
import { fleetSecret } from "./fleetSecret";
import { planInstaller } from "./installerPlan";
import type { LiveCluster } from "./liveCluster";

/**
 * Decides, from the validated fleet and what was read from each cluster, what to write where. Pure: the same
 * input gives the same plan, so a second run with nothing new declares identical inputs. Any problem empties the
 * plan, so nothing is declared.
 */
export function planFleet(fleet: FleetDeclaration, live: ReadonlyMap<string, LiveCluster>): FleetPlan {
  const errors: string[] = [];
  const secret = fleetSecret(fleet, live.get(hostOf(fleet).name) ?? {}, errors);
  const plans: ClusterPlan[] = [];
  for (const cluster of fleet.clusters) {
    if (!secret) break;
    const context = { cluster, names: fleet.names, secret: secret.value, where: `Stack '${fleet.stack}', ${cluster.label}`, errors };
    const objects = live.get(cluster.name) ?? {};
    const plan = cluster.mode === ManageMode.installer ? planInstaller(context, objects) : planConfigMap(context, objects);
    if (plan) plans.push(plan);
  }
  return { plans: errors.length ? [] : plans, jwtSecretSource: secret?.source ?? "none", errors };
}
