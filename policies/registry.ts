import type { Policy } from "@pulumi/policy";

const registry = new Map<string, Policy>();

/** Adds a policy to the pack's registry. A second policy with the same name is a programming error. */
export function registerPolicy<P extends Policy>(policy: P): P {
  if (!policy?.name) throw new Error("A policy without a name cannot be registered; give it the id of the rule it enforces.");
  if (policy.name === "all") throw new Error("Policy name 'all' is reserved by Pulumi; choose another name.");
  if (registry.has(policy.name)) throw new Error(`Another policy with the name '${policy.name}' already exists; give each policy a unique name.`);
  registry.set(policy.name, policy);
  return policy;
}

/** Every registered policy, in registration order. */
export function registeredPolicies(): Policy[] {
  return [...registry.values()];
}
