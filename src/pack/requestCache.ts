import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * One AnalyzeStack request, converted once.
 *
 * `@pulumi/policy` converts every resource's protobuf properties to JavaScript (`Struct.toJavaScript`) and then
 * copies them (`deserializeProperties`, which unwraps secrets) once per stack policy, and this pack has one stack
 * policy per fleet rule: at 1,000 clusters that work alone made a pack of ten no-op stack policies 2.4× slower than
 * one. Inside the pack process, `convertEachRequestOnce()` makes both happen once per Struct. `toJavaScript`'s result
 * is only read by the SDK. The deserialized properties are shared by every policy that validates (each gets its own
 * unknown-checking proxy over them); no policy of this pack writes to its `props`, and remediation, which writes, asks
 * for secret-preserving properties, which are never shared. Each first conversion also advances a generation counter:
 * while no new Struct has been seen, the policies are looking at the same request, and `perRequest` hands them the
 * same derived value (the fleet).
 */
let installed = false;
let generation = 0;
let cached: { key: string; value: unknown } | undefined;

/** Installs the conversion cache; only the pack's entry point calls this. Idempotent. */
export function convertEachRequestOnce(): void {
  if (installed) return;
  installed = true;
  const convert = Struct.prototype.toJavaScript;
  const converted = new WeakMap<Struct, ReturnType<typeof convert>>();
  Struct.prototype.toJavaScript = function toJavaScriptOnce(this: Struct) {
    let value = converted.get(this);
    if (value === undefined) {
      value = convert.call(this);
      converted.set(this, value);
      generation++;
    }
    return value;
  };
  const sdk = require("@pulumi/policy/deserialize") as { deserializeProperties: (struct: Struct, proxySecrets: boolean) => unknown };
  const deserialize = sdk.deserializeProperties;
  const deserialized = new WeakMap<Struct, unknown>();
  sdk.deserializeProperties = function deserializeOnce(struct: Struct, proxySecrets: boolean) {
    if (proxySecrets) return deserialize(struct, proxySecrets);
    let value = deserialized.get(struct);
    if (value === undefined) {
      value = deserialize(struct, proxySecrets);
      deserialized.set(struct, value);
    }
    return value;
  };
}

/**
 * `compute()` once per request and key. Without the conversion cache installed (unit tests calling policies
 * directly) there is no way to tell requests apart, so it always computes.
 */
export function perRequest<T>(key: string, compute: () => T): T {
  if (!installed) return compute();
  const full = `${generation}\0${key}`;
  if (cached?.key === full) return cached.value as T;
  const value = compute();
  cached = { key: full, value };
  return value;
}
