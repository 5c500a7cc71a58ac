import type { Rotation } from "./rotation";

/** What `npm run check` found: the plan per cluster and the policy verdicts, as `--json` prints it. */
export interface CheckReport {
  readonly stack: string;
  readonly stackFile: string;
  /** A shard's pin of the host stack's jwtSecret (`kubesphere-fleet:hostJwtSecretFingerprint`), when the stack sets one. */
  readonly hostJwtSecretFingerprint?: string;
  /** Present when the update changes the host's jwtSecret: what the rotation does to the fleet. */
  readonly rotation?: Rotation;
  readonly clusters: readonly ClusterPlan[];
  readonly violations: readonly Violation[];
  /** What could not be compared, and why (e.g. secure values without a passphrase). */
  readonly notes: readonly string[];
}

/** A before → after pair of one setting; values are fingerprints or durations, never secrets. */
export interface SettingChange {
  readonly setting: "jwtSecret" | "accessTokenMaxAge" | "clusterRole" | "restart";
  readonly live: string;
  readonly desired: string;
}

export interface ClusterPlan {
  readonly name: string;
  readonly role: string;
  readonly version: string;
  readonly mode: string;
  readonly jwtSecret: { readonly live: string; readonly desired: string };
  readonly accessTokenMaxAge: { readonly live: string; readonly desired: string };
  readonly restart: boolean;
  /** Only the settings whose live and desired values differ; each is made by one of `resources`. */
  readonly changes: readonly SettingChange[];
  /** Every resource the program declares for the cluster (providers aside), and what it changes. */
  readonly resources: readonly ResourcePlan[];
}

/** One declared resource and what applying it changes on the cluster. */
export interface ResourcePlan {
  /** The Pulumi type, e.g. `kubernetes:core/v1:ConfigMapPatch`. */
  readonly type: string;
  /** The Pulumi resource name, e.g. `member-1-kubesphere-config`. */
  readonly name: string;
  /** The Kubernetes object it writes, e.g. `ConfigMap kubesphere-system/kubesphere-config`. */
  readonly object: string;
  /** Empty when applying it changes nothing. */
  readonly changes: readonly ResourceChange[];
  /** Why it changes nothing, or what it leaves to others. */
  readonly note?: string;
}

/**
 * One change a resource makes: a field it writes (`spec.multicluster.clusterRole`) or an auth setting ks-apiserver
 * ends up with because of it (`setting`). Values are fingerprints, durations or plain values, never secrets.
 */
export interface ResourceChange {
  readonly key: string;
  readonly live: string;
  readonly desired: string;
  readonly setting?: SettingChange["setting"];
}

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  /** The cluster the violation is about, when it is about one. */
  readonly cluster?: string;
  readonly message: string;
  readonly urn?: string;
}

export function mandatoryCount(report: CheckReport): number {
  return report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
}
