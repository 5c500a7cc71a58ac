/**
 * The output-path helper every command's file flag uses: checked before the run, written whole. Real files in a
 * scratch folder.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/cli/exitCodes";
import { outputFileProblem, writeFileSafely } from "../../src/cli/outputPath";
import { writeClusterSnapshot } from "../../src/snapshot/writeSnapshot";

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-output-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a path in an existing, writable folder is fine, whether or not the file exists yet", (t) => {
  const dir = scratch(t);
  t.is(outputFileProblem("--openmetrics", join(dir, "new.prom")), undefined);
  writeFileSync(join(dir, "old.prom"), "x");
  t.is(outputFileProblem("--openmetrics", join(dir, "old.prom")), undefined);
});

test("a missing folder, a file used as a folder and a folder used as the file each get their own fix", (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, "file"), "x");
  t.regex(outputFileProblem("--openmetrics", join(dir, "missing", "m.prom"))!, /^--openmetrics .*: the folder .*missing does not exist\. Fix: create it \(mkdir -p /);
  t.regex(outputFileProblem("--openmetrics", join(dir, "file", "m.prom"))!, /^--openmetrics .*: .*file is not a folder\. Fix: /);
  t.regex(outputFileProblem("--sarif", dir)!, /^--sarif .* is a folder\. Fix: give a file name/);
});

test("the file is replaced whole with the mode asked for, whatever the umask and the old file's mode, and no temp file stays", (t) => {
  const dir = scratch(t);
  const file = join(dir, "kubesphere-fleet.prom");
  writeFileSync(file, "old\n", { mode: 0o600 });
  const umask = process.umask(0o077);
  try {
    writeFileSafely("--openmetrics", file, "new\n", 0o644);
  } finally {
    process.umask(umask);
  }
  t.is(readFileSync(file, "utf8"), "new\n");
  t.is(statSync(file).mode & 0o777, 0o644);
  t.deepEqual(readdirSync(dir), ["kubesphere-fleet.prom"]);
});

test("a write that fails leaves the old file as it was and no temp file", (t) => {
  const dir = scratch(t);
  const target = join(dir, "taken");
  mkdirSync(target);
  writeFileSync(join(target, "inside"), "keep");
  t.throws(() => writeFileSafely("--openmetrics", target, "new\n", 0o644), { instanceOf: InputError, message: /is a folder/ });
  t.deepEqual(readdirSync(dir), ["taken"]);
  t.is(readFileSync(join(target, "inside"), "utf8"), "keep");
});

/** A folder beside the scratch folder's target, standing for "anywhere else": a link there must never be written through. */
function outside(dir: string): { folder: string; file: string; before: string } {
  const folder = join(dir, "outside");
  mkdirSync(folder);
  const file = join(folder, "victim");
  writeFileSync(file, "untouched\n", { mode: 0o644 });
  return { folder, file, before: "untouched\n" };
}

/** Runs `fn` with `crypto.randomBytes` answering `names` in turn (hex of each buffer = the temp name's random part). */
function withRandomBytes<T>(names: readonly string[], fn: () => T): T {
  const crypto = require("node:crypto") as { randomBytes: (n: number) => Buffer };
  const original = crypto.randomBytes;
  let next = 0;
  crypto.randomBytes = (n: number) => (next < names.length ? Buffer.from(names[next++]!, "hex") : original(n));
  try {
    return fn();
  } finally {
    crypto.randomBytes = original;
  }
}

test("a symlink as the target is refused, never written through, with the path and the fix", (t) => {
  const dir = scratch(t);
  const away = outside(dir);
  const target = join(dir, "check.sarif");
  symlinkSync(away.file, target);
  const problem = outputFileProblem("--sarif", target);
  t.is(problem, `--sarif ${target} is a symlink; a file is never written through one, it could lead anywhere. Fix: remove the link (rm ${target}), or give a path that is a regular file or does not exist yet.`);
  t.throws(() => writeFileSafely("--sarif", target, "{}\n", 0o644), { instanceOf: InputError, message: problem });
  t.is(readFileSync(away.file, "utf8"), away.before);
  t.is(readlinkSync(target), away.file, "the link itself is left as it was");
  t.deepEqual(readdirSync(dir).sort(), ["check.sarif", "outside"], "no temp file left");
});

