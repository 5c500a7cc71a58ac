import type { KubeSphereNames } from "../model/kubernetesObjects";
import { Enforcement, evaluateFleet, type Finding, type RuleOptions } from "../rules";
import { auditCluster, ClusterState, type AuditTarget, type ClusterAudit } from "./auditCluster";
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
  /** Every cluster read, KubeSphere found, and no mandatory finding. */
  readonly healthy: boolean;
}

/**
 * Audits every target (at most `concurrency` at a time, each within `timeoutMs`), then runs the rules over the
 * whole fleet as read. A cluster that cannot be read is part of the result, never a reason to stop.
 */
export async function auditFleet(targets: readonly AuditTarget[], options: FleetAuditOptions): Promise<FleetAudit> {
  const clusters = await mapBounded(targets, options.concurrency, (target) => auditCluster(target, { ...options, now: options.rules.now }));
  const findings = evaluateFleet({ clusters: clusters.map((c) => c.view) }, options.rules);
  const reports = clusters.map((cluster) => clusterReport(cluster, findings, options));
  const healthy = clusters.every((c) => c.state === ClusterState.read) && !findings.some((f) => f.enforcement === Enforcement.mandatory);
  return { clusters, reports, findings, healthy };
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
