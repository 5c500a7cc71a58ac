import { Enforcement, type Finding } from "../rules";
import type { FleetAudit } from "./auditFleet";
import { ClusterState } from "./auditCluster";
import type { ClusterReport } from "./clusterReport";
import { printableData } from "../input/printable";

/** ANSI styling, or none (not a TTY, `NO_COLOR`, `--json`). */
export interface Style {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const COLOUR: Style = { bold: ansi(1), red: ansi(31), yellow: ansi(33), green: ansi(32), dim: ansi(2) };
export const PLAIN: Style = { bold: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t, dim: (t) => t };

/** The audit as JSON: `{ healthy, clusters, findings }`. Fingerprints only; nothing secret is in the report. */
export function formatJson(audit: FleetAudit): string {
  return JSON.stringify({ healthy: audit.healthy, clusters: audit.reports, findings: audit.findings }, null, 2) + "\n";
}

/** The audit for people: one block per cluster, then the violations. */
export function formatText(unescaped: FleetAudit, style: Style = PLAIN): string {
  // Cluster and context names come from files: control characters are escaped before anything is styled.
  const audit = printableData(unescaped);
  const lines: string[] = [];
  const read = audit.reports.filter((r) => r.state === ClusterState.read).length;
  const mandatory = audit.findings.filter((f) => f.enforcement === Enforcement.mandatory);
  const advisory = audit.findings.filter((f) => f.enforcement !== Enforcement.mandatory);
  const verdict = audit.healthy ? style.green("healthy") : style.red("NOT healthy");
  lines.push(
    style.bold(`KubeSphere fleet audit: ${audit.reports.length} cluster${audit.reports.length === 1 ? "" : "s"}, ${read} read` +
      (read < audit.reports.length ? ` (${audit.reports.length - read} not)` : "") + ", " +
      `${mandatory.length} violation${mandatory.length === 1 ? "" : "s"}, ${advisory.length} advisor${advisory.length === 1 ? "y" : "ies"}: `) + verdict,
    "",
  );
  for (const report of audit.reports) lines.push(...clusterBlock(report, style), "");
  if (audit.findings.length > 0) {
    lines.push(style.bold("Violations"));
    for (const finding of [...mandatory, ...advisory]) lines.push(...findingLines(finding, style));
    lines.push("");
  }
  return lines.join("\n");
}

function clusterBlock(report: ClusterReport, style: Style): string[] {
  const state = report.state === ClusterState.read ? style.green(report.state) : style.red(report.state);
  const where = [report.server, `context ${report.context}`].filter(Boolean).join(", ");
  const lines = [`${style.bold(report.name)}  [${state}]  ${style.dim(where)}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(18)} ${value}`);
  row("credentials", credentialsText(report, style));
  if (report.problem) row("problem", style.red(report.problem));
  if (report.state === ClusterState.read) {
    const role = report.clusterRole ?? "not stated";
    const declared = report.declaredRole && report.declaredRole !== report.clusterRole ? ` (the stack declares ${report.declaredRole})` : "";
    row("KubeSphere", `${report.version ?? "version unknown"}, clusterRole ${role}${declared}`);
    row("ks-installer", report.installerOwnsConfig ? "owns the config (ClusterConfiguration ks-installer present): change it there" : "no ClusterConfiguration: kubesphere-config is the source");
    row("jwtSecret", report.jwtSecret.length ? report.jwtSecret.map((s) => `${s.fingerprint} ${style.dim(`(${s.source})`)}`).join("\n" + " ".repeat(21)) : "not set");
    row("accessTokenMaxAge", report.accessTokenMaxAge ? `${report.accessTokenMaxAge.value} ${style.dim(`(${report.accessTokenMaxAge.source})`)}` : "not set (ks-apiserver default 2h)");
    row("restart", report.restart ?? "nothing to change");
  }
  for (const note of report.notes) row("note", style.yellow(note));
  return lines;
}

function credentialsText(report: ClusterReport, style: Style): string {
  const c = report.credentials;
  const who = style.dim(`(user ${c.user}, ${report.kubeconfig})`);
  if (c.unreadable) return `${style.red(c.unreadable)} ${who}`;
  switch (c.kind) {
    case "client-certificate": {
      if (c.notAfter === undefined || c.daysLeft === undefined) return `client certificate ${who}`;
      const left = c.daysLeft < 0 ? style.red(`expired ${-c.daysLeft} days ago`) : c.daysLeft <= 30 ? style.yellow(`${c.daysLeft} days left`) : `${c.daysLeft} days left`;
      return `client certificate ${c.subject ?? ""}, notAfter ${c.notAfter} (${left}) ${who}`;
    }
    case "exec":
      return `exec credential plugin (no certificate to check) ${who}`;
    case "token":
      return `bearer token (no certificate to check) ${who}`;
    case "auth-provider":
      return `auth-provider (no certificate to check) ${who}`;
    case "basic":
      return `basic auth ${who}`;
    default:
      return `${style.yellow("no credentials")} ${who}`;
  }
}

function findingLines(finding: Finding, style: Style): string[] {
  const mark = finding.enforcement === Enforcement.mandatory ? style.red("✗ mandatory") : style.yellow("! advisory ");
  const where = finding.clusters?.join(", ") ?? finding.cluster ?? "fleet";
  return [`  ${mark}  ${style.bold(finding.ruleId)}  ${where}`, `      ${finding.message}`];
}
