/**
 * Turns the policy tests' ResourceSpec lists into the engine's wire form: provider resources listed as resources and
 * referenced from each resource's `provider`, with the values the Pulumi engine would mark secret wrapped as secrets
 * (a ConfigMap's or Secret's `data`, Helm `values`, a provider's `kubeconfig`).
 */
import type { ResourceInput } from "../../src/engine";
import { secret } from "../../src/engine/wire";
import { KUBERNETES_PROVIDER_TYPE } from "../../src/pack/resourceTypes";
import type { ResourceSpec } from "./args";

const SECRET_INPUTS = ["data", "stringData", "values", "kubeconfig"];

export function wireProperties(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).map(([key, value]) => [key, SECRET_INPUTS.includes(key) && value !== undefined ? secret(value) : value]));
}

export function wireResources(specs: readonly ResourceSpec[]): ResourceInput[] {
  const providers = new Map(specs.filter((s) => s.type === KUBERNETES_PROVIDER_TYPE).map((s) => [s.name, s]));
  return specs.map((spec) => {
    const provider = spec.provider === undefined ? undefined : (providers.get(spec.provider) ?? { name: spec.provider, props: {} });
    return {
      type: spec.type,
      name: spec.name,
      properties: wireProperties(spec.props),
      ...(provider ? { provider: { name: provider.name, properties: wireProperties(provider.props) } } : {}),
    };
  });
}
