/**
 * Where JSON text goes wrong, and where each value sits, without quoting the text: Node's own `JSON.parse` message
 * quotes the text around the error, and a policy config (or a secret file passed by mistake) may hold a token.
 */

export interface TextPosition {
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Scans JSON (RFC 8259) and returns the offset of every value by its JSON Pointer (`/policy/key`), or the offset of
 * the first syntax error. Iterative: nesting depth cannot overflow the stack. `record: false` only finds the error
 * (no offsets are kept, so a large file costs no memory).
 */
export function scanJson(text: string, record = true): { readonly offsets: Map<string, number> } | { readonly errorOffset: number } {
  const offsets = new Map<string, number>();
  // Each open container: its pointer, whether it is an array, its next index, and what the scanner expects next.
  const stack: { pointer: string; array: boolean; index: number; key?: string }[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const string = (): string | undefined => {
    if (text[i] !== '"') return undefined;
    const start = i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) return undefined;
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return undefined;
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) return undefined;
      }
      i++;
    }
    if (i >= text.length) return undefined;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
  // Reads one value at `pointer`; for a container, pushes it and returns, the loop below reads its members.
  const value = (pointer: string): boolean => {
    ws();
    if (record) offsets.set(pointer, i);
    const c = text[i];
    if (c === "{" || c === "[") {
      i++;
      stack.push({ pointer, array: c === "[", index: 0 });
      return true;
    }
    if (c === '"') return string() !== undefined;
    LITERAL.lastIndex = i;
    const literal = LITERAL.exec(text);
    if (!literal) return false;
    i += literal[0].length;
    return true;
  };

  if (!value("")) return { errorOffset: i };
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    ws();
    const close = top.array ? "]" : "}";
    if (text[i] === close) {
      i++;
      stack.pop();
      continue;
    }
    if (top.index > 0) {
      if (text[i] !== ",") return { errorOffset: i };
      i++;
      ws();
    }
    let pointer: string;
    if (top.array) pointer = `${top.pointer}/${top.index}`;
    else {
      const key = string();
      if (key === undefined) return { errorOffset: i };
      ws();
      if (text[i] !== ":") return { errorOffset: i };
      i++;
      pointer = `${top.pointer}/${escape(key)}`;
    }
    top.index++;
    if (!value(pointer)) return { errorOffset: i };
  }
  ws();
  return i < text.length ? { errorOffset: i } : { offsets };
}

/**
 * Bounds on JSON from a user's file, checked on the text before it is parsed, as the YAML reader's are: 100 levels
 * of nesting (as YAML), and at most 100,000 objects and lists. An 8 MiB file of `[` would otherwise cost the error
 * scan 1.5 GB, and 10,000 levels overflow the stack of whatever walks the value; 100,000 objects and lists is far
 * more than any config, policy config or ESC environment holds, and keeps a parsed file under a few tens of MB.
 */
export const MAX_JSON_DEPTH = 100;
export const MAX_JSON_CONTAINERS = 100_000;

/** Why JSON text was not read: where, and what is wrong there (a predicate of the file), never the text. */
export interface JsonError {
  readonly at: TextPosition;
  /** `not valid JSON at line 1, column 9`, `nests JSON deeper than 100 levels at line 1, column 101`. */
  readonly problem: string;
  /** Set when a bound was crossed (the text may be valid JSON): how to fix it. */
  readonly fix?: string;
}

/**
 * `JSON.parse` within the bounds above, or where the text stops being JSON or crosses a bound: never Node's
 * message, which quotes the text. The bounds are checked first, in one pass that allocates nothing.
 */
export function parseJson(text: string): { readonly value: unknown } | { readonly error: JsonError } {
  const over = overBounds(text);
  if (over) {
    const at = positionAt(text, over.offset);
    const where = `line ${at.line}, column ${at.column}`;
    return over.depth
      ? { error: { at, problem: `nests JSON deeper than ${MAX_JSON_DEPTH} levels at ${where}`, fix: "flatten it; no input of this kind nests this deep" } }
      : { error: { at, problem: `holds more than ${MAX_JSON_CONTAINERS.toLocaleString("en-US")} JSON objects and lists (the next one at ${where})`, fix: "give the file it should be; no input of this kind is this large" } };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    const scanned = scanJson(text, false);
    const at = positionAt(text, "errorOffset" in scanned ? scanned.errorOffset : text.length);
    return { error: { at, problem: `not valid JSON at line ${at.line}, column ${at.column}` } };
  }
}

/** The offset of the first `{` or `[` (outside strings) past the depth or count bound, if any. */
function overBounds(text: string): { readonly offset: number; readonly depth: boolean } | undefined {
  let depth = 0;
  let containers = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return { offset: i, depth: true };
      if (++containers > MAX_JSON_CONTAINERS) return { offset: i, depth: false };
    } else if (c === 0x7d || c === 0x5d) depth = Math.max(0, depth - 1);
  }
  return undefined;
}
