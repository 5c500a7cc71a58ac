import { readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";

/** This project's package name, which marks its root folder. */
const PACKAGE_NAME = "kubesphere-fleet";

/**
 * The folder holding this project's package.json, found upward from `start`. The CLIs run from `src/cli` under tsx
 * and from the build (`policies/bin/src/cli`), two and four levels below the root: a fixed `../..` fits only one.
 */
export function projectDirFrom(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (packageName(join(dir, "package.json")) === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named '${PACKAGE_NAME}' above ${start}`);
  }
}

function packageName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** The project root: `stacks/`, `policies/` and `package.json` are here. */
export const PROJECT_DIR = projectDirFrom(__dirname);

/**
 * What `--project-dir` defaults to: this repository when the CLI runs from a clone of it (`npm run check`), and the
 * current folder, the user's own project, when it runs from an installed package (`kubesphere-fleet check`, npx, a
 * global install: all under a node_modules folder).
 */
export function defaultProjectDir(packageDir = PROJECT_DIR, cwd = process.cwd()): string {
  return packageDir.split(sep).includes("node_modules") ? cwd : packageDir;
}

/** The policy pack the check runs (built into `policies/bin` by `npm run build`). */
export const POLICY_PACK_DIR = join(PROJECT_DIR, "policies");
