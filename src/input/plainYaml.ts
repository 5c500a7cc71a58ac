import { FAILSAFE_SCHEMA, Type, loadAll, type LoadOptions } from "js-yaml";

/**
 * A fast reading of plain YAML with js-yaml, about ten times faster than the `yaml` parser the bounded reader
 * (`readYamlDocuments`) uses, for the common case: no anchors, aliases, tags, directives or complex keys. It gives
 * the same values as the bounded reader or none at all (`undefined`: the bounded reader decides, refusals included):
 * - scalars resolve by `yaml`'s YAML 1.2 core schema, copied below (js-yaml's own core schema differs in details);
 * - text with anything the two parsers are known to read differently is left to the bounded reader: a node property
 *   or alias (`!`, `&`, `*` where a node can start), a `%` directive, an explicit or a collection key, a comment
 *   glued to a quote, an escaped line break, control and Unicode line-break characters, a line over 1,024 characters
 *   (`yaml` refuses implicit keys that long), and a key spelled as null (`yaml` makes it "", js-yaml "null");
 * - whatever js-yaml refuses (syntax, duplicate keys, nesting past `maxDepth`) is left to the bounded reader too.
 * With no anchor there is no alias, so the alias limit holds trivially; the depth limit is js-yaml's `maxDepth`.
 * test/input/plainYaml.test.ts holds both readers to the same values over the fixtures and mutations of them.
 */
export function readPlainYaml(text: string, maxDepth: number): unknown[] | undefined {
  if (NOT_PLAIN.some((pattern) => pattern.test(text))) return undefined;
  let documents: unknown[];
  try {
    // `maxDepth` is js-yaml's (4.3, its README); @types/js-yaml predates it.
    const options: LoadOptions & { maxDepth: number } = { schema: CORE_LIKE_YAML, maxDepth };
    documents = loadAll(text, undefined, options);
  } catch {
    return undefined;
  }
  if (documents.some(hasNullKey)) return undefined;
  return documents.filter((value) => value !== null && value !== undefined);
}

const NOT_PLAIN: readonly RegExp[] = [
  // A tag, anchor or alias starts a node: at a line's start, after white space, a flow indicator or a colon.
  /(?:^|[\s[\]{},:])[!&*]/m,
  /^%/m,
  // The explicit key indicator, or a flow collection used as a key.
  /(?:^|[\s[{,])\?(?:\s|$)|[\]}]\s*:/m,
  /["']#|\\\r?\n|\r(?!\n)|[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\x85\u2028\u2029\uFEFF]/,
  /^.{1025}/m,
];

function scalar(tag: string, test: (text: string) => boolean, construct: (text: string) => unknown): Type {
  return new Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (text: string | null) => text !== null && test(text), construct });
}

// `yaml`'s core schema (yaml/dist/schema/core and common/null): the same patterns, the same conversions.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

const CORE_LIKE_YAML = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", (t) => NULL.test(t), () => null),
    scalar("bool", (t) => BOOL.test(t), (t) => t[0] === "t" || t[0] === "T"),
    scalar(
      "int",
      (t) => INT_OCT.test(t) || INT.test(t) || INT_HEX.test(t),
      (t) => (INT_OCT.test(t) ? parseInt(t.substring(2), 8) : INT_HEX.test(t) ? parseInt(t.substring(2), 16) : parseInt(t, 10)),
    ),
    scalar(
      "float",
      (t) => FLOAT_NAN.test(t) || FLOAT_EXP.test(t) || FLOAT.test(t),
      (t) => (FLOAT_NAN.test(t) ? (t.slice(-3).toLowerCase() === "nan" ? NaN : t[0] === "-" ? -Infinity : Infinity) : parseFloat(t)),
    ),
  ],
});

function hasNullKey(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) stack.push(item);
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === "null") return true;
      stack.push(child);
    }
  }
  return false;
}
