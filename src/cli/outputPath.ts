import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync, chmodSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

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
