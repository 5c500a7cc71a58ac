import type { KubeSphereNames } from "../model/kubernetesObjects";
import { allRules, Enforcement, evaluateFleet, type Finding, type RuleOptions } from "../rules";
import type { ClusterView } from "../model/fleet";
import { clusterViewFromObjects } from "../model/kubernetesObjects";
import { auditCluster, ClusterState, objectName, type AuditTarget, type ClusterAudit } from "./auditCluster";
import { clusterReport, type ClusterReport } from "./clusterReport";

export interface FleetAuditOptions {
  readonly names: KubeSphereNames;
  /** Per cluster, covering every read (and an exec credential plugin). */
  readonly timeoutMs: number;
  /** How many clusters are read at once. */
  readonly concurrency: number;
  readonly rules: RuleOptions;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_CONCURRENCY = 4;

export interface FleetAudit {
  /** In the order of the targets. */
  readonly clusters: readonly ClusterAudit[];
  readonly reports: readonly ClusterReport[];
  readonly findings: readonly Finding[];
  /** Every cluster read, KubeSphere found, every rule judged, and no mandatory finding. */
  readonly healthy: boolean;
}

/**
 * Audits every target (at most `concurrency` at a time, each within `timeoutMs`), then runs the rules over the
 * whole fleet as read. A cluster that cannot be read is part of the result, never a reason to stop.
 */
export async function auditFleet(targets: readonly AuditTarget[], options: FleetAuditOptions): Promise<FleetAudit> {
  const read = await mapBounded(targets, options.concurrency, (target) => auditCluster(target, { ...options, now: options.rules.now }));
  const { findings, unjudged } = judge(read, options);
  const clusters = read.map((c) => (unjudged.has(c.target.name) ? { ...c, notes: [...c.notes, ...unjudged.get(c.target.name)!] } : c));
  const reports = clusters.map((cluster) => clusterReport(cluster, findings, options));
  const healthy = unjudged.size === 0 && clusters.every((c) => c.state === ClusterState.read) && !findings.some((f) => f.enforcement === Enforcement.mandatory);
  return { clusters, reports, findings, healthy };
}

/**
 * Runs every rule over the fleet as read. A rule that fails on some cluster's data (a shape the model let through)
 * loses only its own verdict: the objects it failed on get a note on their cluster, and every other rule still runs.
 */
function judge(clusters: readonly ClusterAudit[], options: FleetAuditOptions): { findings: Finding[]; unjudged: Map<string, string[]> } {
  const findings: Finding[] = [];
  const unjudged = new Map<string, string[]>();
  for (const rule of allRules()) {
    try {
      findings.push(...evaluateFleet({ clusters: clusters.map((c) => c.view) }, options.rules, [rule]));
    } catch (error) {
      const failsOn = (views: ClusterView[]) => {
        try {
          evaluateFleet({ clusters: views }, options.rules, [rule]);
          return false;
        } catch {
          return true;
        }
      };
      const culprits = clusters.filter((c) => failsOn([c.view]));
      for (const cluster of culprits.length > 0 ? culprits : clusters) {
        const objects = cluster.objects.filter((o) => failsOn([clusterViewFromObjects(cluster.target.name, [o], { names: options.names })]));
        const what = objects.length > 0 ? objects.map(objectName).join(", ") : `what was read from '${cluster.target.name}'`;
        const note = `${rule.id} could not judge ${what} (${error instanceof Error ? error.name : "error"}): a field has a type KubeSphere does not write. This verdict is missing; check it with kubectl get -o yaml.`;
        unjudged.set(cluster.target.name, [...(unjudged.get(cluster.target.name) ?? []), note]);
      }
    }
  }
  return { findings, unjudged };
}

/** `Promise.all(items.map(fn))` with at most `limit` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
