import type { PolicyConfigSchema } from "@pulumi/policy";
import type { KubeSphereNamesFilter } from "../src/model/kubernetesObjects";
import { MIN_PIN_HEX_DIGITS } from "../src/model/secretFacts";
import { DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS, type RuleOptions } from "../src/rules";

/**
 * What `--policy-pack-config` may set for a policy of this pack (each policy reads its own entry). Every policy
 * takes `namespace` and `configMap`, an optional narrowing: unset, every policy recognises KubeSphere's config by what
 * it holds, under any name (rebranded distributions rename them); the shared-secret policy also takes
 * `expectedJwtSecretFingerprint`, the certificate policies `certificateExpiryWindowDays`.
 */
export interface FleetPolicyConfig {
  /** Only this namespace holds the KubeSphere config; unset: any (recognised by content). */
  readonly namespace?: string;
  /** Only the ConfigMap of this name holds kubesphere.yaml; unset: kubesphere-config or any whose kubesphere.yaml has an authentication section. */
  readonly configMap?: string;
  /** SHA-256 of the fleet's jwtSecret (full hex, `sha256:<prefix>` or 8+ hex digits), to hold a fleet split over stacks to one secret. */
  readonly expectedJwtSecretFingerprint?: string;
  /** An advisory is raised for a client certificate expiring within this many days; default 30. */
  readonly certificateExpiryWindowDays?: number;
}

export type FleetConfigKey = keyof FleetPolicyConfig;

const PROPERTIES = {
  namespace: {
    type: "string",
    minLength: 1,
    description: "Optional narrowing: only this namespace holds KubeSphere's config. Unset, the config is recognised by what it holds, in any namespace.",
  },
  configMap: {
    type: "string",
    minLength: 1,
    description: "Optional narrowing: only the ConfigMap of this name holds kubesphere.yaml. Unset: kubesphere-config, or any ConfigMap whose kubesphere.yaml has an authentication section.",
  },
  expectedJwtSecretFingerprint: {
    type: "string",
    pattern: `^(sha256:)?[0-9a-fA-F]{${MIN_PIN_HEX_DIGITS},64}$`,
    description: `SHA-256 fingerprint of the fleet's jwtSecret (\`sha256:<hex>\` or ${MIN_PIN_HEX_DIGITS} to 64 hex digits: fewer are quick to match with another secret), for a fleet split over many stacks.`,
  },
  certificateExpiryWindowDays: {
    type: "integer",
    minimum: 0,
    default: DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS,
    description: "Days before a kubeconfig client certificate expires from which an advisory is raised.",
  },
} as const;

/** The config schema of a policy reading the given keys, plus the names every policy reads. */
export function configSchemaFor(extra: readonly FleetConfigKey[] = []): PolicyConfigSchema {
  const keys: FleetConfigKey[] = ["namespace", "configMap", ...extra];
  return { properties: Object.fromEntries(keys.map((key) => [key, { ...PROPERTIES[key] }])) as PolicyConfigSchema["properties"] };
}

/** The narrowing of where the KubeSphere config lives, from a policy's config: only the names it sets. */
export function kubesphereNames(config: FleetPolicyConfig): KubeSphereNamesFilter {
  const namespace = nonEmpty(config.namespace);
  const configMap = nonEmpty(config.configMap);
  return { ...(namespace ? { namespace } : {}), ...(configMap ? { configMap } : {}) };
}

/** The rules' options from a policy's config, judged at `now`. */
export function ruleOptions(config: FleetPolicyConfig, now: Date = new Date()): RuleOptions {
  const window = config.certificateExpiryWindowDays;
  const fingerprint = nonEmpty(config.expectedJwtSecretFingerprint);
  return {
    now,
    certificateExpiryWindowDays: typeof window === "number" && Number.isFinite(window) && window >= 0 ? window : DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS,
    ...(fingerprint ? { expectedJwtSecretFingerprint: fingerprint } : {}),
  };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
