/**
 * The output-path helper every command's file flag uses: checked before the run, written whole. Real files in a
 * scratch folder.
 */
import test from "ava";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outputFileProblem, writeFileAtomically } from "../../src/cli/outputPath";

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
    writeFileAtomically(file, "new\n", 0o644);
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
  // Renaming a file over a non-empty folder fails after the temp file was written: it must be cleaned up.
  t.throws(() => writeFileAtomically(target, "new\n", 0o644));
  t.deepEqual(readdirSync(dir), ["taken"]);
  t.is(readFileSync(join(target, "inside"), "utf8"), "keep");
});
