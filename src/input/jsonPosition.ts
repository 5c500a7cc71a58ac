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
 * the first syntax error. Iterative: nesting depth cannot overflow the stack.
 */
export function scanJson(text: string): { readonly offsets: Map<string, number> } | { readonly errorOffset: number } {
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
    offsets.set(pointer, i);
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

/** `JSON.parse`, or where the text stops being JSON: never Node's message, which quotes the text. */
export function parseJson(text: string): { readonly value: unknown } | { readonly error: TextPosition } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    const scanned = scanJson(text);
    return { error: positionAt(text, "errorOffset" in scanned ? scanned.errorOffset : text.length) };
  }
}
