import Ajv, { type ErrorObject } from "ajv";
import { InputError } from "../cli/exitCodes";
import type { PolicyConfigInput, PolicyDescription } from "../engine";
import { readInputFile, type InputFileOptions } from "./inputFile";
import { parseJson, positionAt, scanJson } from "./jsonPosition";
import { namesDifferBetweenPolicies } from "./policyConfigNames";

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
const FLAG = "--policy-pack-config";

/**
 * `--policy-pack-config` as the Pulumi CLI reads it: `{ "<policy>": "<level>" | { "enforcementLevel"?, …props },
 * "all"?: "<level>" }`, each policy's properties validated against the `configSchema` the pack declares (as
 * `pulumi preview` does). Read through the bounded reader. Every error names the file and the position (line,
 * column, JSON Pointer), never the file's text: a token in that file, or a secret file passed by mistake, stays put.
 */
export function readPolicyPackConfig(file: string, policies: readonly PolicyDescription[], limits: Pick<InputFileOptions, "maxBytes" | "raiseWith"> = {}): Record<string, PolicyConfigInput> {
  const text = readInputFile(file, { label: FLAG, ...limits });
  const fail = (what: string, fix: string): InputError => new InputError(`${FLAG} ${file}: ${what}. Fix: ${fix}.`);
  const parsed = parseJson(text);
  if ("error" in parsed) {
    throw fail(parsed.error.problem, parsed.error.fix ?? "write a JSON object keyed by policy name, as pulumi preview --policy-pack-config takes it");
  }
  const raw = parsed.value;
  const scanned = scanJson(text);
  const offsets = "offsets" in scanned ? scanned.offsets : new Map<string, number>();
  const position = (pointer: string): string | undefined => {
    const offset = offsets.get(pointer);
    if (offset === undefined) return undefined;
    const at = positionAt(text, offset);
    return `line ${at.line}, column ${at.column}`;
  };
  const where = (pointer: string): string => `${pointer || "/"}${position(pointer) ? ` (${position(pointer)})` : ""}`;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw fail("is not a JSON object", "write a JSON object keyed by policy name");
  const entries = raw as Record<string, unknown>;
  const names = policies.map((p) => p.name);
  for (const [name, value] of Object.entries(entries)) {
    const pointer = `/${pointerSegment(name)}`;
    if (name !== "all" && !names.includes(name)) {
      // A key is shown only when it looks like a policy name: a file passed by mistake may have secrets for keys.
      const shown = /^[a-z0-9][a-z0-9-]{0,99}$/.test(name) ? `'${name}' (${position(pointer)})` : `the entry at ${position(pointer)}`;
      throw fail(`${shown} is not a policy of this pack`, `use one of: all, ${names.join(", ")}`);
    }
    if (typeof value === "string") {
      if (!LEVELS.includes(value)) throw fail(`${where(pointer)} is not an enforcement level`, `use ${LEVELS.join(", ")}`);
      continue;
    }
    if (name === "all" || value === null || typeof value !== "object" || Array.isArray(value)) {
      throw fail(`${where(pointer)} must be an enforcement level${name === "all" ? "" : " or an object"}`, `give "${LEVELS[0]}" or another of ${LEVELS.join(", ")}${name === "all" ? "" : ", or an object of the policy's settings"}`);
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !LEVELS.includes(enforcementLevel))) {
      throw fail(`${where(`${pointer}/enforcementLevel`)} is not an enforcement level`, `use ${LEVELS.join(", ")}`);
    }
    const schema = policies.find((p) => p.name === name)?.configSchema;
    const problems = schema ? schemaProblems(schema, properties) : [];
    if (problems.length > 0) {
      const list = problems.map((p) => `${where(`${pointer}${p.instancePath}`)} ${describe(p)}`);
      throw fail(`${list.join("; ")}`, `give values of the types policy ${name}'s configSchema declares (see policies/README.md)`);
    }
  }
  const all = entries["all"];
  const config: Record<string, PolicyConfigInput> = {};
  for (const policy of names) {
    const value = entries[policy];
    const base: Record<string, unknown> = typeof all === "string" ? { enforcementLevel: all } : {};
    if (typeof value === "string") config[policy] = { ...base, enforcementLevel: value } as PolicyConfigInput;
    else if (value !== undefined) config[policy] = { ...base, ...(value as object) } as PolicyConfigInput;
    else if (typeof all === "string") config[policy] = base as PolicyConfigInput;
  }
  const differ = namesDifferBetweenPolicies(config, names);
  if (differ) throw new InputError(`${FLAG} ${file}: ${differ}`);
  return config;
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** What the Pulumi CLI checks: the policy's properties against `{ type: object, properties, required }`. */
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
