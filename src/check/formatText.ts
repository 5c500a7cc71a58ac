import type { CrossStackViolation, FleetCheckReport } from "./acrossStacks";
import { formatRotation } from "./formatRotation";
import { mandatoryCount, type CheckReport, type Violation } from "./report";
import { printableData } from "../input/printable";

export interface TextStyle {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
}

const plain: TextStyle = { bold: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t, dim: (t) => t };
const ansi = (code: number) => (t: string) => `\u001b[${code}m${t}\u001b[0m`;
export const colour: TextStyle = { bold: ansi(1), red: ansi(31), yellow: ansi(33), green: ansi(32), dim: ansi(2) };

export function textStyle(useColour: boolean): TextStyle {
  return useColour ? colour : plain;
}

/** The human report: the plan per cluster, then the policy results grouped by cluster, then the verdict. */
export function formatText(unescaped: CheckReport, style: TextStyle = plain): string {
  // Names, keys and messages may hold text from a file: control characters are escaped before anything is styled.
  const report = printableData(unescaped);
  const lines: string[] = [];
  lines.push(style.bold(`Stack '${report.stack}' (${report.stackFile}): ${report.clusters.length} cluster${report.clusters.length === 1 ? "" : "s"}`));
  lines.push("");
  if (report.rotation) lines.push(...formatRotation(report.rotation, style));
  const header = ["CLUSTER", "ROLE", "VERSION", "MODE", "JWTSECRET (live → desired)", "ACCESSTOKENMAXAGE (live → desired)", "RESTART"];
  const rows = report.clusters.map((c) => [
    c.name,
    c.role,
    c.version,
    c.mode,
    arrow(c.jwtSecret.live, c.jwtSecret.desired),
    arrow(c.accessTokenMaxAge.live, c.accessTokenMaxAge.desired),
    c.restart ? "yes" : "no",
  ]);
  lines.push(...table([header, ...rows]).map((line, i) => (i === 0 ? style.dim(line) : line)));
  for (const note of report.notes) lines.push(style.yellow(`note: ${note}`));
  lines.push("");
  lines.push(style.bold("What each declared resource changes"));
  for (const cluster of report.clusters) {
    lines.push(`  ${cluster.name}:${cluster.resources.length === 0 ? " nothing declared" : ""}`);
    for (const resource of cluster.resources) {
      const kind = resource.type.split(":").pop();
      const what = resource.changes.length === 0 ? style.dim(`nothing${resource.note ? ` (${resource.note})` : ""}`) : resource.changes.map((c) => `${c.key} ${arrow(c.live, c.desired)}`).join("; ");
      lines.push(`    ${kind} ${resource.name} → ${resource.object}: ${what}`);
      for (const r of resource.remediations ?? []) lines.push(style.yellow(`      remediated by ${r.policy} before analysis: ${r.changed.join(", ")}`));
    }
  }
  lines.push("");
  lines.push(style.bold("Policy results (pulumi preview --policy-pack policies)"));
  const byCluster = new Map<string, Violation[]>();
  for (const violation of report.violations) {
    const key = violation.cluster ?? "(stack)";
    byCluster.set(key, [...(byCluster.get(key) ?? []), violation]);
  }
  for (const name of [...report.clusters.map((c) => c.name), ...[...byCluster.keys()].filter((k) => !report.clusters.some((c) => c.name === k))]) {
    const violations = byCluster.get(name) ?? [];
    if (violations.length === 0) {
      lines.push(`  ${name}: ${style.green("no violations")}`);
      continue;
    }
    lines.push(`  ${name}:`);
    lines.push(...formatViolations(violations, style));
  }
  lines.push("");
  const mandatory = mandatoryCount(report);
  const advisory = report.violations.length - mandatory;
  lines.push(
    mandatory > 0
      ? style.red(`${mandatory} mandatory and ${advisory} advisory violation${advisory === 1 ? "" : "s"}: pulumi preview --policy-pack policies would block this deployment.`)
      : style.green(`No mandatory violations (${advisory} advisory): pulumi preview --policy-pack policies would let this deployment through.`),
  );
  return `${lines.join("\n")}\n`;
}

/**
 * The check of a fleet split over stacks: each stack's report, then the stacks side by side and the verdicts only
 * the stacks together give, then the verdict over everything.
 */
export function formatFleetText(unescaped: FleetCheckReport, style: TextStyle = plain): string {
  const report = printableData(unescaped);
  const parts = report.stacks.map((stack) => formatText(stack, style));
  const lines: string[] = [style.bold(`Across ${report.stacks.length} stacks (${report.stacks.reduce((n, s) => n + s.clusters.length, 0)} clusters)`)];
  const header = ["STACK", "CLUSTERS", "HOST", "JWTSECRET (desired)", "HOSTJWTSECRETFINGERPRINT"];
  const rows = report.stacks.map((s) => [
    s.stack,
    s.clusters.map((c) => c.name).join(", "),
    s.clusters.filter((c) => c.role === "host").map((c) => c.name).join(", ") || "-",
    [...new Set(s.clusters.map((c) => c.jwtSecret.desired))].join(", "),
    s.hostJwtSecretFingerprint ?? "-",
  ]);
  lines.push(...table([header, ...rows]).map((line, i) => (i === 0 ? style.dim(line) : line)));
  lines.push("");
  if (report.violations.length === 0) lines.push(`  ${style.green("no violations across stacks")}`);
  else lines.push(...formatViolations(report.violations, style));
  lines.push("");
  const mandatory = fleetMandatoryCount(report);
  const total = report.violations.length + report.stacks.reduce((n, s) => n + s.violations.length, 0);
  const advisory = total - mandatory;
  lines.push(
    mandatory > 0
      ? style.red(`${mandatory} mandatory and ${advisory} advisory violation${advisory === 1 ? "" : "s"} over the ${report.stacks.length} stacks: do not deploy them as they are.`)
      : style.green(`No mandatory violations over the ${report.stacks.length} stacks (${advisory} advisory): neither a stack's own check nor a verdict across them blocks a deployment.`),
  );
  return `${parts.join("\n")}\n${lines.join("\n")}\n`;
}

/** Mandatory violations of every stack and across them. */
export function fleetMandatoryCount(report: FleetCheckReport): number {
  return report.stacks.reduce((n, s) => n + mandatoryCount(s), 0) + report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
}

function formatViolations(violations: readonly (Violation | CrossStackViolation)[], style: TextStyle): string[] {
  return violations.flatMap((v) => {
    const level = v.enforcementLevel === "mandatory" ? style.red("mandatory") : style.yellow("advisory ");
    return [`    ${level} ${v.policy}`, `              ${v.message.replace(/\n/g, "\n              ")}`];
  });
}

function arrow(live: string, desired: string): string {
  return live === desired ? `${live} (unchanged)` : `${live} → ${desired}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
}
