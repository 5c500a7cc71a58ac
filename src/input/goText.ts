/** Go's `unicode.IsSpace` runes, which `strings.TrimSpace` drops at both ends (not U+FEFF, which JavaScript's trim also drops). */
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const AT_ENDS = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

/** Go's `strings.TrimSpace`, for text the Pulumi CLI trims (a passphrase file, a policy config file). */
export function trimSpace(text: string): string {
  return text.replace(AT_ENDS, "");
}
