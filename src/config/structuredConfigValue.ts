/**
 * A config value the program reads as structured data (`clusters`): the engine hands every value as text (a YAML
 * list or mapping as its JSON, a secure value as its plaintext), so the text is parsed as JSON, else kept as text.
 * Apart from the program's config reader (`src/program/stackConfig.ts`), which loads the SDK: the offline check reads
 * a stack file the same way without it.
 */
export function structuredConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
