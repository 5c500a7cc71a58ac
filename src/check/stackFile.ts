import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../cli/exitCodes";
import { readYamlDocuments } from "../input/boundedYaml";
import { readInputFile, type InputFileOptions } from "../input/inputFile";
import { PROJECT } from "../config/fleetDeclaration";
import { configMap, isPlainObject } from "../model/lookup";
import { UNKNOWN_VALUE } from "../model/unknownValue";
import { trimSpace } from "../input/goText";
import { shownName } from "../input/printable";
import { passphraseCrypter, WrongPassphraseError, type PassphraseCrypter } from "../secrets/passphrase";
import { readProjectConfig, type ProjectConfig } from "./projectConfig";

/** A stack file's config with `secure:` values decrypted where possible. */
export interface StackConfig {
  readonly stack: string;
  readonly file: string;
  /** Config keys without the project prefix (`clusters`, `jwtSecret`, …) → plain values. */
  readonly values: Record<string, unknown>;
  /** Keys that held at least one secure value. */
  readonly secretKeys: readonly string[];
  /**
   * Paths of secure values that could not be decrypted (no passphrase, another secrets provider). They stay
   * `{ secure: "<ciphertext>" }` in `values`, which the config validation reads as "encrypted, not known here".
   */
  readonly undecrypted: readonly string[];
  /** Why the undecrypted values could not be read, when there are any. */
  readonly undecryptedReason?: string;
  /** The Pulumi ESC environments the stack imports (`environment:`), whose `pulumiConfig` the CLI adds to its config. */
  readonly environments: readonly string[];
  /** `Pulumi.yaml`'s project-level config, merged under the stack's (and its environments') values; none without a Pulumi.yaml. */
  readonly project?: ProjectConfig;
}

export function stackFilePath(projectDir: string, stack: string): string {
  return join(projectDir, "stacks", `Pulumi.${stack}.yaml`);
}

/** Every stack of `stacks/` (`stacks/Pulumi.<name>.yaml`), sorted; bad input when there is none. */
export function allStacks(projectDir: string): string[] {
  const dir = join(projectDir, "stacks");
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    throw new InputError(`--all-stacks: ${dir} cannot be read. Fix: run in the project, or give --project-dir.`);
  }
  const stacks = files.flatMap((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1] ?? []).sort();
  if (stacks.length === 0) throw new InputError(`--all-stacks: ${dir} holds no Pulumi.<stack>.yaml. Fix: create a stack with \`pulumi stack init <name>\`, or give --stack.`);
  return stacks;
}

/** The size limit of the files a run reads, and how the user raises it. */
export type FileLimits = Pick<InputFileOptions, "maxBytes" | "raiseWith">;

/** Which project's stack file: its config namespace and the file (default: this project's, `stacks/Pulumi.<stack>.yaml`). */
export interface StackFileOf {
  readonly project: string;
  readonly file: string;
}

/**
 * Reads `stacks/Pulumi.<stack>.yaml` (or, with `of`, another project's stack file) through the bounded reader (regular
 * file, size limit, YAML parser limits). Keys of the project's namespace lose their prefix; others (`kubernetes:context`)
 * keep it. Secure values are decrypted with the passphrase provider when `PULUMI_CONFIG_PASSPHRASE` (or
 * `PULUMI_CONFIG_PASSPHRASE_FILE`) is set; otherwise they become unknown.
 */
