import { ClusterRole } from "../model/fleet";
import { roleOf } from "../model/clusterView";
import { allRules, Enforcement, type Finding } from "../rules";
import { FLEET_SHARED_JWT_SECRET } from "../rules/fleetSharedJwtSecret";
import { ClusterState } from "./auditCluster";
import type { FleetAudit } from "./auditFleet";

/**
 * The audit as Prometheus metrics, for node_exporter's textfile collector. Names follow Prometheus's naming rules:
 * base units (`_seconds`), a point in time is `_timestamp_seconds`, a 0/1 state is a unitless gauge. Labels are
 * cluster and kubeconfig user names, policy ids and enforcement levels: never a secret, never a fingerprint.
 */
export const METRIC = {
  certificateExpiry: "kubesphere_fleet_kubeconfig_certificate_expiry_timestamp_seconds",
  reachable: "kubesphere_fleet_cluster_reachable",
  jwtSecretMatchesHost: "kubesphere_fleet_jwt_secret_matches_host",
  memberAccessTokenMaxAge: "kubesphere_fleet_member_access_token_max_age_seconds",
  violations: "kubesphere_fleet_violations",
  auditTimestamp: "kubesphere_fleet_audit_timestamp_seconds",
} as const;

/** The labels of each family's series, in the order they are written. */
export const METRIC_LABELS: Readonly<Record<(typeof METRIC)[keyof typeof METRIC], readonly string[]>> = {
  [METRIC.certificateExpiry]: ["cluster", "user"],
  [METRIC.reachable]: ["cluster"],
  [METRIC.jwtSecretMatchesHost]: ["cluster"],
  [METRIC.memberAccessTokenMaxAge]: ["cluster"],
  [METRIC.violations]: ["cluster", "policy", "enforcement_level"],
  [METRIC.auditTimestamp]: [],
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

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge";
  readonly samples: readonly Sample[];
}

/** Every metric family the audit writes, in a fixed order; a family with no sample still has its HELP and TYPE. */
export function auditMetrics(audit: FleetAudit, now: Date): MetricFamily[] {
  const reports = audit.reports;
  const certificates: Sample[] = [];
  const reachable: Sample[] = [];
  const matches: Sample[] = [];
  const maxAges: Sample[] = [];
  // Without a host whose secret was read there is nothing to compare with: no series rather than a false 0 or 1.
  const hostRead = audit.clusters.some((c, i) => c.state === ClusterState.read && roleOf(c.view) === ClusterRole.host && reports[i]!.jwtSecret.length > 0);
  audit.clusters.forEach((cluster, i) => {
    const report = reports[i]!;
    const name = report.name;
    if (report.credentials.notAfter !== undefined) {
      certificates.push({ labels: { cluster: name, user: report.credentials.user }, value: Date.parse(report.credentials.notAfter) / 1000 });
    }
    reachable.push({ labels: { cluster: name }, value: report.reachable ? 1 : 0 });
    if (cluster.state !== ClusterState.read) return;
    if (hostRead && report.jwtSecret.length > 0) {
      const mismatch = audit.findings.some((f) => f.ruleId === FLEET_SHARED_JWT_SECRET && f.enforcement === Enforcement.mandatory && f.cluster === name);
      matches.push({ labels: { cluster: name }, value: mismatch ? 0 : 1 });
    }
    if (roleOf(cluster.view) === ClusterRole.member) {
      maxAges.push({ labels: { cluster: name }, value: report.accessTokenMaxAge?.seconds ?? APISERVER_DEFAULT_ACCESS_TOKEN_MAX_AGE_SECONDS });
    }
  });
  return [
    {
      name: METRIC.certificateExpiry,
      help: "notAfter of the client certificate each cluster's kubeconfig user authenticates with (Unix seconds); no series for exec, token or auth-provider users.",
      type: "gauge",
      samples: certificates,
    },
    { name: METRIC.reachable, help: "1 when the audit could reach the cluster's API server with its kubeconfig, else 0.", type: "gauge", samples: reachable },
    {
      name: METRIC.jwtSecretMatchesHost,
      help: "1 when every jwtSecret the cluster holds equals the host's, 0 when one differs (\"signature is invalid\"); no series when either could not be read.",
      type: "gauge",
      samples: matches,
    },
    {
      name: METRIC.memberAccessTokenMaxAge,
      help: "A member's effective accessTokenMaxAge in seconds (7200 when kubesphere.yaml leaves it out); anything but 0 gives \"token not found in cache\".",
      type: "gauge",
      samples: maxAges,
    },
    {
      name: METRIC.violations,
      help: "Findings of each policy on each cluster in the last audit, by enforcement level; 0 for every policy that found nothing.",
      type: "gauge",
      samples: violationSamples(audit.findings, reports.map((r) => r.name)),
    },
    { name: METRIC.auditTimestamp, help: "When the audit that wrote this file ran (Unix seconds).", type: "gauge", samples: [{ labels: {}, value: now.getTime() / 1000 }] },
  ];
}

/**
 * One series per cluster and policy at the policy's own level (0 when it found nothing, so an alert resolves),
 * plus a series for findings at another level (a mandatory rule that could not decide reports an advisory). A
 * finding about several clusters counts on each; one about none (the fleet as a whole) has `cluster=""`.
 */
function violationSamples(findings: readonly Finding[], clusters: readonly string[]): Sample[] {
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
  return [...counts.values()].map((c) => ({ labels: { cluster: c.cluster, policy: c.policy, enforcement_level: c.level }, value: c.count }));
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
