import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../cli/exitCodes";
import { readYamlDocuments } from "../input/boundedYaml";
import { readInputFile } from "../input/inputFile";
import { shownName } from "../input/printable";
import { configMap, isPlainObject } from "../model/lookup";
import { isUnknownValue } from "../model/unknownValue";
import type { InputFileOptions } from "../input/inputFile";

/**
 * The project-level `config:` of `Pulumi.yaml`, as the Pulumi CLI reads it (pulumi/pulumi v3.248.0,
 * sdk/go/common/workspace): the keys the stack does not set take the project's `value` or `default`, a project key
 * with neither must be set by the stack, and explicitly typed keys are checked against their type.
 */
export interface ProjectConfig {
  readonly file: string;
  readonly entries: readonly ProjectConfigEntry[];
}

interface ItemsType {
  readonly type: string;
  readonly items?: ItemsType;
}

export interface ProjectConfigEntry {
  /** The key as written in Pulumi.yaml (`clusters`, or namespaced `aws:region`). */
  readonly written: string;
  /** The key without this project's namespace (`clusters`), or the full key of another namespace. */
  readonly key: string;
  readonly ofProject: boolean;
  readonly type?: string;
  readonly items?: ItemsType;
  readonly default?: unknown;
  readonly value?: unknown;
  readonly secret: boolean;
}

/** `Pulumi.yaml`'s project config; none when the project folder has no Pulumi.yaml (a stack folder made for a test). */
export function readProjectConfig(projectDir: string, project: string, limits: Pick<InputFileOptions, "maxBytes" | "raiseWith"> = {}): ProjectConfig | undefined {
  const file = join(projectDir, "Pulumi.yaml");
  if (!existsSync(file)) return undefined;
  const label = "Pulumi.yaml:";
  const root = readYamlDocuments(readInputFile(file, { label, ...limits }), label, file)[0];
  const config = isPlainObject(root) ? root["config"] : undefined;
  const name = isPlainObject(root) && typeof root["name"] === "string" ? root["name"] : project;
  // A text `config:` is the old spelling of stackConfigDir (project.go:440), not config.
  if (config === undefined || config === null || typeof config === "string") return { file, entries: [] };
  if (!isPlainObject(config)) throw new InputError(`${file}: 'config' must be a mapping of config keys to values or types. Fix: write config: {<key>: <default>} or {<key>: {type: string, default: ...}}.`);
  const entries = Object.entries(config).map(([written, raw]) => entryOf(written, raw, name, project, file));
  return { file, entries };
}

/** Namespaced by the project: no `:`, or `<project>:` (project.go:816 configKeyIsNamespacedByProject). */
function entryOf(written: string, raw: unknown, name: string, project: string, file: string): ProjectConfigEntry {
  const ofProject = !written.includes(":") || written.startsWith(`${name}:`);
  const full = written.includes(":") ? written : `${name}:${written}`;
  const key = full.startsWith(`${project}:`) ? full.slice(project.length + 1) : full;
  const where = `${file}: config key '${shownName(written)}'`;
  // Shorthand (project.go:469 RewriteShorthandConfigValues): a scalar or a list is the default of a project key, the value of another namespace's.
  if (!isPlainObject(raw)) return { written, key, ofProject, secret: false, ...(raw === null ? {} : ofProject ? { default: raw } : { value: raw }) };
  const type = raw["type"];
  if (type !== undefined && typeof type !== "string") throw new InputError(`${where}: 'type' must be string, integer, boolean, array or object.`);
  const entry: ProjectConfigEntry = {
    written,
    key,
    ofProject,
    secret: raw["secret"] === true,
    ...(type !== undefined ? { type } : {}),
    ...(raw["items"] !== undefined ? { items: itemsOf(raw["items"], where) } : {}),
    ...(raw["default"] !== undefined && raw["default"] !== null ? { default: raw["default"] } : {}),
    ...(raw["value"] !== undefined && raw["value"] !== null ? { value: raw["value"] } : {}),
  };
  validateEntry(entry, where);
  return entry;
}

function itemsOf(raw: unknown, where: string): ItemsType {
  if (!isPlainObject(raw) || typeof raw["type"] !== "string") throw new InputError(`${where}: 'items' must be {type: <type>}.`);
  return { type: raw["type"], ...(raw["items"] !== undefined ? { items: itemsOf(raw["items"], where) } : {}) };
}

