import { existsSync } from "node:fs";
import { InputError } from "../cli/exitCodes";
import { shownName } from "../input/printable";
import { configMap } from "../model/lookup";
import { UNKNOWN_VALUE } from "../model/unknownValue";
import type { StackConfig as EngineConfig } from "../mocks/runUnderMocks";
import { ENV_FILE_FLAG, escFileUnused, type EscEnvironment } from "./escEnvironment";
import { programStackFile, programWhere, type ProgramProject } from "./programProject";
import { mergeProjectConfig } from "./projectConfig";
import { isSecure, readStackConfig, unknownForSecure, type FileLimits } from "./stackFile";

/** A program's stack config as the engine hands it to the program, and what the report says about it. */
export interface ProgramStackConfig {
  readonly file: string;
  readonly engine: EngineConfig;
  readonly notes: readonly string[];
  /** The ESC environments the stack imports, when the check could not open them (a key they hold is missing then). */
  readonly unopenedEnvironments?: string;
}

/**
 * `<program>/Pulumi.<stack>.yaml` read as `pulumi preview` reads it for that program, with the same readers as this
 * project's own stacks (stackFile.ts, escEnvironment.ts, projectConfig.ts) under the program's project name: secure
 * values decrypted with the passphrase (else unknown), the imported ESC environment's `pulumiConfig` under the stack
 * file's values (`--esc-env-file`), then `Pulumi.yaml`'s project config. Each key reaches the program as the engine
 * sends it: text, an object as its JSON (sdk/go/common/resource/config/value.go), under `<project>:<key>` or its own
 * namespace's full key.
 */
export function readProgramStack(project: ProgramProject, stack: string, env: NodeJS.ProcessEnv, limits: FileLimits, esc?: EscEnvironment): ProgramStackConfig {
  const file = programStackFile(project, stack);
  if (!existsSync(file)) {
    throw new InputError(`${programWhere(project.dir, stack)}: ${file} does not exist. Fix: create it there with \`pulumi stack init ${stack}\` (and pulumi config set), or pass an existing --stack.`);
  }
  const stackConfig = readStackConfig(project.dir, stack, env, limits, { project: project.name, file });
  const notes: string[] = [];
  const values = configMap();
  Object.assign(values, stackConfig.values);
  const names = stackConfig.environments.map(shownName).join(", ");
  if (stackConfig.environments.length > 0 && esc) {
    const taken = Object.keys(esc.pulumiConfig).filter((key) => !Object.hasOwn(values, key));
    for (const key of taken) values[key] = esc.pulumiConfig[key];
    if (taken.length > 0) notes.push(`${taken.length} config key${taken.length === 1 ? "" : "s"} from ${ENV_FILE_FLAG} ${esc.file} (ESC environment ${names}); the stack file's own values win over it, as in pulumi up.`);
  } else if (esc) {
    notes.push(escFileUnused(esc, stack));
  }
  const unopened = stackConfig.environments.length > 0 && !esc ? names : undefined;
  if (stackConfig.undecrypted.length > 0) {
    notes.push(`${stackConfig.undecrypted.map(shownName).join(", ")} could not be decrypted (${stackConfig.undecryptedReason ?? "no passphrase"}): the program sees them as unknown, as in a preview that cannot read them.`);
  }
  const held = { values, secretKeys: stackConfig.secretKeys, unknownKeys: stackConfig.undecrypted.map((path) => keyOf(path, project.name)), ...(unopened ? { unopenedEnvironments: unopened } : {}) };
  const merged = mergeProjectConfig(stack, stackConfig.project, held, notes, file);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(merged)) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    config[full] = engineText(value);
    if (stackConfig.secretKeys.includes(key) || (esc && Object.hasOwn(esc.pulumiConfig, key) && !Object.hasOwn(stackConfig.values, key))) secretKeys.push(full);
  }
  return { file, engine: { config, secretKeys }, notes, ...(unopened ? { unopenedEnvironments: unopened } : {}) };
}

/** A config value as the engine hands it over: text; an object or list as JSON; an undecrypted secure value unknown. */
function engineText(value: unknown): string {
  if (isSecure(value)) return UNKNOWN_VALUE;
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object") return JSON.stringify(unknownForSecure(value));
  return String(value);
}

/** `<project>:jwtSecret[0].x` → `jwtSecret`; another namespace's key stays whole. */
function keyOf(path: string, project: string): string {
  const key = path.split(/[.[]/, 1)[0]!;
  return key.startsWith(`${project}:`) ? key.slice(project.length + 1) : key;
}
