/**
 * A clone of this repository alone must pass its tests and run its benchmarks: nothing they read may resolve outside
 * the repository root (a user's clone has no sibling folders).
 */
import test from "ava";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { FIXTURES_DIR } from "../helpers/fixtures";
import { BENCH_TMP, FIXTURES_DIR as BENCH_FIXTURES_DIR, REPO_ROOT } from "../../bench/paths";
import { DEFAULT_PACK_DIR } from "../../src/check/runCheck";

const ROOT = resolve(__dirname, "..", "..");
const SOURCE_FOLDERS = ["src", "test", "bench", "policies", "provider", "examples"];

function inside(path: string): boolean {
  const rel = relative(ROOT, resolve(path));
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && rel !== "..");
}

function typeScriptFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "bin") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...typeScriptFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Every `join(__dirname, "a", "..")` / `resolve(__dirname, …)` whose arguments are all string literals, resolved. */
function dirnamePaths(file: string): { expression: string; path: string }[] {
  const text = readFileSync(file, "utf8");
  const found: { expression: string; path: string }[] = [];
  for (const m of text.matchAll(/\b(?:join|resolve)\(\s*__dirname((?:\s*,\s*"[^"]*")*)\s*\)/g)) {
    const parts = [...m[1]!.matchAll(/"([^"]*)"/g)].map((p) => p[1]!);
    found.push({ expression: m[0], path: resolve(dirname(file), ...parts) });
  }
  return found;
}

test("the fixtures, the bench's paths and the default pack folder are inside the repository", (t) => {
  for (const [name, path] of Object.entries({ FIXTURES_DIR, BENCH_FIXTURES_DIR, BENCH_TMP, REPO_ROOT, DEFAULT_PACK_DIR })) {
    t.true(inside(path), `${name} resolves to ${path}, outside ${ROOT}`);
  }
});

/** Every TypeScript file of the source folders that exist. */
function sourceFiles(): string[] {
  return SOURCE_FOLDERS.filter((folder) => existsSync(join(ROOT, folder))).flatMap((folder) => typeScriptFiles(join(ROOT, folder)));
}

test("no path built from __dirname in src, test, bench, policies, provider or examples leaves the repository", (t) => {
  const files = sourceFiles();
  t.true(files.length > 50, "the scan found the sources");
  const outside = files.flatMap((file) =>
    dirnamePaths(file)
      .filter((p) => !inside(p.path))
      .map((p) => `${relative(ROOT, file)}: ${p.expression} -> ${p.path}`),
  );
  t.deepEqual(outside, []);
});

test("no source names a shared folder beside the repository", (t) => {
  const offenders = sourceFiles().filter((file) => resolve(file) !== resolve(__filename) && /\.\.\/shared\b|["']\.\.["']\s*,\s*["']shared["']/.test(readFileSync(file, "utf8")));
  t.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
});