/** The refusals of project.go:820–870 (Project.Validate), with the CLI's words. */
function validateEntry(entry: ProjectConfigEntry, where: string): void {
  const fail = (reason: string, fix: string) => {
    throw new InputError(`${where}: ${reason} (pulumi refuses this Pulumi.yaml too). Fix: ${fix}.`);
  };
  if (entry.default !== undefined && entry.value !== undefined) fail(`project config '${entry.written}' cannot have both a 'default' and 'value' attribute`, "keep one of them");
  if (entry.ofProject) {
    if (entry.type === "array" && !entry.items) fail(`the configuration key '${entry.written}' declares an array but does not specify the underlying type via the 'items' attribute`, "add items: {type: ...}");
    if (entry.type !== undefined && entry.default !== undefined && !matchesType(entry.type, entry.items, entry.default)) {
      fail(`the default value specified for configuration key '${entry.written}' is not of the expected type '${typeName(entry.type, entry.items)}'`, "give a default of that type");
    }
    return;
  }
  if (entry.type !== undefined) fail(`configuration key '${entry.written}' is not namespaced by the project and should not define a type`, "remove type");
  if (entry.default !== undefined) fail(`configuration key '${entry.written}' is not namespaced by the project and should not define a default value`, "use value instead of default");
  if (entry.value === undefined) fail(`configuration key '${entry.written}' is namespaced and must provide an attribute 'value'`, "give value");
}

/** project.go:743 InferFullTypeName: `array<object>`. */
function typeName(type: string, items: ItemsType | undefined): string {
  return items ? `array<${typeName(items.type, items.items)}>` : type;
}

/** project.go:754 ValidateConfigValue. */
function matchesType(type: string, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return isPlainObject(value);
    default:
      return Array.isArray(value) && items !== undefined && value.every((item) => matchesType(items.type, items.items, item));
  }
}

/** What the stack's config held for each key, for the project's type checks. */
export interface HeldConfig {
  readonly values: Record<string, unknown>;
  /** Keys whose value is (or holds) a secure value. */
  readonly secretKeys: readonly string[];
  /** Keys whose value is not known here as the CLI holds it (a secure value not decrypted, an ESC value): not checked. */
  readonly unknownKeys: readonly string[];
  /** The ESC environments the stack imports when the check has not opened them: a key they may hold is not "missing". */
  readonly unopenedEnvironments?: string;
}

/**
 * The stack's config (stack file, then its ESC environment) with the project's config merged in, as
 * sdk/go/common/workspace/config.go:250 mergeConfig does it: a key the stack does not set takes the project's
 * `value` or `default` (config.go:322–339; a scalar becomes its text, config.go:174 createConfigValue); a project key with
 * neither is "missing" (config.go:315–318, 349); then each typed key of the merged config is validated (config.go:70
 * validateStackConfigValues): a `secret: true` key must be secure, and the value must be of its type (config.go:123–160).
 */
export function mergeProjectConfig(stack: string, project: ProjectConfig | undefined, held: HeldConfig, notes: string[], stackFile = `stacks/Pulumi.${stack}.yaml`): Record<string, unknown> {
  const values = Object.assign(configMap(), held.values);
  if (!project) return values;
  const entries = [...project.entries].sort((a, b) => (a.written < b.written ? -1 : a.written > b.written ? 1 : 0));
  const missing: string[] = [];
  for (const entry of entries) {
    if (Object.hasOwn(values, entry.key)) continue;
    const given = entry.default ?? entry.value;
    if (given === undefined) {
      if (entry.ofProject) missing.push(entry.written);
      continue;
    }
    values[entry.key] = given !== null && typeof given === "object" ? JSON.parse(JSON.stringify(given)) : String(given);
  }
  const list = missing.length === 1 ? `'${missing[0]}'` : `${missing.slice(0, -1).map((k) => `'${k}'`).join(", ")} and '${missing[missing.length - 1]}'`;
  if (missing.length > 0 && held.unopenedEnvironments) {
    notes.push(`${project.file} declares ${list} without a default and the stack file does not set ${missing.length === 1 ? "it" : "them"}; ESC environment ${held.unopenedEnvironments} may (pulumi preview refuses the stack if it does not).`);
  } else if (missing.length > 0) {
    throw new InputError(
      `Stack '${stack}' is missing configuration value${missing.length === 1 ? "" : "s"} ${list} (${project.file} declares ${missing.length === 1 ? "it" : "them"} without a default; pulumi preview refuses the same). ` +
        `Fix: set ${missing.length === 1 ? "it" : "them"} in ${stackFile} (pulumi config set <key> <value>), or give a default in Pulumi.yaml.`,
    );
  }
  for (const entry of entries) {
    if (entry.type === undefined || !entry.ofProject || held.unknownKeys.includes(entry.key) || isUnknownValue(values[entry.key])) continue;
    const where = `Stack '${stack}' with configuration key '${entry.written}'`;
    // A project default is not secure either: a secret key must come from the stack (config.go:132).
    if (entry.secret && !held.secretKeys.includes(entry.key)) {
      throw new InputError(`${where} must be encrypted as it's secret (${project.file} declares it secret: true). Fix: pulumi config set --secret ${entry.key} <value>.`);
    }
    // The CLI checks the text it hands the program, parsed back only for an object value (config.go:141–147).
    const value = values[entry.key];
    const content = value !== null && typeof value === "object" ? value : String(value);
    if (!matchesType(entry.type, entry.items, content)) {
      throw new InputError(`${where} must be of type '${typeName(entry.type, entry.items)}' (${project.file}). Fix: give a value of that type, or change the type in Pulumi.yaml.`);
    }
  }
  return values;
}
