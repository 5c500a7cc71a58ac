import { ClusterRole, ObjectRead } from "../model/fleet";
import { roleOf } from "../model/clusterView";
import { allRules, Enforcement, ruleById, type Finding } from "../rules";
import { FLEET_SHARED_JWT_SECRET } from "../rules/fleetSharedJwtSecret";
import { ClusterState } from "./auditCluster";
import type { FleetAudit } from "./auditFleet";

/**
 * The audit as Prometheus metrics, for node_exporter's textfile collector. Names follow Prometheus's naming rules:
 * base units (`_seconds`), a point in time is `_timestamp_seconds`, a 0/1 state is a unitless gauge. Every series
 * carries the fleet (the stack, or `--fleet`), so audits of several fleets share one textfile folder. Labels are
 * fleet, cluster and kubeconfig user names, policy ids and enforcement levels: never a secret, never a fingerprint.
 */
export const METRIC = {
  certificateExpiry: "kubesphere_fleet_kubeconfig_certificate_expiry_timestamp_seconds",
  reachable: "kubesphere_fleet_cluster_reachable",
  lastRead: "kubesphere_fleet_cluster_last_read_timestamp_seconds",
  jwtSecretMatchesHost: "kubesphere_fleet_jwt_secret_matches_host",
  memberAccessTokenMaxAge: "kubesphere_fleet_member_access_token_max_age_seconds",
  violations: "kubesphere_fleet_violations",
  auditTimestamp: "kubesphere_fleet_audit_timestamp_seconds",
} as const;
type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The labels of each family's series, in the order they are written. */
export const METRIC_LABELS: Readonly<Record<MetricName, readonly string[]>> = {
  [METRIC.certificateExpiry]: ["fleet", "cluster", "user"],
  [METRIC.reachable]: ["fleet", "cluster"],
  [METRIC.lastRead]: ["fleet", "cluster"],
  [METRIC.jwtSecretMatchesHost]: ["fleet", "cluster"],
  [METRIC.memberAccessTokenMaxAge]: ["fleet", "cluster"],
  [METRIC.violations]: ["fleet", "cluster", "policy", "enforcement_level"],
  [METRIC.auditTimestamp]: ["fleet"],
};

/**
 * ks-apiserver's accessTokenMaxAge when kubesphere.yaml leaves the key out: `AccessTokenMaxAge: time.Hour * 2` in
 * `oauth.NewOptions` (kubesphere/kubesphere v3.4.1 pkg/apiserver/authentication/oauth/oauth_options.go).
 */
const APISERVER_DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS = 2 * 3600;

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A sample of a file the audit wrote before, with its family. */
export interface WrittenSample extends Sample {
  readonly name: string;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge";
  readonly samples: readonly Sample[];
}

export interface MetricsContext {
  /** The fleet label of every series: the stack's name, or `--fleet`. */
  readonly fleet: string;
  readonly now: Date;
  /** What the last audit of this fleet wrote (its own file), to keep the state of clusters not read now. */
  readonly previous?: readonly WrittenSample[];
}

/**
 * Every metric family the audit writes, in a fixed order; a family with no sample still has its HELP and TYPE.
 *
 * What is not known now is not written as healthy: for a cluster that could not be read, its state series (secret
 * match, max age, the violations of rules that read the cluster) are what the last audit that read it wrote, with
 * `…_last_read_timestamp_seconds` saying when; a drift alert keeps firing while the cluster is out of reach, and
 * `reachable 0` says why the value is old. The same holds for a cluster's secret match while the host is unread.
 */
