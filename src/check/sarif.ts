import { readInputFile } from "../input/inputFile";
import { relative } from "node:path";
import type { Location, Log, ReportingDescriptor, Result } from "sarif";
import type { Rule } from "../rules";
import type { FleetCheckReport } from "./acrossStacks";
import type { CheckReport } from "./report";
import { printableLines } from "../input/printable";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** What SARIF says of a rule. */
export type RuleDescription = Pick<Rule, "id" | "description" | "severity" | "remediationSteps"> & { readonly url?: string };

interface SarifOptions {
  readonly projectDir: string;
  readonly toolVersion: string;
}

/**
 * SARIF 2.1.0 for code-scanning UIs: one result per violation, located at the cluster's entry in the stack file
 * (or the file's first line), mandatory as `error` and advisory as `warning`. A check across stacks gives one run with
 * every stack's results, and each verdict across stacks located in the files of the stacks involved.
 */
export function toSarif(report: CheckReport | FleetCheckReport, rules: readonly RuleDescription[], options: SarifOptions): Log {
  const stacks = "stacks" in report ? report.stacks : [report];
  const files = new Map(stacks.map((s) => [s.stack, { uri: relative(options.projectDir, s.stackFile).split("\\").join("/"), lines: clusterLines(s.stackFile) }]));
  const locationIn = (stack: string, cluster: string | undefined): Location => {
    const file = files.get(stack)!;
    return {
      physicalLocation: { artifactLocation: { uri: file.uri }, region: { startLine: (cluster && file.lines.get(cluster)) || 1 } },
      ...(cluster ? { logicalLocations: [{ name: cluster, kind: "module" }] } : {}),
    };
  };
  const found: Array<{ policy: string; enforcementLevel: string; message: string; locations: Location[] }> = [
    ...stacks.flatMap((s) => s.violations.map((v) => ({ ...v, locations: [locationIn(s.stack, v.cluster)] }))),
    ...("stacks" in report ? report.violations : []).map((v) => ({ ...v, locations: (v.stack ?? stacks.map((s) => s.stack)).map((stack) => locationIn(stack, v.cluster)) })),
  ];
  const known = new Map(rules.map((r) => [r.id, r]));
  const ruleIds = [...new Set(found.map((v) => v.policy))];
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
        results: found.map((v): Result => ({
          ruleId: v.policy,
          ruleIndex: ruleIds.indexOf(v.policy),
          level: v.enforcementLevel === "mandatory" ? "error" : "warning",
          message: { text: printableLines(v.message) },
          locations: v.locations,
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
