import type { Policy, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { fleetFromResources, type StackFleet, type StackResource } from "../src/pack/fleetFromResources";
import { decidedBy, Enforcement, RuleScope, type Finding, type ObjectRead, type Rule } from "../src/rules";
import { configSchemaFor, kubesphereNames, ruleOptions, type FleetPolicyConfig } from "./policyConfig";

/** Why a stack policy has nothing to judge. */
export const NO_CLUSTER_REASON = "no Kubernetes provider or KubeSphere resource in this stack";

/**
 * The policy that enforces one rule, by the rule's scope: a resource policy (`resource`: judged on each resource as
 * the engine registers it, in Analyze), a stack policy (`fleet`: judged once over the stack, in AnalyzeStack), or
 * both under the one name (`resource-and-fleet`: each finding is reported where it is decided, never twice).
 */
export function policyForRule(rule: Rule): Policy {
  switch (rule.scope) {
    case RuleScope.resource:
      return resourcePolicyForRule(rule);
    case RuleScope.fleet:
      return stackPolicyForRule(rule);
    default:
      return { ...resourcePolicyForRule(rule), ...stackPolicyForRule(rule) };
  }
}

/**
 * The stack policy that enforces one rule: same name, description, severity, enforcement, remediation steps and url
 * as the rule. It reports the findings at the rule's own enforcement that only the fleet decides (what one resource
 * decides was reported on it in Analyze). A mandatory rule's advisory notes ("could not decide": a preview unknown)
 * go to the `kubesphere-fleet-warn-undecided-during-preview` policy instead, so a mandatory policy never blocks on
 * something it could not see.
 */
export function stackPolicyForRule(rule: Rule): StackValidationPolicy {
  return {
    ...policyMetadata(rule),
    validateStack: (args, reportViolation) => {
      const select = (finding: Finding) => finding.enforcement === rule.enforcement && decidedBy(rule, finding) === RuleScope.fleet;
      reportFindings(evaluateStack(args, [rule]), select, reportViolation);
    },
  };
}

/**
 * The resource policy that enforces what one resource decides of a rule: the rule runs over the cluster that resource
 * alone declares (a provider resource: its kubeconfig credentials; a KubeSphere object: its settings), so a violation
 * shows on the resource at registration, before anything of that cluster is changed, even in
 * `pulumi up --skip-preview`.
 */
export function resourcePolicyForRule(rule: Rule): ResourceValidationPolicy {
  return {
    ...policyMetadata(rule),
    validateResource: (args, reportViolation) => {
      for (const finding of evaluateResource(args, [rule])) {
        if (finding.enforcement === rule.enforcement && decidedBy(rule, finding) === RuleScope.resource) reportViolation(finding.message, args.urn);
      }
    },
  };
}

function policyMetadata(rule: Rule) {
  return {
    name: rule.id,
    description: rule.description,
    enforcementLevel: rule.enforcement,
    severity: rule.severity,
    remediationSteps: rule.remediationSteps,
    ...(rule.url ? { url: rule.url } : {}),
    configSchema: configSchemaFor(rule.settings ?? []),
  };
}

/**
 * The fleet a stack declares and what the given rules find in it, with the policy's config applied. Credentials are
 * not read: the rules that judge them have scope `resource` and run on each provider resource instead. Each policy
 * builds its own fleet from its own copy of the resources (the SDK gives every policy one); the model reads each
 * kubesphere.yaml text once however many policies read it (`TextMemo`).
 */
export function evaluateStack(args: StackValidationArgs, rules: readonly Rule[]): { stack: StackFleet; findings: Finding[] } {
  const config = args.getConfig<FleetPolicyConfig>();
  const objects = objectsRead(rules);
  const stack = fleetFromResources(args.resources as readonly StackResource[], kubesphereNames(config), { credentials: false, ...(objects ? { objects } : {}) });
  if (stack.fleet.clusters.length === 0) args.notApplicable(NO_CLUSTER_REASON);
  const options = ruleOptions(config);
  return { stack, findings: rules.flatMap((rule) => rule.evaluate(stack.fleet, options)) };
}

/** What the given rules find in the one cluster a single resource declares, with the policy's config applied. */
export function evaluateResource(args: ResourceValidationArgs, rules: readonly Rule[]): Finding[] {
  const config = args.getConfig<FleetPolicyConfig>();
  const resource: StackResource = { type: args.type, name: args.name, urn: args.urn, props: args.props, ...(args.provider ? { provider: args.provider } : {}) };
  const objects = objectsRead(rules);
  const stack = fleetFromResources([resource], kubesphereNames(config), objects ? { objects } : {});
  const options = ruleOptions(config);
  return rules.flatMap((rule) => rule.evaluate(stack.fleet, options));
}

/** What the given rules read (`Rule.reads`), or undefined when one of them may read anything. */
function objectsRead(rules: readonly Rule[]): ReadonlySet<ObjectRead> | undefined {
  return rules.every((rule) => rule.reads) ? new Set(rules.flatMap((rule) => rule.reads!)) : undefined;
}

/** Reports each selected finding with the URN of the resource it is about. */
export function reportFindings(
  evaluated: { stack: StackFleet; findings: readonly Finding[] },
  select: (finding: Finding) => boolean,
  reportViolation: ReportViolation,
): void {
  for (const finding of evaluated.findings) {
    if (!select(finding)) continue;
    reportViolation(finding.message, evaluated.stack.urnOf(finding.cluster, finding.source));
  }
}

/** Whether a finding is below its rule's enforcement: a note that the rule could not decide. */
export function isUndecided(rule: Rule, finding: Finding): boolean {
  return rule.enforcement === Enforcement.mandatory && finding.enforcement !== Enforcement.mandatory;
}
