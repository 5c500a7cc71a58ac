import { InputError } from "../cli/exitCodes";
import { PROJECT, type FleetDeclaration } from "../config/fleetDeclaration";
import { formatConfigError, validateFleetConfig, type FleetConfigInput } from "../config/validateFleetConfig";
import { problemList } from "../config/problemList";
import { configMap } from "../model/lookup";
import { shownName } from "../input/printable";
import { UNKNOWN_VALUE } from "../model/unknownValue";
import { ENV_FILE_FLAG, escFileUnused, type EscEnvironment } from "./escEnvironment";
import { structuredConfigValue } from "../config/structuredConfigValue";
import { mergeProjectConfig, type HeldConfig } from "./projectConfig";
import { isSecure, readStackConfig, unknownForSecure, type FileLimits, type StackConfig } from "./stackFile";
import { missingSnapshotFolders } from "./liveSnapshot";

/** A stack's config as the check runs it: read, validated, with what could not be known here. */
export interface StackInput {
  readonly stackConfig: StackConfig;
  /** The config the program gets: secure values not decrypted here are Pulumi's unknown. */
  readonly input: FleetConfigInput;
  readonly fleet: FleetDeclaration;
  /** What could not be compared, and why. */
  readonly notes: readonly string[];
}

export interface StackInputOptions {
  readonly stack: string;
  readonly projectDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly fileLimits?: FileLimits;
  /** `--esc-env-file`: the opened ESC environment the stack imports, for the keys its stack file does not set. */
  readonly escEnvironment?: EscEnvironment;
}

/** The config keys of this project's program. */
const FLEET_KEYS = ["clusters", "jwtSecret", "hostJwtSecretFingerprint", "namespace", "configMap"] as const;

/** Reads and validates `stacks/Pulumi.<stack>.yaml`; bad input is an `InputError` listing every problem. */
export function readStackInput(options: StackInputOptions): StackInput {
  const limits = options.fileLimits ?? {};
  const stackConfig = readStackConfig(options.projectDir, options.stack, options.env ?? process.env, limits);
  const notes: string[] = [];
  const { values, fromEnvironment } = withEnvironment(stackConfig, options.escEnvironment, notes);
  // A secure value not decrypted here is a preview unknown to the program and the pack: never a false verdict.
  const input = unknownForSecure(values) as FleetConfigInput;
  if (stackConfig.undecrypted.length > 0) {
    const one = stackConfig.undecrypted.length === 1;
    notes.push(
      `${stackConfig.undecrypted.map(shownName).join(", ")} ${one ? "is a secure value" : "are secure values"} that could not be decrypted ` +
        `(${stackConfig.undecryptedReason}); what depends on ${one ? "it" : "them"} is shown as unknown and not compared.`,
    );
  }
  const validation = validateFleetConfig(input, { stack: options.stack, projectRoot: options.projectDir, limits });
  if (!validation.fleet) {
    const from = fromEnvironment.length > 0 ? ` (${fromEnvironment.map((k) => `${PROJECT}:${k}`).join(", ")} from ${ENV_FILE_FLAG} ${options.escEnvironment!.file})` : "";
    throw new InputError(problemList(`${stackConfig.file}${from} has ${validation.errors.length} problem(s):`, validation.errors.map(formatConfigError)));
  }
  return { stackConfig, input, fleet: validation.fleet, notes };
}

/**
 * A stack's config and its snapshot folders (`--live`), looked at before anything runs: bad input is an `InputError`
 * before the policy pack starts. Loads no Pulumi SDK (a stack file holds plain data), so it costs a fraction of a second.
 */
export function readCheckInput(options: StackInputOptions & { readonly liveDir: string }): StackInput {
  const input = readStackInput(options);
  const missing = missingSnapshotFolders(options.liveDir, options.stack, input.fleet.clusters.map((c) => c.name));
  if (missing) throw new InputError(missing);
  return input;
}

export interface FleetInputOptions extends Omit<StackInputOptions, "stack"> {
  /** The fleet's stacks, each `stacks/Pulumi.<name>.yaml`. */
  readonly stacks: readonly string[];
  /** The snapshot folder of a stack's clusters. */
  readonly liveDirOf: (stack: string) => string;
}

/** `readCheckInput` of every stack of a check across stacks: one `InputError` naming every stack's problems. */
export function readCheckInputs(options: FleetInputOptions): StackInput[] {
  const { stacks } = options;
  const duplicate = stacks.find((s, i) => stacks.indexOf(s) !== i);
  if (duplicate) throw new InputError(`--stack '${duplicate}' is given twice. Fix: name each stack once.`);
  const inputs: StackInput[] = [];
  const problems: string[] = [];
  for (const stack of stacks) {
    try {
      // Every stack's snapshot folders too, before any stack runs: one answer naming all that is missing.
      inputs.push(readCheckInput({ ...options, stack, liveDir: options.liveDirOf(stack) }));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(`- stack '${stack}': ${error.message.replace(/\n/g, "\n  ")}`);
    }
  }
  if (problems.length > 0) throw new InputError(`${problems.length} of ${stacks.length} stacks have bad input; nothing was checked.\n${problems.join("\n")}`);
  return inputs;
}

