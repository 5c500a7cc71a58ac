import { Secret, UnknownValueError } from "@pulumi/policy";
import { isPlainObject, type ObjectKeys } from "../model/lookup";
import { isUnknownValue, UNKNOWN_VALUE } from "../model/unknownValue";

/**
 * A plain copy of resource inputs as a policy receives them, with every preview unknown replaced by
 * `UNKNOWN_VALUE` so the model's parsers turn it into an `unknown` observation.
 *
 * The policy SDK hands `props` to a policy behind a proxy that throws `UnknownValueError` when a preview unknown is
 * read (its documented behaviour); this copy reads each property once and catches that, so no policy ever crashes on
 * an unknown. Remediation hands out secrets as `Secret` objects; the copy unwraps them. Plain objects (tests, the
 * offline check) pass through the same way. Only the public `@pulumi/policy` API is used.
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
  return isPlainObject(plain) ? plain : {};
}

/**
 * A plain copy of only the inputs a tree names: what the model reads of a resource, without copying the rest (a
 * Deployment's pod template, a ConfigMap's other keys). Each property is read once. A preview unknown on the way is
 * copied as the sentinel, where the model's parsers find it; a missing key is left out.
 */
export function pickInputs(props: unknown, tree: ObjectKeys): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  const from = unwrap(props);
  if (!isPlainObject(from)) return picked;
  for (const [key, below] of entriesOf(tree)) {
    const value = unwrap(readProperty(from, key));
    if (value === undefined) continue;
    picked[key] = below === true || !isPlainObject(value) ? plainInputs(value) : pickInputs(value, below);
  }
  return picked;
}

/** A key tree's entries, listed once per tree: every policy picks the same keys of every resource. */
function entriesOf(tree: ObjectKeys): readonly (readonly [string, ObjectKeys | true])[] {
  let entries = ENTRIES.get(tree);
  if (!entries) {
    entries = Object.entries(tree);
    ENTRIES.set(tree, entries);
  }
  return entries;
}

const ENTRIES = new WeakMap<ObjectKeys, readonly (readonly [string, ObjectKeys | true])[]>();

function unwrap(value: unknown): unknown {
  return value instanceof Secret ? value.value : value;
}

/** One property through the SDK's proxy: a preview unknown (the proxy throws `UnknownValueError`) becomes `UNKNOWN_VALUE`. */
function readProperty(container: object, key: string): unknown {
  try {
    return (container as Record<string, unknown>)[key];
  } catch (error) {
    if (error instanceof UnknownValueError) return UNKNOWN_VALUE;
    throw error;
  }
}
