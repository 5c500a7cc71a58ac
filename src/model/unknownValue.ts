/**
 * Pulumi's wire sentinel for a value not known during preview. Plain inputs handed to the parsers may carry it
 * anywhere; the parsers turn it into an `unknown` observation instead of reading it as text.
 */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Every sentinel Pulumi uses for a value not known during preview, one per type. The engine sends the string one;
 * the policy SDK may hand out any of them.
 */
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  UNKNOWN_VALUE, // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknownValue(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}