export function readStackConfig(projectDir: string, stack: string, env: NodeJS.ProcessEnv = process.env, limits: FileLimits = {}, of?: StackFileOf): StackConfig {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new InputError(`--stack '${stack}' is not a stack name (letters, digits, '-', '_', '.').`);
  const project = of?.project ?? PROJECT;
  const file = of?.file ?? stackFilePath(projectDir, stack);
  if (!existsSync(file)) throw new InputError(`stack '${stack}': ${file} does not exist. Create it with \`pulumi stack init ${stack}\`, or pass an existing --stack.`);
  const label = `stack '${stack}':`;
  const documents = readYamlDocuments(readInputFile(file, { label, ...limits }), label, file);
  if (documents.length > 1) throw new InputError(`${label} ${file} holds ${documents.length} YAML documents; a stack file is one.`);
  const document = documents[0];
  const root = (document ?? {}) as { config?: unknown; encryptionsalt?: unknown; secretsprovider?: unknown; environment?: unknown };
  if (root.config !== undefined && (typeof root.config !== "object" || root.config === null || Array.isArray(root.config))) {
    throw new InputError(`stack '${stack}': ${file}: 'config' must be a mapping of '${project}:<key>' to values.`);
  }
  const environments = environmentsOf(root.environment, `stack '${stack}': ${file}`);
  const { crypter, reason } = crypterFor(root, env, limits);
  // Own keys into a map without a prototype: `kubesphere-fleet:__proto__` is a key of that name (as pulumi reads it).
  const values = configMap();
  const secretKeys: string[] = [];
  const undecrypted: string[] = [];
  for (const [fullKey, raw] of Object.entries((root.config ?? {}) as Record<string, unknown>)) {
    const key = fullKey.startsWith(`${project}:`) ? fullKey.slice(project.length + 1) : fullKey;
    let secret = false;
    const resolve = (value: unknown, path: string): unknown => {
      if (isSecure(value)) {
        secret = true;
        if (!crypter) {
          undecrypted.push(path);
          return { secure: value.secure };
        }
        try {
          return crypter.decrypt(value.secure);
        } catch {
          throw new InputError(`stack '${stack}': ${file}: ${shownName(path)} cannot be decrypted with this passphrase; it was encrypted for another stack or salt.`);
        }
      }
      if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${path}[${i}]`));
      if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, `${path}.${k}`)]));
      return value;
    };
    values[key] = resolve(raw, fullKey);
    if (secret) secretKeys.push(key);
  }
  const projectConfig = readProjectConfig(projectDir, project, limits);
  return { stack, file, values, secretKeys, undecrypted, ...(undecrypted.length > 0 && reason ? { undecryptedReason: reason } : {}), environments, ...(projectConfig ? { project: projectConfig } : {}) };
}

/**
 * The ESC environments a stack file imports: `environment:` as a list of names (`<project>/<env>`, optionally
 * `@<version>`), or the older `environment: {imports: [...]}`.
 */
function environmentsOf(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  const list = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as { imports?: unknown }).imports : value;
  if (!Array.isArray(list) || !list.every((e) => typeof e === "string" && e.trim() !== "")) {
    throw new InputError(`${where}: 'environment' must be a list of Pulumi ESC environment names, e.g. environment: [acme/kubesphere-fleet]. Fix: list the environments the stack imports.`);
  }
  return list.map((e: string) => e.trim());
}

/** A `secure:` value of a stack file (`{ secure: "v1:…" }`), as it stays when it could not be decrypted. */
export function isSecure(value: unknown): value is { secure: string } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as { secure?: unknown }).secure === "string" && Object.keys(value).length === 1;
}

function crypterFor(root: { encryptionsalt?: unknown; secretsprovider?: unknown }, env: NodeJS.ProcessEnv, limits: FileLimits): { crypter?: PassphraseCrypter; reason?: string } {
  const provider = typeof root.secretsprovider === "string" ? root.secretsprovider : undefined;
  if (provider && provider !== "passphrase" && !provider.startsWith("passphrase")) {
    return { reason: `the stack uses the '${shownName(provider.split(":")[0]!)}' secrets provider, which only the Pulumi CLI can open` };
  }
  if (typeof root.encryptionsalt !== "string") {
    return { reason: "the stack has no encryptionsalt (its secrets belong to a Pulumi Cloud or KMS secrets provider)" };
  }
  let passphrase = env["PULUMI_CONFIG_PASSPHRASE"];
  const passphraseFile = env["PULUMI_CONFIG_PASSPHRASE_FILE"];
  if (passphrase === undefined && passphraseFile) {
    // pkg/secrets/passphrase/manager.go:392 (readPassphrase): the file's text with strings.TrimSpace; the variable itself is used as is (:380).
    passphrase = trimSpace(readInputFile(passphraseFile, { label: "PULUMI_CONFIG_PASSPHRASE_FILE", ...limits }));
  }
  if (passphrase === undefined) return { reason: "PULUMI_CONFIG_PASSPHRASE is not set" };
  try {
    return { crypter: passphraseCrypter(passphrase, root.encryptionsalt) };
  } catch (error) {
    if (error instanceof WrongPassphraseError) throw new InputError(`${error.message}. Set the passphrase this stack was created with.`);
    throw new InputError(`encryptionsalt: ${(error as Error).message}`);
  }
}

/** The config with every `{ secure: … }` left undecrypted replaced by Pulumi's unknown. */
export function unknownForSecure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unknownForSecure);
  if (isPlainObject(value)) {
    if (isSecure(value)) return UNKNOWN_VALUE;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownForSecure(v)]));
  }
  return value;
}
