import { Secret } from "@pulumi/policy/policy";
import { isUnknownValue, UNKNOWN_VALUE } from "../model/unknownValue";

/**
 * A plain copy of resource inputs as a policy receives them, with every preview unknown replaced by
 * `UNKNOWN_VALUE` so the model's parsers turn it into an `unknown` observation.
 *
 * The policy SDK wraps `props` in a proxy that throws when an unknown is read; this copy reads each property once
 * and catches that, so no policy ever crashes on an unknown. Remediation's proxy hands out secrets as `Secret`
 * objects; the copy unwraps them. Plain objects (tests, the offline check) pass through the same way.
 */
export function plainInputs(value: unknown): unknown {
  if (typeof value === "string") return isUnknownValue(value) ? UNKNOWN_VALUE : value;
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Secret) return plainInputs(value.value);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) items.push(plainInputs(readProperty(value, String(i))));
    return items;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = plainInputs(readProperty(value, key));
  return copy;
}

/** `plainInputs` for a resource's `props`, always an object. For remediation, whose result is written back. */
export function plainProps(props: unknown): Record<string, unknown> {
  const plain = plainInputs(props);
  return plain !== null && typeof plain === "object" && !Array.isArray(plain) ? (plain as Record<string, unknown>) : {};
}

/**
 * The policy SDK's proxies answer this key with the object they wrap (`getSpecialProxyTarget` in
 * `@pulumi/policy/proxy`).
 */
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

/**
 * A validated resource's inputs to read, without copying them: the object behind the SDK's unknown-checking proxy.
 * It holds the same values with preview unknowns as sentinels, which the model recognises (`isUnknownValue`), and
 * never a `Secret` object (only remediation's proxy makes those). Reading it directly skips a proxy trap and a copy
 * per property; at 1,000 clusters those were a tenth of AnalyzeStack. Inputs that are not behind the SDK's proxy
 * (tests, the offline check) are copied with `plainProps`. Read only: the SDK hands the same object to every policy.
 */
export function validatedInputs(props: unknown): Readonly<Record<string, unknown>> {
  if (props !== null && typeof props === "object") {
    const target = readProperty(props, PROXY_TARGET_KEY);
    if (target !== null && typeof target === "object" && !Array.isArray(target) && !(target instanceof Secret)) return target as Record<string, unknown>;
  }
  return plainProps(props);
}

function readProperty(container: object, key: string): unknown {
  try {
    return (container as Record<string, unknown>)[key];
  } catch {
    // The SDK's proxy throws UnknownValueError for a preview unknown.
    return UNKNOWN_VALUE;
  }
}
