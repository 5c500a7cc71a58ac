import { FleetRole, PROJECT, type FleetDeclaration } from "../config/fleetDeclaration";
import { roleOf } from "../model/clusterView";
import { ClusterRole, type ClusterView, type FleetView } from "../model/fleet";
import { fingerprintMatches, pinLabel, shortFingerprint } from "../model/secretFacts";
import { fleetFromResources, type StackResource } from "../pack/fleetFromResources";
import { RuleScope, Severity, allRules, decidedBy, defaultRuleOptions, type Finding, type Rule } from "../rules";
import { ENV_FILE_FLAG } from "./escEnvironment";
import type { CheckReport } from "./report";

/** One stack of a fleet split over several: its validated config and what its program declared. */
export interface FleetStack {
  readonly stack: string;
  readonly fleet: FleetDeclaration;
  readonly declared: readonly StackResource[];
}

/** A verdict about the fleet that no single stack can give. */
export interface CrossStackViolation {
  readonly policy: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  /** The stacks involved; `null` when the verdict is about the set of stacks as a whole (e.g. none holds the host). */
  readonly stack: readonly string[] | null;
  readonly cluster?: string;
  readonly clusters?: readonly string[];
  readonly message: string;
}

/** `npm run check -- --stack a --stack b …` (or `--all-stacks`), as `--json` prints it. */
export interface FleetCheckReport {
  /** Each stack's own check, as `npm run check -- --stack <name> --json` prints it. */
  readonly stacks: readonly CheckReport[];
  /** The verdicts across stacks. */
  readonly violations: readonly CrossStackViolation[];
}

export const CROSS_STACK_ONE_HOST = "kubesphere-fleet-cross-stack-one-host";
export const CROSS_STACK_UNIQUE_NAMES = "kubesphere-fleet-cross-stack-unique-cluster-names";
export const CROSS_STACK_HOST_PIN = "kubesphere-fleet-cross-stack-host-fingerprint-pin";

/** What the verdicts only the check across stacks gives are, for SARIF and the docs. */
export const CROSS_STACK_RULES: ReadonlyArray<Pick<Rule, "id" | "description" | "severity" | "remediationSteps">> = [
  {
    id: CROSS_STACK_ONE_HOST,
    description: "Checks whether exactly one of the fleet's stacks declares a host cluster.",
    severity: Severity.high,
    remediationSteps: "Declare the host (role: host) in exactly one stack, and check that stack together with the others (--stack <host stack>, or --all-stacks).",
  },
  {
    id: CROSS_STACK_UNIQUE_NAMES,
    description: "Checks whether every cluster name is declared by one stack only.",
    severity: Severity.high,
    remediationSteps: "Give every cluster of the fleet a unique name, across all its stacks; the host registers each member by name.",
  },
  {
    id: CROSS_STACK_HOST_PIN,
    description: "Checks whether each stack's hostJwtSecretFingerprint pins the jwtSecret the host's stack declares.",
    severity: Severity.critical,
    remediationSteps: `Pin the host stack's jwtSecret fingerprint (its check or its clusters output shows it) as ${PROJECT}:hostJwtSecretFingerprint, or give every stack the fleet's jwtSecret from one Pulumi ESC environment.`,
  },
];

/**
 * The fleet verdicts over all its stacks: exactly one host, cluster names unique, every cluster with the host's
 * jwtSecret, each shard's pin equal to the host's secret. The fleet rules (the same ones the pack and the audit run)
 * are evaluated over every stack's declared clusters at once; a finding is kept when no stack gives it alone.
 */
