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
  /**
   * Policies configured `remediate` whose remediation changed the resource before it was analysed and applied, as the
   * engine runs them; `changes` is what the remediated resource changes. Paths only, never values.
   */
  readonly remediations?: readonly { readonly policy: string; readonly changed: readonly string[] }[];
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

/** How one cluster's ks-apiserver comes to use the new secret. */
export const Switch = {
  /** A DeploymentPatch the program declares, applied after every config patch of the fleet. */
  restartAfterFleetPatches: "restart-after-fleet-patches",
  /** 3.0–3.2 installer mode: ks-installer re-renders kubesphere-config and restarts ks-apiserver at the end of its run. */
  restartByInstaller: "restart-by-ks-installer",
  /** 3.3/3.4: ks-apiserver reloads kubesphere.yaml by itself once the ConfigMap volume updates (installer mode: after ks-installer re-renders it). */
  reload: "reload",
} as const;
export type Switch = (typeof Switch)[keyof typeof Switch];

export interface ClusterSwitch {
  readonly cluster: string;
  readonly version: string;
  readonly mode: string;
  /** What the update patches: `ClusterConfiguration ks-installer` or `ConfigMap kubesphere-config`. */
  readonly patched: string;
  readonly switch: Switch;
}

/** A value derived from the jwtSecret that a rotation leaves signed with (or equal to) the old one, or that KubeSphere re-creates. */
export interface StaleValue {
  readonly cluster: string;
  /** `Secret kubesphere-system/kubesphere-secret`, `ConfigMap kubesphere-system/kubesphere-config`. */
  readonly object: string;
  /** `token`, `secret`, `kubesphere.yaml: devops.password`. */
  readonly key: string;
  /** `stale`: still signed with (or equal to) the old secret after the update; `re-created`: ks-installer makes it again from the new one. */
  readonly state: "stale" | "re-created";
  readonly why: string;
  /** What to do; absent when KubeSphere takes care of it. */
  readonly fix?: string;
}

/** A change of the fleet's jwtSecret, as `npm run check` shows it. Fingerprints only. */
export interface Rotation {
  readonly from: string;
  readonly to: string;
  /** Clusters whose ks-apiserver restarts, in the order they do: the declared restarts (after every config patch), then ks-installer's. */
  readonly clustersRestarted: readonly string[];
  /** Every cluster of the fleet and how it switches to the new secret. */
  readonly clusters: readonly ClusterSwitch[];
  readonly staleValues: readonly StaleValue[];
}
