import { readInputFile } from "../input/inputFile";
import { relative } from "node:path";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { Rule } from "../rules";
import type { CheckReport } from "./report";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/**
 * SARIF 2.1.0 for code-scanning UIs: one result per violation, located at the cluster's entry in the stack file
 * (or the file's first line), mandatory as `error` and advisory as `warning`.
 */
export function toSarif(report: CheckReport, rules: readonly Rule[], options: { projectDir: string; toolVersion: string }): Log {
  const uri = relative(options.projectDir, report.stackFile).split("\\").join("/");
  const lineOf = clusterLines(report.stackFile);
  const known = new Map(rules.map((r) => [r.id, r]));
  const ruleIds = [...new Set(report.violations.map((v) => v.policy))];
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "kubesphere-fleet",
            informationUri: "https://kubesphere.io/docs/v3.4/multicluster-management/",
            version: options.toolVersion,
            rules: ruleIds.map((id): ReportingDescriptor => {
              const rule = known.get(id);
              return {
                id,
                name: id,
                shortDescription: { text: rule?.description ?? id },
                fullDescription: { text: rule?.description ?? id },
                help: { text: rule?.remediationSteps ?? "See the policy's message." },
                ...(rule?.url ? { helpUri: rule.url } : {}),
                properties: { ...(rule ? { severity: rule.severity } : {}), tags: ["kubesphere", "security"] },
              };
            }),
          },
        },
        results: report.violations.map((v): Result => ({
          ruleId: v.policy,
          ruleIndex: ruleIds.indexOf(v.policy),
          level: v.enforcementLevel === "mandatory" ? "error" : "warning",
          message: { text: v.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri },
                region: { startLine: (v.cluster && lineOf.get(v.cluster)) || 1 },
              },
              ...(v.cluster ? { logicalLocations: [{ name: v.cluster, kind: "module" }] } : {}),
            },
          ],
        })),
      },
    ],
  };
}

/** The 1-based line of each `- name: <cluster>` entry in the stack file. */
function clusterLines(file: string): Map<string, number> {
  const lines = new Map<string, number>();
  let text: string;
  try {
    text = readInputFile(file, { label: "stack file" });
  } catch {
    return lines;
  }
  text.split("\n").forEach((line, i) => {
    const match = /^\s*-?\s*name:\s*["']?([a-z0-9-]+)["']?\s*(#.*)?$/.exec(line);
    if (match && !lines.has(match[1]!)) lines.set(match[1]!, i + 1);
  });
  return lines;
}
