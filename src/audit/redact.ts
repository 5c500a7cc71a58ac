/**
 * Server text (a `Status` message, a redirect's target) is printed in the report. A server or proxy may echo the
 * request back, so before it is shown it loses every credential the audit sent: the bearer token, the basic-auth
 * password, the client key. It also loses control characters (no terminal escapes from a server) and is cut short.
 */
export type Redact = (text: string) => string;

export const REDACTED = "[redacted]";
/** Shorter values are not scrubbed by value (a 1-character password would blank every such letter); the patterns still apply. */
const MIN_SCRUBBED_LENGTH = 4;
const MAX_SHOWN_LENGTH = 400;

/** A scrubber for the given credential values (undefined and short ones are skipped). */
export function redactorFor(secrets: readonly (string | undefined)[]): Redact {
  const values = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SCRUBBED_LENGTH))].sort((a, b) => b.length - a.length);
  return (text) => {
    let shown = text;
    for (const value of values) shown = shown.split(value).join(REDACTED);
    shown = shown
      .replace(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED)
      .replace(/\b(Bearer|Basic)(\s+)[^\s"',;]+/gi, `$1$2${REDACTED}`)
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
    return shown.length > MAX_SHOWN_LENGTH ? `${shown.slice(0, MAX_SHOWN_LENGTH)}…` : shown;
  };
}

/** The forms in which a request carries credentials: the header value, its bare token, base64 of `user:password`, the key. */
export function sentCredentials(request: { headers?: unknown; auth?: unknown; key?: unknown }, user?: { token?: string; password?: string; keyData?: string }): string[] {
  const found: (string | undefined)[] = [user?.token, user?.password, user?.keyData];
  if (user?.keyData) found.push(Buffer.from(user.keyData, "base64").toString("utf8"));
  const headers = (request.headers ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "authorization") continue;
    const text = String(value);
    found.push(text, text.replace(/^\S+\s+/, ""));
  }
  if (typeof request.auth === "string") {
    found.push(request.auth, request.auth.slice(request.auth.indexOf(":") + 1), Buffer.from(request.auth).toString("base64"));
  }
  const keys = Array.isArray(request.key) ? request.key : [request.key];
  for (const key of keys) {
    if (typeof key === "string" || Buffer.isBuffer(key)) {
      const pem = key.toString();
      found.push(pem, Buffer.from(pem).toString("base64"), ...pem.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith("-----")));
    }
  }
  return found.filter((s): s is string => s !== undefined);
}
