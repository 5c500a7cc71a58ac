import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubeSphereFleetArgs } from "../component/kubeSphereFleetArgs";
import type { FleetDeclaration } from "../config/fleetDeclaration";
import { problemList } from "../config/problemList";
import { kubeconfigSizeProblem } from "../config/kubeconfigCheck";
import { formatConfigError, labelOf, validateFleetConfig, type ConfigError } from "../config/validateFleetConfig";
import { isPlainObject } from "../model/lookup";
import { UNKNOWN_VALUE } from "../model/unknownValue";
import { declareConfigPatches, declareInstallerObservation, declareRestarts } from "./declareFleet";
import type { ClusterSummary } from "./clusterPlan";
import type { LiveCluster } from "./liveCluster";
import { planFleet } from "./livePlan";
import { clusterProvider, readLiveCluster, valueOf, type Children } from "./readLive";

export interface FleetOutputs {
  /** Per cluster: role, version, mode, jwtSecret fingerprint and effective accessTokenMaxAge. Never the secret. */
  readonly clusters: Record<string, ClusterSummary>;
  readonly jwtSecretSource: string;
}

/**
 * What a `KubeSphereFleet` does: validate its args, a provider per cluster that has none, then every read, then the
 * plan, and only when the whole plan is valid the patches, all children of `parent`. A problem anywhere throws a
 * `RunError` before any patch is declared.
 */
export async function declareFleet(parent: pulumi.ComponentResource, name: string, given: KubeSphereFleetArgs): Promise<FleetOutputs> {
  // Missing args (a caller in another language, or an untyped one) are validated as empty: "clusters is not set".
  const givenArgs = (isPlainObject(given) ? given : {}) as Partial<KubeSphereFleetArgs>;
  const clusterList = await knownClusters(givenArgs.clusters);
  if (clusterList === UNKNOWN_CLUSTERS) {
    pulumi.log.warn(`KubeSphereFleet '${name}': clusters is not known during preview (it comes from resources not created yet), so nothing is planned or checked now; the fleet is planned, checked and patched at pulumi up.`, parent);
    return { clusters: {}, jwtSecretSource: "not known during preview" };
  }
  const args = { ...givenArgs, clusters: clusterList } as KubeSphereFleetArgs;
  const fleet = await validateArgs(name, args);
  const children: Children = { parent, ...(args.adoptUnparented ? { aliases: [{ parent: pulumi.rootStackResource }] } : {}) };
  const providers = new Map<string, k8s.Provider>(
    fleet.clusters.map((c, i) => [c.name, args.clusters[i]!.provider ?? clusterProvider(c, args.clusters[i]!.kubeconfig!, children)]),
  );
  const live = new Map<string, LiveCluster>();
  const reads = await Promise.allSettled(fleet.clusters.map(async (c) => [c.name, await readLiveCluster(fleet, c, providers.get(c.name)!, children)] as const));
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
    throw new pulumi.RunError(problemList(`The fleet cannot be declared (${errors.length} problem(s)); no patch was declared.`, errors));
  }
  const clusters: Record<string, ClusterSummary> = {};
  // Every cluster's config first, then the restarts, each after the config patches of the whole fleet.
  const configPatches = plan.plans.flatMap((p) => declareConfigPatches(p, providers.get(p.cluster.name)!, fleet.names, children));
  for (const clusterPlan of plan.plans) {
    declareInstallerObservation(clusterPlan, providers.get(clusterPlan.cluster.name)!, fleet.names, children);
    clusters[clusterPlan.cluster.name] = clusterPlan.summary;
  }
  await declareRestarts(plan.plans, (p) => providers.get(p.cluster.name)!, fleet.names, children, configPatches);
  return { clusters, jwtSecretSource: plan.jwtSecretSource };
}

const UNKNOWN_CLUSTERS = Symbol("clusters not known during preview");

/** `clusters` as given, or its value when given as an Output; `UNKNOWN_CLUSTERS` when that value is unknown (preview). */
async function knownClusters(clusters: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(clusters)) return clusters;
  const value = await valueOf(clusters as pulumi.Output<unknown>);
  return value === undefined && pulumi.runtime.isDryRun() ? UNKNOWN_CLUSTERS : value;
}

/** The component's args as a validated fleet, or a `RunError` listing every problem (never quoting a secret). */
async function validateArgs(name: string, args: KubeSphereFleetArgs): Promise<FleetDeclaration> {
  const stack = pulumi.getStack();
  // A secret computed from a resource not yet created is unknown during preview: plan with the unknown sentinel.
  const jwtSecret = args.jwtSecret === undefined ? undefined : ((await valueOf(pulumi.output(args.jwtSecret))) ?? UNKNOWN_VALUE);
  const input = { clusters: args.clusters, jwtSecret, namespace: args.namespace, configMap: args.configMap, hostJwtSecretFingerprint: args.hostJwtSecretFingerprint };
  const validation = validateFleetConfig(input, { stack, projectRoot: process.cwd(), component: name });
  const errors = [...validation.errors, ...(await kubeconfigOutputProblems(args.clusters, stack, name))];
  const fleet = errors.length ? undefined : validation.fleet;
  if (!fleet) throw new pulumi.RunError(problemList(`KubeSphereFleet '${name}' has ${errors.length} problem(s); nothing was declared.`, errors.map(formatConfigError)));
  return { ...fleet, jwtSecretOrigin: args.jwtSecretOrigin ?? `the jwtSecret argument of KubeSphereFleet '${name}'` };
}

/**
 * Kubeconfigs given as Outputs are not known when the args are validated; the size bound applies to them too, once
 * they resolve, before any provider gets one. Unknown values (preview) and failed ones are left to the provider.
 */
async function kubeconfigOutputProblems(clusters: unknown, stack: string, component: string): Promise<ConfigError[]> {
  if (!Array.isArray(clusters)) return [];
  const problems = await Promise.all(
    clusters.map(async (entry: unknown, index): Promise<ConfigError | undefined> => {
      if (!isPlainObject(entry) || !pulumi.Output.isInstance(entry["kubeconfig"])) return undefined;
      const text = await valueOf(entry["kubeconfig"] as pulumi.Output<unknown>).catch(() => undefined);
      const problem = typeof text === "string" ? kubeconfigSizeProblem(text) : undefined;
      if (!problem) return undefined;
      const cluster = labelOf(entry, index);
      return { stack, component, cluster, key: `clusters[${index}].kubeconfig`, ...problem };
    }),
  );
  return problems.filter((p): p is ConfigError => p !== undefined);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
