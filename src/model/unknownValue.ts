/**
 * Pulumi's wire sentinel for a value not known during preview. Plain inputs handed to the parsers may carry it
 * anywhere; the parsers turn it into an `unknown` observation instead of reading it as text.
 */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknownValue(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
}
