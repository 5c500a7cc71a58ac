/**
 * The check's modules, the input readers and the pack import one another without a cycle (type-only imports count:
 * a cycle of types is a cycle of meaning, and one `import` added later makes it a cycle at load time).
 */
import test from "ava";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(__dirname, "..", "..");
const SCANNED = ["src/check", "src/input", "policies"];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "bin") out.push(...sourceFiles(path));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The files of this repository that `file` imports, requires or re-exports (relative specifiers only). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles.flatMap(({ fileName }) => {
    if (!fileName.startsWith(".")) return [];
    const target = resolve(dirname(file), fileName);
    return [`${target}.ts`, join(target, "index.ts"), target].filter((candidate) => candidate.endsWith(".ts") && existsSync(candidate)).slice(0, 1);
  });
}

/** Every cycle's files (strongly connected components of more than one file, or a file importing itself). */
function cycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((d) => files.includes(d))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file)!) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component = stack.splice(stack.indexOf(file));
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component.map((f) => relative(ROOT, f)).sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

test("the check, the input readers and the pack import one another without a cycle", (t) => {
  const files = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir)));
  t.true(files.some((f) => f.endsWith(join("check", "report.ts"))), "the check's sources are scanned");
  t.deepEqual(cycles(files), []);
});
