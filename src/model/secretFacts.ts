import { createHash } from "node:crypto";

/**
 * What the rules may know about a jwtSecret: never the secret itself. `digest` is the full SHA-256 (hex) used for
 * equality; `fingerprint` is the short form shown to people.
 */
export interface SecretFacts {
  readonly digest: string;
  readonly fingerprint: string;
  readonly length: number;
  /** Why this value is a known default, when it is one. */
  readonly knownDefault?: string;
}

export const MIN_JWT_SECRET_LENGTH = 32;

/** SHA-256 digests of values that must never be a fleet's jwtSecret, with where each comes from. */
const KNOWN_DEFAULTS: ReadonlyMap<string, string> = new Map(
  [
    ["", "an empty value (ks-installer and the ks-core chart then generate a different random secret per cluster)"],
    ["gfIwilcc0WjNGKJ5DLeksf2JKfcLgTZU", "the example value printed in KubeSphere's multi-cluster documentation"],
    ["changeme", "a placeholder"],
    ["secret", "a placeholder"],
    ["jwtSecret", "a placeholder"],
    ["kubesphere", "a placeholder"],
  ].map(([value, why]) => [sha256Hex(value), why]),
);

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** The short, safe-to-print form of a SHA-256 digest: `sha256:` and its first 12 hex digits. */
export function shortFingerprint(digest: string): string {
  return `sha256:${digest.slice(0, 12)}`;
}

/** A pin as messages show it: at most the 12 hex digits of a fingerprint. */
export function pinLabel(pin: string): string {
  return shortFingerprint(pin.replace(/^sha256:/, ""));
}

export function secretFacts(plaintext: string): SecretFacts {
  const digest = sha256Hex(plaintext);
  const knownDefault = KNOWN_DEFAULTS.get(digest) ?? repetitiveValue(plaintext);
  return { digest, fingerprint: shortFingerprint(digest), length: plaintext.length, ...(knownDefault ? { knownDefault } : {}) };
}

/**
 * The fewest hex digits a pin of a jwtSecret (a shard's `hostJwtSecretFingerprint`, the pack's
 * `expectedJwtSecretFingerprint`) may have: the 12 every output shows, 48 bits. With 8 (32 bits) a second secret of
 * the same prefix is found in about a second on one core, and a shard checked alone would then pass in silence.
 */
export const MIN_PIN_HEX_DIGITS = 12;

/**
 * Whether an expected fingerprint from policy config (full hex digest, `sha256:<hex prefix>` or a bare prefix of
 * at least `MIN_PIN_HEX_DIGITS` hex digits) names this digest.
 */
export function fingerprintMatches(expected: string, digest: string): boolean {
  const hex = expected.trim().toLowerCase().replace(/^sha256:/, "");
  return new RegExp(`^[0-9a-f]{${MIN_PIN_HEX_DIGITS},64}$`).test(hex) && digest.startsWith(hex);
}

function repetitiveValue(plaintext: string): string | undefined {
  return plaintext.length > 0 && new Set(plaintext).size <= 2 ? "a value made of one or two repeated characters" : undefined;
}
