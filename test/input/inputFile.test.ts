/**
 * The bounded reader every file input goes through, on shapes the test makes: a FIFO, a symlink leading out of its
 * folder, a file over the size limit, a YAML alias bomb and a nesting bomb. Each is refused as an `InputFileError`
 * (exit 2) naming the file and the rule, quickly, and never quoting the file.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/cli/exitCodes";
import { MAX_YAML_ALIASES, readYamlDocuments } from "../../src/input/boundedYaml";
import { DEFAULT_MAX_FILE_BYTES, InputFileError, InputFileRule, maxFileBytes, readInputFile } from "../../src/input/inputFile";

const dir = mkdtempSync(join(tmpdir(), "ksf-input-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function refused(t: import("ava").ExecutionContext, read: () => unknown, rule: InputFileRule, message: RegExp): InputFileError {
  const error = t.throws(read, { instanceOf: InputFileError });
  t.true(error instanceof InputError, "bad input: exit 2");
  t.is(error!.rule, rule);
  t.regex(error!.message, message);
  return error!;
}

test("a FIFO is refused as not a regular file at once, instead of waiting for a writer", (t) => {
  const fifo = join(dir, "pipe.yaml");
  execFileSync("mkfifo", [fifo]);
  // Opened for reading the usual way, this would wait for a writer forever: the test would time out.
  refused(t, () => readInputFile(fifo, { label: "--live" }), InputFileRule.notRegular, /^--live .*pipe\.yaml is a FIFO \(named pipe\), not a regular file\. Fix: /);
});

test("a folder is refused as not a regular file", (t) => {
  refused(t, () => readInputFile(dir, { label: "kubeconfig" }), InputFileRule.notRegular, /is a folder, not a regular file/);
});

test("a symlink that leads out of the folder is refused; one that stays inside is read", (t) => {
  const live = join(dir, "live");
  mkdirSync(join(live, "host"), { recursive: true });
  writeFileSync(join(dir, "shadow"), "root:$6$hash-that-must-not-be-read:19000:0:99999:7:::\n");
  writeFileSync(join(live, "host", "real.yaml"), "kind: ConfigMap\n");
  symlinkSync(join(dir, "shadow"), join(live, "host", "shadow.yaml"));
  symlinkSync("real.yaml", join(live, "host", "alias.yaml"));
  const error = refused(t, () => readInputFile(join(live, "host", "shadow.yaml"), { label: "--live", within: live }), InputFileRule.outside, /shadow\.yaml resolves to a file outside .*live; a symlink there must stay inside it/);
  t.false(error.message.includes("hash-that-must-not-be-read"));
  t.is(readInputFile(join(live, "host", "alias.yaml"), { label: "--live", within: live }), "kind: ConfigMap\n");
});

test("a file over the limit is refused before it is read, naming the limit and the flag that raises it", (t) => {
  const big = join(dir, "big.yaml");
  const fd = openSync(big, "w");
  ftruncateSync(fd, DEFAULT_MAX_FILE_BYTES + 1024 * 1024);
  closeSync(fd);
  refused(t, () => readInputFile(big, { label: "stack 'dev':", raiseWith: "--max-file-mib <MiB>" }), InputFileRule.tooLarge, /big\.yaml is 9 MiB, over the 8 MiB limit per file\. Fix: .*--max-file-mib <MiB>/);
  t.is(readInputFile(big, { label: "x", maxBytes: maxFileBytes("10") }).length, DEFAULT_MAX_FILE_BYTES + 1024 * 1024);
  t.throws(() => maxFileBytes("lots"), { instanceOf: InputError, message: /--max-file-mib lots is not a positive number of MiB/ });
});

test("a missing file says so", (t) => {
  refused(t, () => readInputFile(join(dir, "nope.yaml"), { label: "--policy-pack-config" }), InputFileRule.missing, /nope\.yaml cannot be read \(no such file\)/);
});

test("a YAML alias bomb is refused by the alias limit, without expanding it", (t) => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
  refused(t, () => readYamlDocuments(lines.join("\n"), "--live", "bomb.yaml"), InputFileRule.yamlAliases, new RegExp(`--live bomb\\.yaml has YAML aliases that expand more than ${MAX_YAML_ALIASES} times`));
  // A few aliases, as real manifests use them, are fine.
  t.deepEqual(readYamlDocuments("a: &x {k: 1}\nb: *x\n", "--live", "ok.yaml"), [{ a: { k: 1 }, b: { k: 1 } }]);
});

test("YAML nested deeper than the limit is refused before it is composed, flow or block", (t) => {
  refused(t, () => readYamlDocuments(`${"[".repeat(50_000)}${"]".repeat(50_000)}`, "--live", "deep.yaml"), InputFileRule.yamlDepth, /deep\.yaml nests YAML deeper than 100 levels at line 1, column \d+/);
  const block = Array.from({ length: 150 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n");
  refused(t, () => readYamlDocuments(block, "--live", "deep.yaml"), InputFileRule.yamlDepth, /nests YAML deeper than 100 levels/);
  t.is(readYamlDocuments(Array.from({ length: 20 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " 1", "--live", "ok.yaml").length, 1);
});

test("a YAML syntax error names the line and column, never the text", (t) => {
  const error = refused(t, () => readYamlDocuments("data:\n  token: tokenThatMustNotLeak\n   bad: [\n", "stack 'dev':", "Pulumi.dev.yaml"), InputFileRule.syntax, /Pulumi\.dev\.yaml is not valid YAML at line \d+, column \d+ \([A-Z_]+\)/);
  t.false(error.message.includes("tokenThatMustNotLeak"));
});
