import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The repository's root, where README.md and docs/ are. */
const ROOT = join(__dirname, "..", "..");

/** A documentation file of the repository, by its path from the root: "README.md", "docs/component.md". */
export function docPath(path: string): string {
  return join(ROOT, path);
}

/** The text of a documentation file, by its path from the root. */
export function docText(path: string): string {
  return readFileSync(docPath(path), "utf8");
}

/** The first fenced block of `language` after the line that starts with `heading` in the doc at `path`, as written. */
export function docBlock(path: string, heading: string, language: string): string {
  const lines = docText(path).split("\n");
  const at = lines.findIndex((line) => line.startsWith(heading));
  if (at < 0) throw new Error(`${path} has no line starting with '${heading}'`);
  const after = lines.slice(at).join("\n");
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(after);
  if (!match) throw new Error(`${path} has no \`\`\`${language} block after '${heading}'`);
  return match[1]!;
}

/** A command line split as a shell would (double quotes group), with "$VAR" replaced from `vars`. */
export function shellWords(line: string, vars: Record<string, string> = {}): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]!).replace(/\$([A-Z_]+)/g, (_, name: string) => vars[name] ?? `$${name}`));
}