export function auditMetrics(audit: FleetAudit, context: MetricsContext): MetricFamily[] {
  const { fleet, now } = context;
  const reports = audit.reports;
  const at = (cluster: string, more: Record<string, string> = {}) => ({ fleet, cluster, ...more });
  const certificates: Sample[] = [];
  const reachable: Sample[] = [];
  const lastRead: Sample[] = [];
  const matches: Sample[] = [];
  const maxAges: Sample[] = [];
  const previous = previousOf(context);
  // Without a host whose secret was read there is nothing to compare with: the last value read, or no series.
  const hostRead = audit.clusters.some((c, i) => c.state === ClusterState.read && roleOf(c.view) === ClusterRole.host && reports[i]!.jwtSecret.length > 0);
  const unknown = new Set(audit.clusters.filter((c) => !stateKnown(c.state)).map((c) => c.target.name));
  audit.clusters.forEach((cluster, i) => {
    const report = reports[i]!;
    const name = report.name;
    if (report.credentials.notAfter !== undefined) {
      certificates.push({ labels: at(name, { user: report.credentials.user }), value: Date.parse(report.credentials.notAfter) / 1000 });
    }
    reachable.push({ labels: at(name), value: report.reachable ? 1 : 0 });
    if (unknown.has(name)) {
      lastRead.push(...previous(METRIC.lastRead, name));
      matches.push(...previous(METRIC.jwtSecretMatchesHost, name));
      maxAges.push(...previous(METRIC.memberAccessTokenMaxAge, name));
      return;
    }
    lastRead.push({ labels: at(name), value: now.getTime() / 1000 });
    if (cluster.state !== ClusterState.read) return;
    if (report.jwtSecret.length > 0) {
      if (hostRead) {
        const mismatch = audit.findings.some((f) => f.ruleId === FLEET_SHARED_JWT_SECRET && f.enforcement === Enforcement.mandatory && f.cluster === name);
        matches.push({ labels: at(name), value: mismatch ? 0 : 1 });
      } else matches.push(...previous(METRIC.jwtSecretMatchesHost, name));
    }
    if (roleOf(cluster.view) === ClusterRole.member) {
      maxAges.push({ labels: at(name), value: report.accessTokenMaxAge?.seconds ?? APISERVER_DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS });
    }
  });
  const violations = [
    ...violationSamples(audit.findings, reports.map((r) => r.name), fleet).filter((s) => !(unknown.has(s.labels["cluster"]!) && readsCluster(s.labels["policy"]!))),
    ...[...unknown].flatMap((name) => previous(METRIC.violations, name).filter((s) => readsCluster(s.labels["policy"] ?? ""))),
  ];
  return [
    {
      name: METRIC.certificateExpiry,
      help: "notAfter of the client certificate each cluster's kubeconfig user authenticates with (Unix seconds); no series for exec, token or auth-provider users.",
      type: "gauge",
      samples: certificates,
    },
    { name: METRIC.reachable, help: "1 when the audit could reach the cluster's API server with its kubeconfig, else 0.", type: "gauge", samples: reachable },
    {
      name: METRIC.lastRead,
      help: "When an audit last read the cluster's state (Unix seconds); the state series of a cluster not read now are from then. No series for a cluster never read.",
      type: "gauge",
      samples: lastRead,
    },
    {
      name: METRIC.jwtSecretMatchesHost,
      help: "1 when every jwtSecret the cluster holds equals the host's, 0 when one differs (\"signature is invalid\"); as last read while the cluster or the host cannot be read.",
      type: "gauge",
      samples: matches,
    },
    {
      name: METRIC.memberAccessTokenMaxAge,
      help: "A member's effective accessTokenMaxAge in seconds (7200 when kubesphere.yaml leaves it out); anything but 0 gives \"token not found in cache\". As last read while the member cannot be read.",
      type: "gauge",
      samples: maxAges,
    },
    {
      name: METRIC.violations,
      help: "Findings of each policy on each cluster, by enforcement level; 0 for every policy that found nothing. As last read for a cluster that cannot be read now.",
      type: "gauge",
      samples: violations,
    },
    { name: METRIC.auditTimestamp, help: "When the audit of this fleet that wrote this file ran (Unix seconds).", type: "gauge", samples: [{ labels: { fleet }, value: now.getTime() / 1000 }] },
  ];
}

/** A cluster whose state this audit knows: read, or reached and without KubeSphere. Anything else is unknown now. */
function stateKnown(state: ClusterState): boolean {
  return state === ClusterState.read || state === ClusterState.noKubeSphere;
}

/** Whether a policy's verdict needs the cluster read; a rule reading only the kubeconfig is known without it. */
function readsCluster(policy: string): boolean {
  const reads = ruleById(policy)?.reads;
  return reads === undefined || reads.some((r) => r !== ObjectRead.kubeconfig);
}

/** `(family, cluster) →` what the last audit of this fleet wrote for that cluster, relabelled in this file's order. */
function previousOf(context: MetricsContext): (name: MetricName, cluster: string) => Sample[] {
  const samples = (context.previous ?? []).filter((s) => s.labels["fleet"] === context.fleet);
  return (name, cluster) =>
    samples
      .filter((s) => s.name === name && s.labels["cluster"] === cluster && METRIC_LABELS[name].every((l) => typeof s.labels[l] === "string"))
      .map((s) => ({ labels: Object.fromEntries(METRIC_LABELS[name].map((l) => [l, s.labels[l]!])), value: s.value }));
}

/**
 * One series per cluster and policy at the policy's own level (0 when it found nothing, so an alert resolves),
 * plus a series for findings at another level (a mandatory rule that could not decide reports an advisory). A
 * finding about several clusters counts on each; one about none (the fleet as a whole) has `cluster=""`.
 */
function violationSamples(findings: readonly Finding[], clusters: readonly string[], fleet: string): Sample[] {
  const counts = new Map<string, { cluster: string; policy: string; level: string; count: number }>();
  const add = (cluster: string, policy: string, level: string, by: number) => {
    const key = `${cluster}\0${policy}\0${level}`;
    const entry = counts.get(key) ?? { cluster, policy, level, count: 0 };
    entry.count += by;
    counts.set(key, entry);
  };
  for (const cluster of clusters) for (const rule of allRules()) add(cluster, rule.id, rule.enforcement, 0);
  for (const finding of findings) {
    const about = finding.cluster !== undefined ? [finding.cluster] : finding.clusters?.length ? [...finding.clusters] : [""];
    for (const cluster of new Set(about)) add(cluster, finding.ruleId, finding.enforcement, 1);
  }
  return [...counts.values()].map((c) => ({ labels: { fleet, cluster: c.cluster, policy: c.policy, enforcement_level: c.level }, value: c.count }));
}

/** Prometheus text exposition format 0.0.4, which node_exporter's textfile collector reads (no timestamps). */
export function formatMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${family.name}${labelText(sample.labels)} ${valueText(sample.value)}`);
  }
  return `${lines.join("\n")}\n`;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`).join(",")}}`;
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

/**
 * The samples of a file in the format `formatMetrics` writes (the audit's own earlier file), for `previous`. Lines
 * it does not recognise are skipped: a damaged file costs the carried state, never the audit.
 */
export function parseMetrics(text: string): WrittenSample[] {
  const samples: WrittenSample[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    const pairs = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    const body = match[2] ?? "";
    let pair;
    let end = 0;
    while ((pair = pairs.exec(body)) !== null) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      end = pairs.lastIndex;
    }
    const value = match[3] === "NaN" ? NaN : match[3] === "+Inf" ? Infinity : match[3] === "-Inf" ? -Infinity : Number(match[3]);
    if (end !== body.length || (Number.isNaN(value) && match[3] !== "NaN")) continue;
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}