/**
 * The stack's config as the program gets it: the stack file's values over the `pulumiConfig` of the ESC environments
 * it imports, then Pulumi.yaml's project config for the keys neither sets (pulumi/pulumi v3.248.0
 * sdk/go/common/workspace/config.go:250 mergeConfig, in that order), and `clusters` read as the program reads it.
 */
export function withEnvironment(stackConfig: StackConfig, esc: EscEnvironment | undefined, notes: string[]): { values: Record<string, unknown>; fromEnvironment: string[] } {
  const { values: fromStack, fromEnvironment } = environmentValues(stackConfig, esc, notes);
  const held: HeldConfig = {
    values: fromStack,
    secretKeys: stackConfig.secretKeys,
    // Values from an ESC environment file carry no secrecy here (the CLI encrypts its secrets): not type-checked either.
    unknownKeys: Object.keys(fromStack).filter((key) => isSecure(fromStack[key]) || fromEnvironment.includes(key)),
    ...(stackConfig.environments.length > 0 && !esc ? { unopenedEnvironments: stackConfig.environments.map(shownName).join(", ") } : {}),
  };
  const values = mergeProjectConfig(stackConfig.stack, stackConfig.project, held, notes);
  const clusters = values["clusters"];
  if (isSecure(clusters)) {
    throw new InputError(
      `stack '${stackConfig.stack}': ${stackConfig.file}: ${PROJECT}:clusters is a secure value that could not be decrypted (${stackConfig.undecryptedReason}), and nothing can be checked without the clusters. ` +
        `Fix: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase.`,
    );
  }
  // The engine hands the program each value as text, a secure one as its plaintext (sdk/go/common/resource/config/value.go:65
  // Value), and the program parses clusters' text as JSON (src/program/stackConfig.ts:20): a secure JSON list is a list.
  if (typeof clusters === "string") values["clusters"] = structuredConfigValue(clusters);
  // The other keys the program reads as that text (src/program/stackConfig.ts:12): a YAML number or boolean is its JSON
  // text (sdk/go/common/resource/config/object.go:404–408 MarshalString), so `configMap: 12345` is the name "12345".
  for (const key of FLEET_KEYS) {
    const value = values[key];
    if (key !== "clusters" && (typeof value === "number" || typeof value === "boolean")) values[key] = String(value);
  }
  return { values, fromEnvironment };
}

/**
 * The stack file's values over the `pulumiConfig` of the ESC environments it imports. The check cannot open an
 * environment: with `--esc-env-file` it takes that file's values; without, a jwtSecret the stack file lacks is unknown
 * (as in a preview: advisory, never a false verdict), and clusters it lacks are bad input, since nothing can be
 * checked without them.
 */
function environmentValues(stackConfig: StackConfig, esc: EscEnvironment | undefined, notes: string[]): { values: Record<string, unknown>; fromEnvironment: string[] } {
  const values: Record<string, unknown> = Object.assign(configMap(), stackConfig.values);
  const names = stackConfig.environments.map(shownName).join(", ");
  const absent = FLEET_KEYS.filter((key) => !Object.hasOwn(values, key));
  const keys = (list: readonly string[]) => list.map((k) => `${PROJECT}:${k}`).join(", ");
  if (stackConfig.environments.length === 0) {
    if (esc) notes.push(escFileUnused(esc, stackConfig.stack));
    return { values, fromEnvironment: [] };
  }
  if (esc) {
    const fromEnvironment = absent.filter((key) => Object.hasOwn(esc.pulumiConfig, key));
    for (const key of fromEnvironment) values[key] = esc.pulumiConfig[key];
    if (fromEnvironment.length > 0) notes.push(`${keys(fromEnvironment)} from ${ENV_FILE_FLAG} ${esc.file} (ESC environment ${names}); the stack file's own values win over it, as in pulumi up.`);
    return { values, fromEnvironment };
  }
  const open = `esc open ${shownName(stackConfig.environments[stackConfig.environments.length - 1]!)} --format json > env.json`;
  if (absent.includes("clusters")) {
    throw new InputError(
      `stack '${stackConfig.stack}': ${stackConfig.file} has no ${PROJECT}:clusters and imports ESC environment ${names}, which may hold them; the check cannot open an environment. ` +
        `Fix: list the clusters in the stack file, or give npm run check ${ENV_FILE_FLAG} env.json, written with: ${open}.`,
    );
  }
  if (absent.includes("jwtSecret")) {
    values["jwtSecret"] = UNKNOWN_VALUE;
    notes.push(
      `${PROJECT}:jwtSecret is not in the stack file and may come from ESC environment ${names}, which the check cannot open: it is shown as unknown and not compared. ` +
        `To check with it, pass ${ENV_FILE_FLAG} env.json, written with: ${open}.`,
    );
  }
  const others = absent.filter((key) => key !== "jwtSecret" && key !== "clusters");
  if (others.length > 0) notes.push(`${keys(others)} may also come from ESC environment ${names}; the check uses the stack file and the defaults for them.`);
  return { values, fromEnvironment: [] };
}
