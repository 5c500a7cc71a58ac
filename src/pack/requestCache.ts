import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * One AnalyzeStack request, converted once.
 *
 * `@pulumi/policy` converts every resource's protobuf properties to JavaScript (`Struct.toJavaScript`) once per stack
 * policy, and this pack has one stack policy per rule: at 1,000 clusters that conversion alone made a pack of ten
 * no-op stack policies 2.4× slower than one. Inside the pack process, `convertEachRequestOnce()` makes the conversion
 * of a given Struct happen once; the SDK copies what it gets (`deserializeProperties` never mutates its input), so
 * sharing the result is safe. Each first conversion also advances a generation counter: while no new Struct has been
 * seen, the policies are looking at the same request, and `perRequest` hands them the same derived value (the fleet).
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
