import type { FleetView, ObjectRead } from "../model/fleet";
export { ObjectRead, SETTINGS_SOURCES } from "../model/fleet";

export const Severity = { low: "low", medium: "medium", high: "high", critical: "critical" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export const Enforcement = { mandatory: "mandatory", advisory: "advisory" } as const;
export type Enforcement = (typeof Enforcement)[keyof typeof Enforcement];

/**
 * What a rule needs to see to decide. `resource`: every finding is about one declared object (a kubesphere.yaml,
 * a ClusterConfiguration, a provider's kubeconfig) and needs nothing else, so the policy pack judges it on each
 * resource as the engine registers it. `fleet`: a finding needs several objects of a cluster, or several clusters,
 * so the pack judges it once over the whole stack. `resource-and-fleet`: some findings are decided by one object
 * alone and some only by the fleet; each finding says which (`decidedBy`), and the pack reports each where it is
 * decided first, never twice. The offline check and the live audit run every rule over the fleet either way.
 */
export const RuleScope = { resource: "resource", fleet: "fleet", resourceAndFleet: "resource-and-fleet" } as const;
export type RuleScope = (typeof RuleScope)[keyof typeof RuleScope];

/** What decides a finding: the one object it is about (the resource), or only several objects or clusters. */
export type DecidedBy = typeof RuleScope.resource | typeof RuleScope.fleet;

/** What decides a finding of this rule: its own `decidedBy`, else the rule's scope (`resource-and-fleet` rules set it). */
export function decidedBy(rule: Rule, finding: Finding): DecidedBy {
  return finding.decidedBy ?? (rule.scope === RuleScope.resource ? RuleScope.resource : RuleScope.fleet);
}

export interface RuleOptions {
  /** The instant certificates are judged against. */
  readonly now: Date;
  /** A certificate expiring within this many days is reported (advisory). */
  readonly certificateExpiryWindowDays: number;
  /** SHA-256 of the fleet's jwtSecret (full hex, `sha256:<prefix>` or a prefix of 8+ hex digits), for fleets split over stacks. */
  readonly expectedJwtSecretFingerprint?: string;
  /**
   * SHA-256 (hex) of the jwtSecret the fleet's stack declares, when it is known (the audit of a stack whose secret
   * could be decrypted). The reference when no host's own secret was read; the host's, when read, comes first.
   */
  readonly declaredJwtSecretFingerprint?: string;
}

export const DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS = 30;

/** The options a user sets for a rule (its policy's config, `--policy-pack-config`); `now` and the declared secret are not theirs. */
export type RuleSetting = "certificateExpiryWindowDays" | "expectedJwtSecretFingerprint";


export function defaultRuleOptions(now = new Date()): RuleOptions {
  return { now, certificateExpiryWindowDays: DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS };
}

/**
 * One thing wrong (or not decidable) on one cluster. A finding whose `enforcement` is below its rule's is a note
 * that the rule could not decide, e.g. a value unknown during preview.
 */
export interface Finding {
  readonly ruleId: string;
  readonly enforcement: Enforcement;
  /** The cluster it is about; fleet-wide findings name every cluster in `clusters`. */
  readonly cluster?: string;
  readonly clusters?: readonly string[];
  /** The object and key the finding is about, e.g. `ConfigMap kubesphere-system/kubesphere-config: kubesphere.yaml: authentication.jwtSecret`. */
  readonly source?: string;
  /** Subject first, measured value and limit, and the fix. Never a secret. */
  readonly message: string;
  /**
   * For a rule of scope `resource-and-fleet`: `resource` when the object named by `source` decides this finding by
   * itself (with the rule options), so the pack reports it on that resource in Analyze; `fleet` otherwise.
   */
  readonly decidedBy?: DecidedBy;
}

/** A rule over the normalised fleet. Pure: no Pulumi, Kubernetes or I/O. */
export interface Rule {
  /** kebab-case `kubesphere-<area>-<verb>-<thing>`; the policy of the same name enforces it. */
  readonly id: string;
  /** A full sentence starting "Checks whether". */
  readonly description: string;
  readonly severity: Severity;
  readonly enforcement: Enforcement;
  readonly scope: RuleScope;
  readonly remediationSteps: string;
  readonly url?: string;
  /**
   * The objects the rule reads (default: every kind). The pack's stack policies build their fleet from these alone,
   * so a policy does not read what its rule never looks at (most never look at a Deployment).
   */
  readonly reads?: readonly ObjectRead[];
  /** The options the rule reads that a user may set: its policy's config keys, beside every policy's namespace and configMap. */
  readonly settings?: readonly RuleSetting[];
  evaluate(fleet: FleetView, options: RuleOptions): Finding[];
}
