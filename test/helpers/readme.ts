import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The repository's README.md. */
export const README = join(__dirname, "..", "..", "README.md");

/** The first fenced block of `language` after the line that starts with `heading` in the README, as written. */
export function readmeBlock(heading: string, language: string): string {
  const text = readFileSync(README, "utf8");
  const at = text.split("\n").findIndex((line) => line.startsWith(heading));
  if (at < 0) throw new Error(`README.md has no line starting with '${heading}'`);
  const after = text.split("\n").slice(at).join("\n");
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(after);
  if (!match) throw new Error(`README.md has no \`\`\`${language} block after '${heading}'`);
  return match[1]!;
}
