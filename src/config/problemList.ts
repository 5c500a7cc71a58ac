/**
 * A list of problems under a header, as every "N problem(s)" message prints it, with bounds: at most
 * `MAX_LISTED_PROBLEMS` lines, each at most `MAX_PROBLEM_CHARS` characters, `MAX_PROBLEM_LIST_BYTES` in all, and a
 * last line saying how many more there are. A fleet of thousands of broken clusters still gets a message a person
 * reads and a transport carries: the component provider's Construct answers over gRPC, whose status message travels
 * in a trailer (grpc-js accepts 8 KiB of metadata by default; past 64 KB the answer was never sent and `pulumi up`
 * hung).
 */
export const MAX_LISTED_PROBLEMS = 20;
export const MAX_PROBLEM_CHARS = 600;
export const MAX_PROBLEM_LIST_BYTES = 6 * 1024;

export function problemList(header: string, problems: readonly string[]): string {
  const lines = [clip(header, MAX_PROBLEM_CHARS)];
  let bytes = Buffer.byteLength(lines[0]!);
  let listed = 0;
  for (const problem of problems.slice(0, MAX_LISTED_PROBLEMS)) {
    const line = `- ${clip(problem, MAX_PROBLEM_CHARS)}`;
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > MAX_PROBLEM_LIST_BYTES) break;
    lines.push(line);
    listed++;
  }
  const more = problems.length - listed;
  if (more > 0) lines.push(`- … and ${more} more problem(s), not listed; fix these first and run again to see the rest.`);
  return lines.join("\n");
}

/** `text` cut to at most `max` characters, marked with an ellipsis where cut (never inside a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? "")) end--;
  return `${text.slice(0, end)}…`;
}

/** `text` cut to at most `maxBytes` of UTF-8, marked with an ellipsis where cut. */
export function clipBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > maxBytes - 3) end--;
  return clip(text, end + 1);
}
