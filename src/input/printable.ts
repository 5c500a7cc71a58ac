/**
 * Text from a file (a stack or cluster name, a config key, an ESC environment name, a kubeconfig's context) reaches
 * the report and the errors. Printed raw, a terminal escape (`\u001b[2K`), a carriage return or a newline in it could
 * erase a line or forge one ("No mandatory violations"), and a bidi override could reorder what a reader sees. Every
 * printer (the check's and the audit's text reports, SARIF messages, the CLIs' errors) passes its text through here:
 * C0 and C1 control characters, DEL, the Unicode line and paragraph separators and the bidi controls are written as
 * escapes (`\u001b`, `\n`), so the text stays on its line and shows what the file holds. JSON output needs nothing:
 * JSON escapes control characters itself.
 */

// C0, DEL, C1; U+061C, U+200E/F (marks), U+2028/9 (line/paragraph separators), U+202A-E and U+2066-9 (bidi).
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNPRINTABLE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escape(char: string): string {
  return SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** `text` on one line, every control character escaped: for a name or key from a file, put into a message. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escape);
}

/** `printable`, keeping the line breaks the program itself wrote (a list of problems, a multi-line message). */
export function printableLines(text: string): string {
  return text.replace(UNPRINTABLE_BUT_NEWLINE, escape);
}

/** A copy of report data with every string `printableLines`: what a text printer formats. */
export function printableData<T>(data: T): T {
  if (typeof data === "string") return printableLines(data) as T;
  if (Array.isArray(data)) return data.map((item: unknown) => printableData(item)) as T;
  if (data !== null && typeof data === "object") {
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, printableData(value)])) as T;
  }
  return data;
}

/** Names longer than this are shortened in messages: no name of a cluster, context or key is this long. */
export const MAX_SHOWN_NAME = 100;

/** A name from a file, for a message: `printable`, and cut short (with its length) when it is longer than a name is. */
export function shownName(name: string): string {
  if (name.length <= MAX_SHOWN_NAME) return printable(name);
  return `${printable(name.slice(0, MAX_SHOWN_NAME))}… (${name.length} characters)`;
}

/**
 * What a value is, for an error that must not quote it (it may be a secret, or 7 MB): `a string of 12 characters`,
 * `a number`, `true or false`, `null`, `a list`, `a mapping`.
 */
export function valueType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `a string of ${value.length} character${value.length === 1 ? "" : "s"}`;
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "true or false";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}