test("symlinks and files planted at the temp names drawn are never opened: another name is drawn, or the write is refused", (t) => {
  const dir = scratch(t);
  const away = outside(dir);
  const target = join(dir, "kubesphere-fleet.prom");
  const names = Array.from({ length: 8 }, (_, i) => `${i}${i}`.repeat(8));
  // Seven taken: symlinks to the file outside, and one regular file; the eighth name is free.
  for (const [i, name] of names.slice(0, 7).entries()) {
    const temp = join(dir, `.kubesphere-fleet.prom.${name}.tmp`);
    if (i === 3) writeFileSync(temp, "planted\n");
    else symlinkSync(away.file, temp);
  }
  withRandomBytes(names, () => writeFileSafely("--openmetrics", target, "metrics\n", 0o644));
  t.is(readFileSync(target, "utf8"), "metrics\n");
  t.true(lstatSync(target).isFile());
  t.is(readFileSync(away.file, "utf8"), away.before);
  t.is(readFileSync(join(dir, `.kubesphere-fleet.prom.${names[3]}.tmp`), "utf8"), "planted\n");

  // Every name taken: refused, nothing written anywhere.
  symlinkSync(away.file, join(dir, `.kubesphere-fleet.prom.${names[7]}.tmp`));
  const error = t.throws(() => withRandomBytes(names, () => writeFileSafely("--openmetrics", target, "other\n", 0o644)), { instanceOf: InputError });
  t.regex(error!.message, /^--openmetrics .*kubesphere-fleet\.prom cannot be written: 8 random temp names in .* were all taken\. Fix: /);
  t.is(readFileSync(target, "utf8"), "metrics\n");
  t.is(readFileSync(away.file, "utf8"), away.before);
});

test("a FIFO, a socket or a folder is never replaced by a regular file, up front and at the write", async (t) => {
  const dir = scratch(t);
  const fifo = join(dir, "metrics.fifo");
  execFileSync("mkfifo", [fifo]);
  const socketPath = join(dir, "metrics.sock");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.teardown(() => server.close());
  const folder = join(dir, "folder");
  mkdirSync(folder);
  for (const [path, what] of [
    [fifo, "is a FIFO \\(named pipe\\), not a regular file; only a regular file is replaced\\. Fix: give a path that is a regular file or does not exist yet\\."],
    [socketPath, "is a socket, not a regular file"],
    [folder, "is a folder\\. Fix: give a file name, e.g\\. .*folder/kubesphere-fleet\\.prom"],
  ] as const) {
    const message = new RegExp(`^--openmetrics ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} ${what}`);
    t.regex(outputFileProblem("--openmetrics", path)!, message);
    t.throws(() => writeFileSafely("--openmetrics", path, "x\n", 0o644), { instanceOf: InputError, message });
  }
  t.true(lstatSync(fifo).isFIFO());
  t.true(lstatSync(socketPath).isSocket());
  t.deepEqual(readdirSync(folder), []);
});

test("a snapshot never lands outside its folder: not through symlinks at the old temp names, nor through a symlinked cluster folder", (t) => {
  const dir = scratch(t);
  const away = outside(dir);
  const snapshot = join(dir, "snapshot");
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "kubesphere-secret", namespace: "kubesphere-system" }, data: { jwtSecret: "c2VjcmV0" } };
  mkdirSync(join(snapshot, "host"), { recursive: true });
  // The names the writer used before: <file>.<pid>.tmp and .<file>.<pid>.<ms>.tmp, all predictable.
  const file = join(snapshot, "host", "secret-kubesphere-secret.yaml");
  symlinkSync(away.file, `${file}.${process.pid}.tmp`);
  writeClusterSnapshot(snapshot, "host", [secret]);
  t.true(lstatSync(file).isFile(), "the snapshot file is a file of its own, not the planted link");
  t.is(statSync(file).mode & 0o777, 0o600);
  t.regex(readFileSync(file, "utf8"), /jwtSecret: c2VjcmV0/);
  t.is(readFileSync(away.file, "utf8"), away.before, "the secret did not go through the link");

  symlinkSync(away.folder, join(snapshot, "member-1"));
  const error = t.throws(() => writeClusterSnapshot(snapshot, "member-1", [secret]), { instanceOf: InputError });
  t.is(error!.message, `--save ${join(snapshot, "member-1")} is not a folder (a symlink, or a file); a snapshot is never written through one. Fix: remove it (rm ${join(snapshot, "member-1")}), or save to another folder.`);
  t.deepEqual(readdirSync(away.folder), ["victim"]);
});
