import Ajv, { type ErrorObject } from "ajv";
import { InputError } from "../cli/exitCodes";
import type { EnforcementLevel, PackInfo, PolicyConfigInput, PolicyDescription } from "../engine";
import { configMap } from "../model/lookup";
import { trimSpace } from "./goText";
import { readInputFile, type InputFileOptions } from "./inputFile";
import { parseJson, positionAt, scanJson } from "./jsonPosition";
import { namesDifferBetweenPolicies } from "./policyConfigNames";

/** apitype.EnforcementLevel.IsValid (sdk/go/common/apitype/policy.go:188). */
const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];
const FLAG = "--policy-pack-config";

/** One policy's config as the engine holds it (plugin.AnalyzerPolicyConfig). */
interface PolicyConfig {
  readonly enforcementLevel?: EnforcementLevel;
  readonly properties?: Record<string, unknown>;
}

export interface PolicyPackConfigOptions {
  /** The pack's own initial config (GetAnalyzerInfo), applied between the schema defaults and the file. */
  readonly initialConfig?: PackInfo["initialConfig"];
  /** What the CLI accepts but the user should hear about (a name the pack does not have). */
  readonly warn?: (message: string) => void;
}

/**
 * `--policy-pack-config` as the Pulumi CLI reads it (pulumi/pulumi v3.248.0, pkg/resource/analyzer/config.go), and the
 * config the engine then hands the pack (`Configure`): the pack's schema defaults, its initial config, then the file
 * (config.go:306 ReconcilePolicyPackConfig), validated on that merged config against each policy's `configSchema`. What
 * the CLI refuses is refused for the same reason; what it accepts is accepted. Read through the bounded reader; every
 * error names the file and the position (line, column, JSON Pointer), never the file's text: a token in that file, or
 * a secret file passed by mistake, stays put. No file: the merged defaults, validated all the same.
 */
export function readPolicyPackConfig(
  file: string | undefined,
  policies: readonly PolicyDescription[],
  limits: Pick<InputFileOptions, "maxBytes" | "raiseWith"> = {},
  options: PolicyPackConfigOptions = {},
): Record<string, PolicyConfigInput> {
  const text = file === undefined ? "" : readInputFile(file, { label: FLAG, ...limits });
  const fail = (what: string, fix: string): InputError => new InputError(`${FLAG} ${file}: ${what}. Fix: ${fix}.`);
  const warn = (what: string): void => options.warn?.(`${FLAG} ${file}: ${what}`);
  const scanned = scanJson(text);
  const offsets = "offsets" in scanned ? scanned.offsets : new Map<string, number>();
  const position = (pointer: string): string | undefined => {
    const offset = offsets.get(pointer);
    if (offset === undefined) return undefined;
    const at = positionAt(text, offset);
    return `line ${at.line}, column ${at.column}`;
  };
  const where = (pointer: string): string => `${pointer || "/"}${position(pointer) ? ` (${position(pointer)})` : ""}`;
  // A key is shown only when it looks like a policy name: a file passed by mistake may have secrets for keys.
  const shown = (key: string): boolean => /^[a-z0-9][a-z0-9-]{0,99}$/.test(key);
  const named = (key: string): string => (shown(key) ? `"${key}"` : `the entry at ${position(`/${pointerSegment(key)}`)}`);
  /** Where a key's value (or `sub` under it) is: its JSON Pointer when the key may be shown, else its position only. */
  const at = (key: string, sub = ""): string => (shown(key) ? where(`/${pointerSegment(key)}${sub}`) : `the value${sub ? ` ${sub}` : ""} at ${position(`/${pointerSegment(key)}${sub}`)}`);

  const fromFile = parseConfig(text, { fail, warn, at, named });
  const names = policies.map((p) => p.name);
  for (const key of Object.keys(fromFile)) {
    if (key === "all" || names.includes(key)) continue;
    // Passed through by the engine (config.go:349 applyConfig keeps every key) to the pack, whose SDK keeps each
    // policy's entry by name (@pulumi/policy server.js configure): a name no policy has is read by none.
    warn(`${named(key)} is not a policy of this pack; pulumi preview passes it to the pack, where no policy reads it (this pack has: ${names.join(", ")})`);
  }

  const merged = reconcile(policies, options.initialConfig ?? {}, fromFile);
  const problems = policies.flatMap((policy) => {
    if (!policy.configSchema) return [];
    const properties = merged.get(policy.name)?.properties ?? {};
    return schemaProblems(policy.configSchema, properties).map((p) => ({ policy: policy.name, text: `${policy.name}: ${where(`/${pointerSegment(policy.name)}${p.instancePath}`)} ${describe(p)}` }));
  });
  if (problems.length > 0) {
    // update.go:843: the CLI prints every validation error, sorted, then "validating policy config".
    const which = [...new Set(problems.map((p) => p.policy))];
    throw fail(
      `validating policy config: ${problems.map((p) => p.text).sort().join("; ")}`,
      `give values of the types ${which.length === 1 ? `policy ${which[0]}'s configSchema declares` : `the configSchemas of ${which.join(", ")} declare`} (see policies/README.md)`,
    );
  }

  const config: Record<string, PolicyConfigInput> = {};
  for (const name of names) {
    const entry = merged.get(name)!;
    config[name] = { ...(entry.properties ?? {}), ...(entry.enforcementLevel ? { enforcementLevel: entry.enforcementLevel } : {}) } as PolicyConfigInput;
  }
  const differ = namesDifferBetweenPolicies(config, names);
  if (differ) warn(differ);
  return config;
}

interface ParseHelpers {
  readonly fail: (what: string, fix: string) => InputError;
  readonly warn: (what: string) => void;
  readonly at: (key: string, sub?: string) => string;
  readonly named: (key: string) => string;
}

