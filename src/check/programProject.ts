import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../cli/exitCodes";
import { readYamlDocuments } from "../input/boundedYaml";
import { readInputFile } from "../input/inputFile";
import { shownName } from "../input/printable";
import { isPlainObject } from "../model/lookup";
import type { FileLimits } from "./stackFile";

/**
 * A Pulumi program of one's own (`check --program <dir>`), as its `Pulumi.yaml` describes it to the Node.js language
 * host: the project name (its config namespace), the `main` the host runs, whether TypeScript is on
 * (`runtime.options.typescript`, default true), its tsconfig, and where its stack files live (`stackConfigDir`).
 */
export interface ProgramProject {
  readonly dir: string;
  readonly file: string;
  readonly name: string;
  /** What the language host requires: `<dir>/<main>`, or `<dir>` itself (its package.json `main`, else index). */
  readonly main: string;
  readonly typescript: boolean;
  /** `runtime.options.tsconfig` (PULUMI_NODEJS_TSCONFIG_PATH), relative to the program folder; default tsconfig.json. */
  readonly tsconfig?: string;
  /** The folder of `Pulumi.<stack>.yaml`: `stackConfigDir`, else the program folder. */
  readonly stackConfigDir: string;
}

/** How every message about a program of one's own starts: `--program <dir>`, and `, stack '<name>'` once there is one. */
export function programWhere(dir: string, stack?: string): string {
  return stack === undefined ? `--program ${dir}` : `--program ${dir}, stack '${stack}'`;
}

/** Reads `<dir>/Pulumi.yaml`; a program pulumi would not run (another runtime, no project name) is bad input. */
export function readProgramProject(dir: string, limits: FileLimits = {}): ProgramProject {
  const where = programWhere(dir);
  if (!isFolder(dir)) throw new InputError(`${where} is not a folder. Fix: give the folder holding your program's Pulumi.yaml.`);
  const file = join(dir, "Pulumi.yaml");
  if (!existsSync(file)) throw new InputError(`${where} has no Pulumi.yaml. Fix: give the folder of your Pulumi program (where \`pulumi preview\` runs).`);
  const label = `${where}:`;
  const root = readYamlDocuments(readInputFile(file, { label, ...limits }), label, file)[0];
  if (!isPlainObject(root) || typeof root["name"] !== "string" || root["name"].trim() === "") {
    throw new InputError(`${file}: 'name' (the project's name) is missing. Fix: give the project a name, as \`pulumi new\` writes it.`);
  }
  const runtime = root["runtime"];
  const runtimeName = isPlainObject(runtime) ? runtime["name"] : runtime;
  if (runtimeName !== "nodejs") {
    throw new InputError(
      `${file}: runtime '${shownName(String(runtimeName))}' is not nodejs; the check runs Node.js programs (TypeScript or JavaScript) only. ` +
        `Fix: check a Python, Go or YAML program with pulumi preview --policy-pack node_modules/kubesphere-fleet/policies.`,
    );
  }
  const options = isPlainObject(runtime) && isPlainObject(runtime["options"]) ? runtime["options"] : {};
  const main = root["main"];
  if (main !== undefined && typeof main !== "string") throw new InputError(`${file}: 'main' must be a path relative to the program folder.`);
  const stackConfigDir = root["stackConfigDir"] ?? root["config"];
  return {
    dir,
    file,
    name: root["name"],
    main: main ? resolve(dir, main) : dir,
    // pulumi-language-nodejs: typescript defaults to true (PULUMI_NODEJS_TYPESCRIPT), unless `typescript: false`.
    typescript: options["typescript"] !== false,
    ...(typeof options["tsconfig"] === "string" ? { tsconfig: options["tsconfig"] } : {}),
    stackConfigDir: typeof stackConfigDir === "string" ? resolve(dir, stackConfigDir) : dir,
  };
}

/** Where a program's stack file is: `<stackConfigDir>/Pulumi.<stack>.yaml`. */
export function programStackFile(project: ProgramProject, stack: string): string {
  return join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
}

/** The default `--live` of a program's stack: `<program>/live/<stack>` (docs/check.md). */
export function defaultProgramLiveDir(dir: string, stack: string): string {
  return join(dir, "live", stack);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
