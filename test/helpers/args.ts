/**
 * Builds policy arguments in the shape the @pulumi/policy server passes them: resources whose `props` are wrapped in
 * the SDK's own unknown-checking proxy (reading a preview unknown throws), providers attached by name, and
 * `getConfig`/`notApplicable` as the server implements them. Used by the policy unit tests; the end-to-end tests
 * go through the real gRPC server instead.
 */
import type { Policy, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import type { FleetPolicyConfig } from "../../policies/policyConfig";
import { KUBERNETES_PROVIDER_TYPE } from "../../src/pack/resourceTypes";

// The SDK's proxy (internal, not in its typings): the very code that wraps props in the pack.
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy: <T>(props: T) => T };

/** A resource of the stack: its type token, name, inputs, and the name of its Kubernetes provider. */
export interface ResourceSpec {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  /** Name of a `kubernetesProvider()` in the same list; the cluster the resource belongs to. */
  readonly provider?: string;
}

export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

export interface PolicyRun {
  readonly violations: Violation[];
  /** The reason the policy gave for not applying, if it did not apply. */
  readonly notApplicable?: string;
}

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:dev::kubesphere-fleet::${type}::${name}`;
}

/** A `pulumi:providers:kubernetes` named like the cluster it reaches. */
export function kubernetesProvider(name: string, props: Record<string, unknown> = {}): ResourceSpec {
  return { type: KUBERNETES_PROVIDER_TYPE, name, props };
}

/** A resource registered through the provider named `cluster`. */
export function onCluster(cluster: string, type: string, name: string, props: Record<string, unknown>): ResourceSpec {
  return { type, name, props, provider: cluster };
}

class NotApplicable extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "Policy does not apply");
  }
}

/** StackValidationArgs as the policy server builds them. A provider named but not listed gets empty inputs. */
export function stackArgs(specs: readonly ResourceSpec[], config: FleetPolicyConfig = {}): StackValidationArgs {
  const providers = new Map(specs.filter((s) => s.type === KUBERNETES_PROVIDER_TYPE).map((s) => [s.name, s]));
  const resources = specs.map((spec): PolicyResource => {
    const props = unknownCheckingProxy(structuredClone(spec.props));
    const provider = spec.provider === undefined ? undefined : (providers.get(spec.provider) ?? kubernetesProvider(spec.provider));
    return {
      type: spec.type,
      name: spec.name,
      urn: urnOf(spec.type, spec.name),
      props,
      opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      dependencies: [],
      propertyDependencies: {},
      ...(provider
        ? { provider: { type: provider.type, name: provider.name, urn: urnOf(provider.type, provider.name), props: unknownCheckingProxy(structuredClone(provider.props)) } }
        : {}),
      isType: () => false,
      asType: () => undefined,
    } as PolicyResource;
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** A reportViolation that records what the policy reports, as the server would pass it on. */
function collectViolations(): { violations: Violation[]; report: ReportViolation } {
  const violations: Violation[] = [];
  return { violations, report: (message, urn) => void violations.push({ message: String(message), ...(urn ? { urn } : {}) }) };
}

/** Runs a stack policy and returns what it reported, or why it did not apply. */
export async function runStackPolicy(policy: StackValidationPolicy, specs: readonly ResourceSpec[], config: FleetPolicyConfig = {}): Promise<PolicyRun> {
  const { violations, report } = collectViolations();
  try {
    await policy.validateStack(stackArgs(specs, config), report);
  } catch (error) {
    if (error instanceof NotApplicable) return { violations, notApplicable: error.reason ?? "" };
    throw error;
  }
  return { violations };
}

/** ResourceValidationArgs for each resource of the list, as the policy server builds them for Analyze. */
export function resourceArgs(specs: readonly ResourceSpec[], config: FleetPolicyConfig = {}): ResourceValidationArgs[] {
  const stack = stackArgs(specs, config);
  return stack.resources.map((resource) => ({
    type: resource.type,
    props: resource.props,
    urn: resource.urn,
    name: resource.name,
    opts: resource.opts,
    ...(resource.provider ? { provider: resource.provider } : {}),
    stackTags: stack.stackTags,
    isType: () => false,
    asType: () => undefined,
    getConfig: stack.getConfig,
    notApplicable: stack.notApplicable,
  }));
}

export function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
  return typeof (policy as Partial<StackValidationPolicy>).validateStack === "function";
}

export function isResourcePolicy(policy: Policy): policy is ResourceValidationPolicy {
  return (policy as Partial<ResourceValidationPolicy>).validateResource !== undefined;
}

/**
 * Runs a policy the way the engine does over a stack: its resource part on each resource with its provider attached
 * (one Analyze per resource), then its stack part once over every resource (AnalyzeStack). A policy may have both.
 */
export async function runPolicy(policy: Policy, specs: readonly ResourceSpec[], config: FleetPolicyConfig = {}): Promise<PolicyRun> {
  const perResource = isResourcePolicy(policy) ? await runResourcePolicy(policy, specs, config) : [];
  if (!isStackPolicy(policy)) return { violations: perResource };
  const stack = await runStackPolicy(policy, specs, config);
  return { ...stack, violations: [...perResource, ...stack.violations] };
}

/** Runs a policy's resource part only: what Analyze reports, resource by resource, with no AnalyzeStack. */
export async function runResourcePolicy(policy: ResourceValidationPolicy, specs: readonly ResourceSpec[], config: FleetPolicyConfig = {}): Promise<Violation[]> {
  const { violations, report } = collectViolations();
  for (const args of resourceArgs(specs, config)) {
    try {
      for (const validate of [policy.validateResource ?? []].flat()) await validate(args, report);
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return violations;
}