/** config.go:92–157 parsePolicyPackConfig: the file's entries, each a level or an object with an optional level. */
function parseConfig(text: string, { fail, warn, at, named }: ParseHelpers): Record<string, PolicyConfig> {
  // config.go:96: empty content (whitespace only) is accepted, as no config.
  if (trimSpace(text) === "") return {};
  const parsed = parseJson(text);
  if ("error" in parsed) throw fail(parsed.error.problem, parsed.error.fix ?? "write a JSON object keyed by policy name, as pulumi preview --policy-pack-config takes it");
  const raw = parsed.value;
  // config.go:101: json.Unmarshal of `null` into the map leaves it empty; any other non-object is refused.
  if (raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw fail("is not a JSON object", "write a JSON object keyed by policy name");
  // Own keys into maps without a prototype: a key `__proto__` is a key of that name, as Go reads it.
  const entries: Record<string, unknown> = Object.assign(configMap(), raw);
  // config.go:107–121: "environments" names Pulumi ESC environments whose policyConfig the engine applies under the file's.
  if ("environments" in entries) {
    const environments = entries["environments"];
    if (!Array.isArray(environments)) throw fail(`"environments" must be an array of strings`, "list the ESC environment names, or remove environments");
    const index = environments.findIndex((e) => typeof e !== "string");
    if (index >= 0) throw fail(`"environments[${index}]" must be a string`, "list the ESC environment names");
    warn(`the policy config of ESC environment(s) ${environments.join(", ")} cannot be opened by the check; it is left out (the file's own entries win over it in pulumi preview too)`);
    delete entries["environments"];
  }
  const result = configMap() as Record<string, PolicyConfig>;
  for (const [key, value] of Object.entries(entries)) {
    let enforcementLevel: string | undefined;
    let properties: Record<string, unknown> | undefined;
    if (typeof value === "string") {
      if (!LEVELS.includes(value)) throw fail(`parsing enforcement level for ${named(key)}: ${at(key)} is not a valid enforcement level`, `use ${LEVELS.join(", ")}`);
      enforcementLevel = value;
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      // config.go:161 extractEnforcementLevel.
      const { enforcementLevel: level, ...rest } = value as Record<string, unknown>;
      if (level !== undefined) {
        const where = at(key, "/enforcementLevel");
        if (typeof level !== "string") throw fail(`parsing enforcement level for ${named(key)}: ${where} is not a valid enforcement level; must be a string`, `use ${LEVELS.join(", ")}`);
        if (!LEVELS.includes(level)) throw fail(`parsing enforcement level for ${named(key)}: ${where} is not a valid enforcement level`, `use ${LEVELS.join(", ")}`);
        enforcementLevel = level;
      }
      if (Object.keys(rest).length > 0) properties = rest;
    } else {
      throw fail(`parsing ${named(key)}: ${at(key)} is not a valid value; must be a string or object`, `give an enforcement level (${LEVELS.join(", ")}) or an object of the policy's settings`);
    }
    // config.go:146: empty configs are dropped.
    if (enforcementLevel === undefined && properties === undefined) continue;
    result[key] = { ...(enforcementLevel ? { enforcementLevel: enforcementLevel as EnforcementLevel } : {}), ...(properties ? { properties } : {}) };
  }
  return result;
}

/**
 * config.go:274–373: every policy's schema defaults and level, then the initial config, then the file, each applied
 * as applyConfig does: a valid `all` level first to every entry, then each entry's level and properties over it.
 */
function reconcile(policies: readonly PolicyDescription[], initial: PackInfo["initialConfig"], fromFile: Record<string, PolicyConfig>): Map<string, PolicyConfig> {
  const result = new Map<string, PolicyConfig>();
  for (const policy of policies) {
    const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(([, schema]) => schema !== null && typeof schema === "object" && "default" in schema);
    result.set(policy.name, {
      enforcementLevel: policy.enforcementLevel,
      ...(defaults.length > 0 ? { properties: Object.fromEntries(defaults.map(([key, schema]) => [key, (schema as { default: unknown }).default])) } : {}),
    });
  }
  apply(result, initial);
  apply(result, fromFile);
  return result;
}

function apply(result: Map<string, PolicyConfig>, config: Readonly<Record<string, PolicyConfig>>): void {
  const all = config["all"]?.enforcementLevel;
  if (all && LEVELS.includes(all)) for (const [name, entry] of result) result.set(name, { ...entry, enforcementLevel: all });
  for (const [name, given] of Object.entries(config)) {
    const current = result.get(name) ?? {};
    const enforcementLevel = given.enforcementLevel && LEVELS.includes(given.enforcementLevel) ? given.enforcementLevel : current.enforcementLevel;
    const properties = given.properties && Object.keys(given.properties).length > 0 ? { ...(current.properties ?? {}), ...given.properties } : current.properties;
    result.set(name, { ...(enforcementLevel ? { enforcementLevel } : {}), ...(properties ? { properties } : {}) });
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** config.go:210 validatePolicyConfig: the policy's properties against `{ type: object, properties, required }` (config.go:262). */
function schemaProblems(schema: NonNullable<PolicyDescription["configSchema"]>, properties: Record<string, unknown>): ErrorObject[] {
  const validate = ajv.compile({ type: "object", properties: schema.properties, ...(schema.required.length > 0 ? { required: schema.required } : {}) });
  return validate(properties) ? [] : (validate.errors ?? []);
}

/** ajv's message for the rule broken, without the value (ajv never quotes it; the schema's own words are ours). */
function describe(error: ErrorObject): string {
  if (error.keyword === "required") return `must set ${JSON.stringify((error.params as { missingProperty: string }).missingProperty)}`;
  return error.message ?? `breaks the schema's ${error.keyword} rule`;
}

function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
