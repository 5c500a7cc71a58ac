/**
 * The two things the package schema needs that `@pulumi/pulumi`'s component analyzer (provider/experimental,
 * 3.248.0) does not write:
 * - `secret: true` on inputs that hold credentials. The analyzer has no notion of secrets (neither analyzer.js nor
 *   schema.d.ts mention them), so a generated Python or Go SDK would pass a plain-text jwtSecret into the state.
 * - references to a provider. The analyzer writes every resource reference as `…/schema.json#/resources/<__pulumiType>`
 *   (analyzer.js line 357), but a provider class's `__pulumiType` is its bare package name (`kubernetes`), which is
 *   no resource token; a schema names a package's provider `…/schema.json#/provider`.
 */

/** Resource or type token → the properties to mark secret in it (its inputs for a resource, its properties for a type). */
export type SecretProperties = Readonly<Record<string, readonly string[]>>;

interface PropertyMap {
  [name: string]: Record<string, unknown>;
}

interface PackageSpec {
  resources?: Record<string, { inputProperties?: PropertyMap }>;
  types?: Record<string, { properties?: PropertyMap }>;
}

/** The analyzer's schema (JSON text) with `secrets` marked and provider references fixed. Throws if a named property is missing. */
export function completeSchema(schemaJson: string, secrets: SecretProperties): string {
  const schema = fixProviderReferences(JSON.parse(schemaJson)) as PackageSpec;
  for (const [token, names] of Object.entries(secrets)) {
    const properties = schema.resources?.[token]?.inputProperties ?? schema.types?.[token]?.properties;
    for (const name of names) {
      const property = properties?.[name];
      if (!property) throw new Error(`The package schema has no property '${name}' in '${token}' to mark secret; keep SECRET_INPUTS in step with the component's args.`);
      property["secret"] = true;
    }
  }
  return JSON.stringify(schema);
}

const RESOURCE_REFERENCE = /^(\/[^/]+\/v[^/]+\/schema\.json)#\/resources\/([^/]+)$/;

/** A resource token is `package:module:Type`; a reference to a token without `:` is to the package's provider. */
function fixProviderReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fixProviderReferences);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const match = key === "$ref" && typeof inner === "string" ? RESOURCE_REFERENCE.exec(inner) : null;
    out[key] = match && !decodeURIComponent(match[2]!).includes(":") ? `${match[1]}#/provider` : fixProviderReferences(inner);
  }
  return out;
}
