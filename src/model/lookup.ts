import { isUnknownValue } from "./unknownValue";

/** The value at `path` in plain data: `unknown` when it or a parent is a preview unknown, `absent` when missing. */
export type Lookup = { readonly state: "known"; readonly value: unknown } | { readonly state: "unknown" } | { readonly state: "absent" };

export function lookup(data: unknown, path: readonly string[]): Lookup {
  let node: unknown = data;
  for (const key of path) {
    if (isUnknownValue(node)) return { state: "unknown" };
    if (node === null || typeof node !== "object" || Array.isArray(node)) return { state: "absent" };
    if (!Object.prototype.hasOwnProperty.call(node, key)) return { state: "absent" };
    node = (node as Record<string, unknown>)[key];
  }
  if (isUnknownValue(node)) return { state: "unknown" };
  return node === undefined || node === null ? { state: "absent" } : { state: "known", value: node };
}

/**
 * An empty map of config keys to values, without a prototype: a key from a file (`__proto__`, `constructor`) is an
 * entry like any other, never the map's prototype, and reading a key that is absent gives undefined, never
 * something inherited. Every map of config keys read from a file (stack file, env file) is built on one.
 */
export function configMap(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Keys to read of some data: `true` for a whole value, a tree for some of its keys, e.g. `{ metadata: { name: true } }`. */
export interface ObjectKeys {
  readonly [key: string]: ObjectKeys | true;
}
