import { InputError } from "../cli/exitCodes";
import { PROJECT } from "../config/fleetDeclaration";
import { pinLabel } from "../model/secretFacts";
import type { PolicyConfigInput, PolicyDescription } from "../engine";

const EXPECTED = "expectedJwtSecretFingerprint";

/**
 * The policy config with a shard's `hostJwtSecretFingerprint` as `expectedJwtSecretFingerprint` of every policy that
 * takes one, so the pack holds the shard's clusters to the host stack's secret, as `pulumi preview` does with the same
 * pin in `--policy-pack-config`. A config that already names another secret is bad input; one that names the same is kept.
 */
export function withHostPin(
  config: Readonly<Record<string, PolicyConfigInput>>,
  policies: readonly PolicyDescription[],
  pin: string | undefined,
  stack: string,
): Record<string, PolicyConfigInput> {
  if (!pin) return { ...config };
  const merged: Record<string, PolicyConfigInput> = { ...config };
  for (const policy of policies) {
    if (!policy.configSchema || !(EXPECTED in policy.configSchema.properties)) continue;
    const entry = config[policy.name] ?? {};
    const given = entry[EXPECTED];
    if (typeof given === "string" && given.trim() !== "") {
      if (!sameSecret(given, pin)) {
        throw new InputError(
          `Stack '${stack}': ${PROJECT}:hostJwtSecretFingerprint (${pinLabel(pin)}) and --policy-pack-config ${policy.name}.${EXPECTED} name different secrets. ` +
            `Fix: give both the host stack's jwtSecret fingerprint, or remove one.`,
        );
      }
      continue;
    }
    merged[policy.name] = { ...entry, [EXPECTED]: pin };
  }
  return merged;
}

/** Two fingerprints (full digests or prefixes) that can name the same secret: one's hex starts with the other's. */
function sameSecret(a: string, b: string): boolean {
  const hex = (f: string) => f.trim().toLowerCase().replace(/^sha256:/, "");
  return hex(a).startsWith(hex(b)) || hex(b).startsWith(hex(a));
}