export function verdictsAcrossStacks(stacks: readonly FleetStack[], now = new Date()): CrossStackViolation[] {
  const stacksOf = new Map<string, string[]>();
  const keysOf = new Map<string, string[]>();
  for (const { stack, fleet } of stacks) {
    for (const cluster of fleet.clusters) {
      stacksOf.set(cluster.name, [...(stacksOf.get(cluster.name) ?? []), stack]);
      keysOf.set(cluster.name, [...(keysOf.get(cluster.name) ?? []), `'${stack}' (${PROJECT}:${cluster.label.split(" ")[0]}.name)`]);
    }
  }
  const involved = (clusters: readonly string[]): string[] => [...new Set(clusters.flatMap((c) => stacksOf.get(c) ?? []))];
  const violations: CrossStackViolation[] = [];

  for (const [cluster, owners] of stacksOf) {
    if (owners.length < 2) continue;
    violations.push({
      policy: CROSS_STACK_UNIQUE_NAMES,
      enforcementLevel: "mandatory",
      stack: owners,
      cluster,
      message: `Cluster name '${cluster}' is declared by stacks ${keysOf.get(cluster)!.join(", ")}; each cluster of the fleet is declared once, in one stack. Rename one, or remove it from all but one stack.`,
    });
  }

  const hostStacks = stacks.filter((s) => s.fleet.clusters.some((c) => c.role === FleetRole.host)).map((s) => s.stack);
  if (hostStacks.length === 0) {
    violations.push({
      policy: CROSS_STACK_ONE_HOST,
      enforcementLevel: "mandatory",
      stack: null,
      message: `None of the ${stacks.length} stacks (${quoted(stacks.map((s) => s.stack))}) declares a host cluster; a fleet has exactly one. Check the stack that holds the host with them, or declare it (role: host) in one stack.`,
    });
  }

  // The fleet rules over every stack's clusters at once; what a stack's own clusters already show was reported by its check.
  const views = new Map(stacks.map((s) => [s.stack, fleetFromResources(s.declared, s.fleet.names, { credentials: false }).fleet]));
  const union: FleetView = { clusters: [...views.values()].flatMap((v) => v.clusters) };
  const rules = allRules().filter((r) => r.scope !== RuleScope.resource);
  const options = defaultRuleOptions(now);
  const local = new Set([...views].flatMap(([stack, view]) => findingsOf(rules, view, options).map((f) => keyOf(stack, f))));
  const hostOwners = (hosts: readonly ClusterView[]) => involved(hosts.map((h) => h.name));
  const hosts = union.clusters.filter((c) => roleOf(c) === ClusterRole.host);
  for (const finding of findingsOf(rules, union, options)) {
    const owners = involved([...(finding.cluster ? [finding.cluster] : []), ...(finding.clusters ?? [])]);
    if (owners.some((stack) => local.has(keyOf(stack, finding)))) continue;
    // A finding about one stack's cluster alone is about it against the fleet's host, in another stack.
    const stack = owners.length === 1 ? [...new Set([...owners, ...hostOwners(hosts)])] : owners;
    violations.push({
      policy: finding.ruleId,
      enforcementLevel: finding.enforcement,
      stack,
      ...(finding.cluster ? { cluster: finding.cluster } : {}),
      ...(finding.clusters ? { clusters: finding.clusters } : {}),
      message: `Stacks ${quoted(stack)}: ${finding.message}`,
    });
  }

  for (const { stack, fleet } of stacks) {
    const pin = fleet.hostJwtSecretFingerprint;
    if (!pin) continue;
    for (const host of hosts) {
      const hostStacks = stacksOf.get(host.name) ?? [];
      const secret = host.settings.map((s) => s.jwtSecret).find((s) => s.state === "known");
      const both = [...new Set([stack, ...hostStacks])];
      if (!secret || secret.state !== "known") {
        violations.push({
          policy: CROSS_STACK_HOST_PIN,
          enforcementLevel: "advisory",
          stack: both,
          cluster: host.name,
          message: `Stack '${stack}' pins ${PROJECT}:hostJwtSecretFingerprint ${pinLabel(pin)}, but the jwtSecret stack ${quoted(hostStacks)} declares for host '${host.name}' is not known here (e.g. it comes from an ESC environment: pass ${ENV_FILE_FLAG}), so they cannot be compared yet.`,
        });
      } else if (!fingerprintMatches(pin, secret.value.digest)) {
        violations.push({
          policy: CROSS_STACK_HOST_PIN,
          enforcementLevel: "mandatory",
          stack: both,
          cluster: host.name,
          message:
            `Stack '${stack}' pins ${PROJECT}:hostJwtSecretFingerprint ${pinLabel(pin)}, but stack ${quoted(hostStacks)} declares jwtSecret ${shortFingerprint(secret.value.digest)} for host '${host.name}'. ` +
            `Tokens from the host would fail with "signature is invalid" on '${stack}''s members. Fix: pin ${shortFingerprint(secret.value.digest)} in '${stack}', or give both stacks the fleet's jwtSecret from one ESC environment.`,
        });
      }
    }
  }
  return violations;
}

function findingsOf(rules: readonly Rule[], fleet: FleetView, options: ReturnType<typeof defaultRuleOptions>): Finding[] {
  return rules.flatMap((rule) => rule.evaluate(fleet, options).filter((f) => decidedBy(rule, f) === RuleScope.fleet));
}

function keyOf(stack: string, finding: Finding): string {
  return `${stack}\0${finding.ruleId}\0${finding.cluster ?? ""}\0${finding.enforcement}`;
}

function quoted(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(", ");
}
