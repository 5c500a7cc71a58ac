import { randomBytes } from "node:crypto";
import { accessSync, closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { kindOf } from "../input/inputFile";
import { InputError } from "./exitCodes";

/**
 * Why a file cannot be written at `path`, or `undefined` when it can: its folder exists, is a folder and is
 * writable, and the path itself is a regular file or absent (`replaceableProblem`). Called before a command does its work, so a bad output flag is
 * known up front. `flag` is the option that named the path (`--openmetrics`), for the message.
 */
export function outputFileProblem(flag: string, path: string): string | undefined {
  const file = resolve(path);
  const folder = dirname(file);
  let folderStat;
  try {
    folderStat = statSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? `${flag} ${path}: the folder ${folder} does not exist. Fix: create it (mkdir -p ${folder}) or give a path in an existing folder.`
      : `${flag} ${path}: the folder ${folder} cannot be read (${code ?? "error"}). Fix: give a path in a folder you can write to.`;
  }
  if (!folderStat.isDirectory()) return `${flag} ${path}: ${folder} is not a folder. Fix: give a path in an existing folder.`;
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    return `${flag} ${path}: the folder ${folder} is not writable by this user. Fix: give a path in a folder you can write to.`;
  }
  return replaceableProblem(flag, file);
}

/** `outputFileProblem` as bad input (exit 2): for a flag checked before the run, such as `--sarif`. */
export function assertWritableFile(flag: string, path: string): void {
  const problem = outputFileProblem(flag, path);
  if (problem !== undefined) throw new InputError(problem);
}

/**
 * Checks an output folder (`--save`) before the run: the path must be a folder or not exist yet (it is created), and
 * the nearest existing folder above it writable. Problems are bad input (exit 2) naming the flag, the path and the fix.
 */
export function assertWritableFolder(flag: string, path: string): void {
  const here = kind(path);
  if (here === "folder") return assertWritable(flag, path, path);
  if (here !== "missing") throw new InputError(`${flag} ${path} exists and is not a folder. Fix: give a folder, or a path where one can be created.`);
  let above = dirname(path);
  while (kind(above) === "missing" && dirname(above) !== above) above = dirname(above);
  if (kind(above) !== "folder") throw new InputError(`${flag} ${path}: ${above} is not a folder, so ${path} cannot be created. Fix: give another folder.`);
  assertWritable(flag, path, above);
}

function assertWritable(flag: string, path: string, target: string): void {
  try {
    accessSync(target, constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError(`${flag} ${path}: ${target} is not writable by this user. Fix: write somewhere you can, or fix its permissions.`);
  }
}

function kind(path: string): "missing" | "folder" | "other" {
  try {
    return statSync(path).isDirectory() ? "folder" : "other";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "other";
  }
}

/**
 * Why a file written here must not replace what is at `path`, or `undefined`: only a regular file, or nothing, is
 * replaced. A symlink is never followed (it could lead out of the folder, to a file another user reads), and a FIFO,
 * a device (`/dev/null` as root), a socket or a folder is never replaced by a regular file.
 */
export function replaceableProblem(label: string, path: string): string | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    return `${label} ${path} cannot be examined (${code ?? "error"}). Fix: give a path in a folder you can write to.`;
  }
  if (stats.isFile()) return undefined;
  if (stats.isSymbolicLink()) {
    return `${label} ${path} is a symlink; a file is never written through one, it could lead anywhere. Fix: remove the link (rm ${path}), or give a path that is a regular file or does not exist yet.`;
  }
  if (stats.isDirectory()) return `${label} ${path} is a folder. Fix: give a file name, e.g. ${join(path, OUTPUT_EXAMPLES[label] ?? "out")}.`;
  return `${label} ${path} is ${kindOf(stats)}, not a regular file; only a regular file is replaced. Fix: give a path that is a regular file or does not exist yet.`;
}

const OUTPUT_EXAMPLES: Readonly<Record<string, string>> = { "--openmetrics": "kubesphere-fleet.prom", "--sarif": "kubesphere-fleet.sarif" };

/** Temp names tried before giving up: each is random, so a taken one means someone plants files in the folder. */
const TEMP_NAME_ATTEMPTS = 8;
/** Created here, never opened if something is already there, never through a symlink. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes `content` to `path` whole or not at all, and never through a symlink: the file the writer replaces
 * (`replaceableProblem`) must be a regular file or absent; the temp file is created in the same folder (so the
 * rename stays on one file system) under a random name with O_CREAT|O_EXCL|O_NOFOLLOW, so a file or symlink planted
 * at that name is never opened (another name is drawn); it gets `mode` through its descriptor, is flushed, then
 * renamed over `path`. A reader (node_exporter's textfile collector, a scrape, the check's `--live`) sees the old
 * file or the new one, never half of one. The temp name starts with a dot and ends in `.tmp`, so the collector and
 * the check ignore it. Every failure is bad input (exit 2) naming `label` (the flag), the path and the fix.
 */
export function writeFileSafely(label: string, path: string, content: string, mode: number): void {
  const file = resolve(path);
  const refuse = () => {
    const problem = replaceableProblem(label, file);
    if (problem !== undefined) throw new InputError(problem);
  };
  refuse();
  const { fd, temp } = createTemp(label, file, dirname(file), basename(file), mode);
  try {
    try {
      writeSync(fd, content);
      // Through the descriptor: the umask may have narrowed the mode given to open, and a path could be swapped.
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    refuse();
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof InputError) throw error;
    throw new InputError(`${label} ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? "error"}). Fix: give a path in a folder you can write to.`);
  }
}

/** Proves that a file can be created in `folder` now (a temp file, removed at once): for a folder checked before the run. */
export function assertFileCanBeCreated(label: string, folder: string): void {
  const { fd, temp } = createTemp(label, folder, folder, "probe", 0o600);
  closeSync(fd);
  rmSync(temp, { force: true });
}

/** A new file `.<base>.<random>.tmp` in `folder`, opened for writing; `shown` is the path the messages name. */
function createTemp(label: string, shown: string, folder: string, base: string, mode: number): { fd: number; temp: string } {
  for (let attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++) {
    const temp = join(folder, `.${base}.${randomBytes(8).toString("hex")}.tmp`);
    try {
      return { fd: openSync(temp, CREATE_NEW, mode), temp };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ELOOP") continue;
      throw new InputError(`${label} ${shown} cannot be written: no file can be created in ${folder} (${code ?? "error"}). Fix: give a path in a folder you can write to.`);
    }
  }
  throw new InputError(`${label} ${shown} cannot be written: ${TEMP_NAME_ATTEMPTS} random temp names in ${folder} were all taken. Fix: find who creates files there, or write somewhere else.`);
}
