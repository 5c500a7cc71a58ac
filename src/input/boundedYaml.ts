import { Composer, LineCounter, Parser, type CST } from "yaml";
import { InputFileError, InputFileRule } from "./inputFile";
import { readPlainYaml } from "./plainYaml";

/**
 * Parser limits for YAML from a user's file. An alias bomb (`a: &a [x, x]`, `b: &b [*a, *a]`, …) expands
 * exponentially when turned into plain data, and deep nesting overflows the composer's stack, so both are bounded
 * before anything is built. The js-yaml fast path (plainYaml.ts) gets the same depth limit as its maxDepth.
 */
export const MAX_YAML_ALIASES = 100;
export const MAX_YAML_DEPTH = 100;

/**
 * The plain value of every document in `text` (empty documents left out). Syntax errors, too many aliases and too
 * deep nesting are `InputFileError`s naming `label file`, the line and column and the rule, never the text.
 */
export function readYamlDocuments(text: string, label: string, file: string): unknown[] {
  // Most inputs are plain YAML: read by js-yaml, to the same values, about ten times faster (see readPlainYaml).
  return readPlainYaml(text, MAX_YAML_DEPTH) ?? composeYamlDocuments(text, label, file);
}

/** `readYamlDocuments` through the `yaml` parser alone: the reader that decides every verdict the fast path leaves. */
export function composeYamlDocuments(text: string, label: string, file: string): unknown[] {
  const lineCounter = new LineCounter();
  const where = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  for (const token of tokens) {
    const deep = tooDeep(token);
    if (deep !== undefined) {
      throw new InputFileError(file, InputFileRule.yamlDepth, `nests YAML deeper than ${MAX_YAML_DEPTH} levels at ${where(deep)}`, "flatten it; no input of this kind nests this deep", label);
    }
  }
  const values: unknown[] = [];
  for (const doc of new Composer({ prettyErrors: false }).compose(tokens)) {
    const error = doc.errors[0];
    if (error) throw new InputFileError(file, InputFileRule.syntax, `is not valid YAML at ${where(error.pos[0])} (${error.code})`, "correct the YAML there", label);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
      if (error instanceof ReferenceError && /alias/i.test(error.message)) {
        throw new InputFileError(file, InputFileRule.yamlAliases, `has YAML aliases that expand more than ${MAX_YAML_ALIASES} times (the shape of an alias bomb)`, "write the values out instead of repeating aliases", label);
      }
      if (error instanceof RangeError) throw new InputFileError(file, InputFileRule.yamlDepth, "nests YAML too deeply to read", "flatten it", label);
      throw error;
    }
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

/** The offset of a collection nested deeper than the limit in one CST token, if any; walked without recursion. */
function tooDeep(token: CST.Token): number | undefined {
  const stack: Array<readonly [unknown, number]> = [[token, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    const { type, items, value, offset } = node as { type?: string; items?: Array<{ key?: unknown; value?: unknown }>; value?: unknown; offset?: number };
    if (type === "document") {
      stack.push([value, depth]);
      continue;
    }
    if (!Array.isArray(items)) continue;
    if (depth + 1 > MAX_YAML_DEPTH) return offset ?? 0;
    for (const item of items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
  }
  return undefined;
}
