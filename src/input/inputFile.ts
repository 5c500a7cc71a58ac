import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from "node:fs";
import { relative, isAbsolute, sep } from "node:path";
import { InputError } from "../cli/exitCodes";

/**
 * The one reader of every file a user hands us: the stack file, kubeconfig paths, the `--live` snapshot, the
 * policy config, an env file. Whoever opens a pull request controls these files, so each read is bounded:
 *
 * - regular files only (a FIFO, `/dev/zero` or a folder is refused; a FIFO is opened non-blocking, so it cannot hang);
 * - at most `maxBytes` (default 8 MiB), counted while reading, so a file that grows or lies about its size is cut off;
 * - with `within`, the file, symlinks resolved, must lie inside that folder (a snapshot cannot point at /etc/shadow).
 *
 * Every refusal is an `InputFileError` (exit 2) naming the file and the rule, never the file's text.
 */
export const DEFAULT_MAX_FILE_MIB = 8;
export const DEFAULT_MAX_FILE_BYTES = DEFAULT_MAX_FILE_MIB * 1024 * 1024;

export const InputFileRule = {
  missing: "missing",
  notRegular: "not a regular file",
  outside: "outside the folder",
  tooLarge: "size limit",
  unreadable: "unreadable",
  yamlAliases: "YAML alias limit",
  yamlDepth: "YAML depth limit",
  syntax: "syntax",
} as const;
export type InputFileRule = (typeof InputFileRule)[keyof typeof InputFileRule];

export interface InputFileOptions {
  /** How messages name the input, e.g. `--live`, `stack 'dev'`, `kubesphere-fleet:clusters[0].kubeconfig.path`. */
  readonly label: string;
  /** Default `DEFAULT_MAX_FILE_BYTES`. */
  readonly maxBytes?: number;
  /** How the user raises the limit (`--max-file-mib <MiB>`), named in the size message; none when there is no way. */
  readonly raiseWith?: string;
  /** The file, symlinks resolved, must lie inside this folder. */
  readonly within?: string;
}

/** A file input refused by a rule: the message names the input, the file and the rule, never the content. */
export class InputFileError extends InputError {
  constructor(
    readonly file: string,
    readonly rule: InputFileRule,
    /** What is wrong, as a predicate of the file: `is a FIFO (named pipe), not a regular file`. */
    readonly problem: string,
    readonly fix: string,
    label: string,
  ) {
    super(`${label} ${file} ${problem}. Fix: ${fix}.`);
  }
}

type Fail = (rule: InputFileRule, problem: string, fix: string) => InputFileError;

/** The file's text (UTF-8), read within the bounds above. */
export function readInputFile(path: string, options: InputFileOptions): string {
  return readInputBytes(path, options).toString("utf8");
}

/** The file's bytes, read within the bounds above. */
export function readInputBytes(path: string, options: InputFileOptions): Buffer {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const fail: Fail = (rule, problem, fix) => new InputFileError(path, rule, problem, fix, options.label);
  if (options.within !== undefined) assertWithin(path, options.within, fail);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw openFailure(error, fail);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw fail(InputFileRule.notRegular, `is ${kindOf(stats)}, not a regular file`, "point it at a regular file");
    if (stats.size > maxBytes) throw tooLarge(stats.size, maxBytes, options, fail);
    return readAtMost(fd, maxBytes, options, fail);
  } finally {
    closeSync(fd);
  }
}

function readAtMost(fd: number, maxBytes: number, options: InputFileOptions, fail: Fail): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      throw fail(InputFileRule.unreadable, `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, "give a file this user can read");
    }
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    total += read;
    // Stat said it fits, yet it grew (or it is a /proc file that reports size 0): stop at the limit.
    if (total > maxBytes) throw tooLarge(total, maxBytes, options, fail, true);
  }
  return Buffer.concat(chunks, total);
}

function assertWithin(path: string, folder: string, fail: Fail): void {
  let real: string;
  let root: string;
  try {
    root = realpathSync(folder);
    real = realpathSync(path);
  } catch (error) {
    throw openFailure(error, fail);
  }
  if (!isInside(root, real)) {
    throw fail(InputFileRule.outside, `resolves to a file outside ${folder}; a symlink there must stay inside it`, "copy the file into the folder instead of linking to it");
  }
}

/** Whether `path` lies strictly inside `folder` (both already resolved, e.g. by realpath). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function openFailure(error: unknown, fail: Fail): InputFileError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return fail(InputFileRule.missing, "cannot be read (no such file)", "point it at an existing file");
  if (code === "ELOOP") return fail(InputFileRule.unreadable, "is a loop of symlinks", "point it at a regular file");
  if (code === "EISDIR") return fail(InputFileRule.notRegular, "is a folder, not a regular file", "point it at a regular file");
  return fail(InputFileRule.unreadable, `cannot be read (${code === "EACCES" ? "permission denied" : (code ?? "error")})`, "give a file this user can read");
}

function tooLarge(size: number, maxBytes: number, options: InputFileOptions, fail: Fail, atLeast = false): InputFileError {
  return fail(
    InputFileRule.tooLarge,
    `is ${atLeast ? "more than " : ""}${mib(size)}, over the ${mib(maxBytes)} limit per file`,
    options.raiseWith ? `if it is meant to be this large, raise the limit with ${options.raiseWith}` : "give the file it should be; no input of this kind is this large",
  );
}

function mib(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return `${value >= 10 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1)} MiB`;
}

/** What a file that is not a regular file is, for a message: "a FIFO (named pipe)", "a folder", … */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a folder";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

/** `--max-file-mib <MiB>` as a byte count; bad values are bad input. */
export function maxFileBytes(value: string | undefined, flag = "--max-file-mib"): number {
  if (value === undefined) return DEFAULT_MAX_FILE_BYTES;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InputError(`${flag} ${value} is not a positive number of MiB; e.g. ${flag} ${DEFAULT_MAX_FILE_MIB * 2}.`);
  return Math.floor(number * 1024 * 1024);
}
