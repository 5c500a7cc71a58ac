import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetDeclaration } from "../config/fleetDeclaration";
import { declareConfigPatches, declareInstallerObservation, declareRestart } from "./declareFleet";
import type { ClusterSummary } from "./clusterPlan";
import type { LiveCluster } from "./liveCluster";
import { planFleet } from "./livePlan";
import { clusterProvider, readLiveCluster } from "./readLive";

export interface FleetOutputs {
  /** Per cluster: role, version, mode, jwtSecret fingerprint and effective accessTokenMaxAge. Never the secret. */
  readonly clusters: Record<string, ClusterSummary>;
  readonly jwtSecretSource: string;
}

export interface FleetRun {
  readonly outputs: FleetOutputs;
  /** Everything declared (providers included), so a caller can wait for the registrations. */
  readonly resources: readonly pulumi.Resource[];
}

/**
 * The program: a provider per cluster, then every read, then the plan, and only when the whole plan is valid the
 * patches. A problem anywhere throws a `RunError` before any patch is declared.
 */
export async function declareFleet(fleet: FleetDeclaration): Promise<FleetRun> {
  const providers = new Map<string, k8s.Provider>(fleet.clusters.map((c) => [c.name, clusterProvider(c)]));
  const live = new Map<string, LiveCluster>();
  const reads = await Promise.allSettled(fleet.clusters.map(async (c) => [c.name, await readLiveCluster(fleet, c, providers.get(c.name)!)] as const));
  const readErrors: string[] = [];
  const unreadable = new Set<string>();
  reads.forEach((r, i) => {
    if (r.status === "fulfilled") {
      live.set(r.value[0], r.value[1]);
    } else {
      readErrors.push(errorText(r.reason));
      unreadable.add(fleet.clusters[i]!.name);
    }
  });
  const plan = planFleet(fleet, live, unreadable);
  const errors = [...readErrors, ...plan.errors];
  if (errors.length) {
    throw new pulumi.RunError(`The fleet cannot be declared (${errors.length} problem(s)); no patch was declared.\n${errors.map((e) => `- ${e}`).join("\n")}`);
  }
  const resources: pulumi.Resource[] = [...providers.values()];
  const clusters: Record<string, ClusterSummary> = {};
  // Every cluster's config first, then the restarts, each after the config patches of the whole fleet.
  const configPatches = plan.plans.flatMap((p) => declareConfigPatches(p, providers.get(p.cluster.name)!, fleet.names));
  resources.push(...configPatches);
  for (const clusterPlan of plan.plans) {
    const observation = declareInstallerObservation(clusterPlan, providers.get(clusterPlan.cluster.name)!, fleet.names);
    if (observation) resources.push(observation);
    const restart = declareRestart(clusterPlan, providers.get(clusterPlan.cluster.name)!, fleet.names, configPatches);
    if (restart) resources.push(restart);
    clusters[clusterPlan.cluster.name] = clusterPlan.summary;
  }
  return { outputs: { clusters, jwtSecretSource: plan.jwtSecretSource }, resources };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
