import { InputError } from "../cli/exitCodes";
import { PROJECT } from "../config/fleetDeclaration";
import { readInputFile } from "../input/inputFile";
import { parseJson } from "../input/jsonPosition";
import { configMap, isPlainObject } from "../model/lookup";
import type { FileLimits } from "./stackFile";

/**
 * The check's flag for an opened ESC environment. Not `--env-file`: that is Node's own option, and Node (v20 at
 * least) reads it even after the script's name (nodejs/node#54232), before this code runs: a `NODE_OPTIONS=--require`
 * line in the file would run code, `/dev/zero` would grow without bound, a FIFO would hang. See `NODE_ENV_FILE_FLAG`.
 */
export const ENV_FILE_FLAG = "--esc-env-file";
/** The old spelling, refused with the new one's name when it reaches the check (the launcher ends Node's options). */
export const NODE_ENV_FILE_FLAG = "--env-file";

/** An opened Pulumi ESC environment, as `esc open <org>/<project>/<env> --format json` prints it. */
export interface EscEnvironment {
  readonly file: string;
  /** This project's config keys (without the `kubesphere-fleet:` prefix) → values, in clear: never printed. */
  readonly pulumiConfig: Readonly<Record<string, unknown>>;
}

/**
 * Reads `--esc-env-file`: the JSON `esc open … --format json` (or `pulumi env open … --format json`) prints, whose
 * `pulumiConfig` holds the stack config the environment gives every stack that imports it. Keys of this project are
 * taken as Pulumi takes them: `kubesphere-fleet:<key>`, or a bare `<key>` (a key without a namespace belongs to the
 * project); keys of other namespaces (`aws:region`) are not ours, except for a program of one's own (`project`), which
 * gets them under their full key. Errors name the file and the position, never its
 * text: it holds secrets in clear.
 */
export function readEscEnvironment(file: string, limits: FileLimits = {}, project: string = PROJECT): EscEnvironment {
  const text = readInputFile(file, { label: ENV_FILE_FLAG, ...limits });
  const fail = (what: string, fix: string) => new InputError(`${ENV_FILE_FLAG} ${file} ${what}. Fix: ${fix}.`);
  const howToMake = "write it with: esc open <org>/<project>/<environment> --format json > env.json (or pulumi env open … --format json)";
  const parsed = parseJson(text);
  if ("error" in parsed) throw fail(parsed.error.fix ? parsed.error.problem : `is not ESC JSON: ${parsed.error.problem}`, parsed.error.fix ?? howToMake);
  const root = parsed.value;
  if (!isPlainObject(root)) throw fail("is not ESC JSON: not a JSON object", howToMake);
  const config = root["pulumiConfig"];
  if (config === undefined) {
    const detailed = "exprs" in root || "properties" in root;
    throw fail(
      detailed ? "is the detailed form (exprs, properties), not the environment's values" : "has no pulumiConfig: the environment gives a stack no config",
      detailed ? "open it with --format json, not --format detailed" : `give the environment a pulumiConfig block with ${PROJECT}:jwtSecret (and any other ${PROJECT} keys), then ${howToMake}`,
    );
  }
  if (!isPlainObject(config)) throw fail("is not ESC JSON: pulumiConfig is not a mapping of config keys to values", howToMake);
  // Own keys only, into a map without a prototype: `kubesphere-fleet:__proto__` is a config key of that name, as in
  // pulumi up, and never sets (or reads through) another key.
  const pulumiConfig = configMap();
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${project}:`)) pulumiConfig[key.slice(project.length + 1)] = value;
    else if (!key.includes(":") && !Object.hasOwn(pulumiConfig, key)) pulumiConfig[key] = value;
    // Another namespace's key (`kubernetes:context`) for another project's program, kept whole as its stack file keeps it.
    else if (project !== PROJECT && key.includes(":") && !Object.hasOwn(pulumiConfig, key)) pulumiConfig[key] = value;
  }
  return { file, pulumiConfig };
}

/** The note for an ESC file given to a stack whose stack file imports no environment (its values are not used). */
export function escFileUnused(esc: EscEnvironment, stack: string): string {
  return `${ENV_FILE_FLAG} ${esc.file} is not used for stack '${stack}': its stack file imports no ESC environment, so pulumi up would not get those values.`;
}
