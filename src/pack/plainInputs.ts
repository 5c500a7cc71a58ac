import { UNKNOWN_VALUE } from "../model/unknownValue";

/**
 * Pulumi's sentinels for values not known during preview, one per type. The engine sends the string one; the policy
 * SDK may hand out any of them.
 */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  UNKNOWN_VALUE, // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/**
 * A plain copy of resource inputs as a policy receives them, with every preview unknown replaced by
 * `UNKNOWN_VALUE` so the model's parsers turn it into an `unknown` observation.
 *
 * The policy SDK wraps `props` in a proxy that throws when an unknown is read; this copy reads each property once
 * and catches that, so no policy ever crashes on an unknown. Plain objects (tests, the offline check) pass through
 * the same way.
 */
export function plainInputs(value: unknown): unknown {
  if (typeof value === "string") return UNKNOWN_SENTINELS.has(value) ? UNKNOWN_VALUE : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) items.push(plainInputs(readProperty(value, String(i))));
    return items;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = plainInputs(readProperty(value, key));
  return copy;
}

/** `plainInputs` for a resource's `props`, always an object. */
export function plainProps(props: unknown): Record<string, unknown> {
  const plain = plainInputs(props);
  return plain !== null && typeof plain === "object" && !Array.isArray(plain) ? (plain as Record<string, unknown>) : {};
}

function readProperty(container: object, key: string): unknown {
  try {
    return (container as Record<string, unknown>)[key];
  } catch {
    // The SDK's proxy throws UnknownValueError for a preview unknown.
    return UNKNOWN_VALUE;
  }
}
