import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync, chmodSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "./exitCodes";

/**
 * Why a file cannot be written at `path`, or `undefined` when it can: its folder exists, is a folder and is
 * writable, and the path itself is not a folder. Called before a command does its work, so a bad output flag is
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
  try {
    if (statSync(file).isDirectory()) return `${flag} ${path} is a folder. Fix: give a file name, e.g. ${join(path, "kubesphere-fleet.prom")}.`;
  } catch {
    // Does not exist yet: fine.
  }
  return undefined;
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
 * Writes `content` to `path` whole or not at all: a temp file in the same folder (so the rename stays on one file
 * system), flushed, given `mode`, then renamed over `path`. A reader (node_exporter's textfile collector, a scrape)
 * sees the old file or the new one, never half of one. The temp name starts with a dot and does not end in `.prom`,
 * so the collector ignores it.
 */
export function writeFileAtomically(path: string, content: string, mode: number): void {
  const file = resolve(path);
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The umask may have narrowed the mode given to open.
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
