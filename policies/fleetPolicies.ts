// `kubesphere-fleet/policies`: the fleet's policies as a library, for an organisation's own pack (as @pulumi/awsguard
// is used). Importing it starts nothing; policies/index.ts is the pack that runs on its own.
import type { EnforcementLevel, Policy, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import Ajv from "ajv";
import { allPolicies } from "./allPolicies";
import type { FleetPolicyConfig } from "./policyConfig";

export type { FleetPolicyConfig } from "./policyConfig";

export interface KubeSphereFleetPoliciesArgs {
  /**
   * Every fleet policy at this level, e.g. `advisory` while a fleet is being brought in line; default: each policy's
   * own (mandatory for what splits a fleet's authentication, advisory for the rest).
   */
  readonly enforcementLevel?: EnforcementLevel;
  /**
   * The fleet's settings, given once: each policy takes the keys it reads (every one `namespace` and `configMap`,
   * the shared-secret policy `expectedJwtSecretFingerprint`, the renewal policy `certificateExpiryWindowDays`). They
   * are the policies' defaults: a `--policy-pack-config` entry for a policy still overrides them.
   */
  readonly config?: FleetPolicyConfig;
}

/**
 * The kubesphere-fleet policies, configured, to list in your own `PolicyPack` beside your own policies:
 *
 * ```ts
 * import { PolicyPack } from "@pulumi/policy";
 * import { kubesphereFleetPolicies } from "kubesphere-fleet/policies";
 *
 * new PolicyPack("acme", {
 *   policies: [...acmePolicies, ...kubesphereFleetPolicies({ config: { expectedJwtSecretFingerprint: "sha256:1a2b3c4d5e6f" } })],
 * });
 * ```
 *
 * A setting that breaks a policy's schema throws here, naming the setting and the policy: a pack that would judge
 * with a wrong fingerprint must not start.
 */
export function kubesphereFleetPolicies(args: KubeSphereFleetPoliciesArgs = {}): Policy[] {
  const config = Object.fromEntries(Object.entries(args.config ?? {}).filter(([, value]) => value !== undefined));
  const unknown = Object.keys(config).filter((key) => !allPolicies().some((p) => p.configSchema?.properties[key]));
  if (unknown.length > 0) throw new Error(`kubesphereFleetPolicies: no fleet policy takes ${unknown.map((k) => `config.${k}`).join(", ")}. Fix: use namespace, configMap, expectedJwtSecretFingerprint or certificateExpiryWindowDays.`);
  return allPolicies().map((policy) => configured(policy, config, args.enforcementLevel));
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** One policy with the settings it takes as its defaults, and the enforcement level given. */
function configured(policy: Policy, config: Record<string, unknown>, enforcementLevel: EnforcementLevel | undefined): Policy {
  const properties = policy.configSchema?.properties ?? {};
  const settings = Object.fromEntries(Object.entries(config).filter(([key]) => key in properties));
  for (const [key, value] of Object.entries(settings)) {
    const validate = ajv.compile(properties[key]!);
    if (!validate(value)) {
      // The schema's words, never the value: a fingerprint is not a secret, but a mistyped setting might be one.
      throw new Error(`kubesphereFleetPolicies: config.${key} ${validate.errors?.[0]?.message ?? "is not valid"} (policy '${policy.name}'). Fix: ${properties[key]!.description ?? "see the policy's config schema"}`);
    }
  }
  const withSettings = <A extends ResourceValidationArgs | StackValidationArgs>(args: A): A => ({
    ...args,
    getConfig: <T extends object>() => ({ ...settings, ...args.getConfig<T>() }) as T,
  });
  const wrap = <A extends ResourceValidationArgs | StackValidationArgs, R>(fn: ((args: A, ...rest: never[]) => R) | undefined) =>
    fn && ((a: A, ...rest: never[]) => fn(withSettings(a), ...rest));
  const p = policy as Policy & Record<string, unknown>;
  return {
    ...policy,
    ...(enforcementLevel ? { enforcementLevel } : {}),
    ...(policy.configSchema
      ? { configSchema: { ...policy.configSchema, properties: Object.fromEntries(Object.entries(properties).map(([key, schema]) => [key, key in settings ? { ...schema, default: settings[key] } : schema])) } }
      : {}),
    ...(p["validateResource"] ? { validateResource: wrap(p["validateResource"] as never) } : {}),
    ...(p["validateStack"] ? { validateStack: wrap(p["validateStack"] as never) } : {}),
    ...(p["remediateResource"] ? { remediateResource: wrap(p["remediateResource"] as never) } : {}),
  } as Policy;
}
