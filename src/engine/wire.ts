import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { UNKNOWN_VALUE } from "../model/unknownValue";

/**
 * How the Pulumi engine encodes resource properties for an analyzer: a `google.protobuf.Struct` in which a secret is
 * an object `{ <SIG_KEY>: <SECRET_SIG>, value }` and a value unknown during preview is the string `UNKNOWN_VALUE`.
 * Build inputs with `secret()` and `WIRE_UNKNOWN`, then `toStruct()`.
 */

/** The key that marks a special object (secret, asset, archive, resource reference) on the wire. */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The engine's sentinel for a value not known during preview (any type). */
export const WIRE_UNKNOWN = UNKNOWN_VALUE;

/** A secret as the engine sends it. The policy SDK unwraps it: policies see the plain value. */
export interface WireSecret {
  readonly [SPECIAL_SIG_KEY]: typeof SECRET_SIG;
  readonly value: unknown;
}

/** Wraps a value the way the engine sends a secret. */
export function secret(value: unknown): WireSecret {
  return { [SPECIAL_SIG_KEY]: SECRET_SIG, value } as WireSecret;
}

export function isWireSecret(value: unknown): value is WireSecret {
  return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG;
}

/**
 * Encodes plain properties (with secrets and unknowns already in wire form) as a Struct. `undefined` members are
 * left out, as the engine leaves out unset inputs; anything that is not JSON is an error naming its path.
 */
export function toStruct(properties: Readonly<Record<string, unknown>>): Struct {
  return Struct.fromJavaScript(jsonValue(properties, "") as Record<string, never>);
}

/** Decodes a Struct back to plain data (secrets stay wrapped). */
export function fromStruct(struct: Struct | undefined): Record<string, unknown> {
  return struct ? (struct.toJavaScript() as Record<string, unknown>) : {};
}

/** `value` as plain JSON: `undefined` members left out; anything else that is not JSON is an error naming its path. */
export function jsonValue(value: unknown, path: string): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Property ${path || "."} is ${value}; the wire format carries only finite numbers.`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => jsonValue(item, `${path}[${i}]`));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (member !== undefined) out[key] = jsonValue(member, `${path}.${key}`);
    }
    return out;
  }
  throw new Error(`Property ${path || "."} is a ${typeof value}; the wire format carries only JSON values.`);
}
