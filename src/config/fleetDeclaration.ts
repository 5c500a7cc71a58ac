import type { KubeSphereNames } from "../model/kubernetesObjects";

/** The Pulumi project name, which prefixes every stack config key. */
export const PROJECT = "kubesphere-fleet";

/** The KubeSphere minors this program knows how to configure. */
export const KUBESPHERE_VERSIONS = ["3.0", "3.1", "3.2", "3.3", "3.4", "4.0", "4.1"] as const;
export type KubeSphereVersion = (typeof KUBESPHERE_VERSIONS)[number];

/** A cluster's place in the fleet: exactly one host, any number of members. */
export const FleetRole = { host: "host", member: "member" } as const;
export type FleetRole = (typeof FleetRole)[keyof typeof FleetRole];

/**
 * How the program writes a cluster's auth settings. `installer`: patch ClusterConfiguration ks-installer (3.x, the
 * supported way). `configmap`: edit ConfigMap kubesphere-config in place (3.x the FAQ way, and always on 4.x).
 */
export const ManageMode = { installer: "installer", configmap: "configmap" } as const;
export type ManageMode = (typeof ManageMode)[keyof typeof ManageMode];

/** Where a cluster's kubeconfig came from. `source` is safe to print; `content` is a credential. */
export interface KubeconfigDeclaration {
  /** The kubeconfig YAML (Pulumi's unknown when the offline check cannot decrypt it), or undefined when it is an encrypted stack value that could not be read here. */
  readonly content?: string;
  readonly context?: string;
  /** `~/.kube/host.yaml (/home/me/.kube/host.yaml)` or `kubesphere-fleet:clusters[1].kubeconfig.content`. Never the content. */
  readonly source: string;
}

export interface ClusterDeclaration {
  readonly name: string;
  /** `clusters[1] (member-1)`: how messages name this cluster. */
  readonly label: string;
  readonly role: FleetRole;
  readonly version: KubeSphereVersion;
  readonly mode: ManageMode;
  /**
   * 3.x: the cluster has ClusterConfiguration ks-installer (the default; `ksInstaller: false` for a 3.x installed or
   * kept without it). Then ks-installer re-renders kubesphere-config from it, so configmap mode reads it too.
   */
  readonly ksInstaller: boolean;
  readonly kubeconfig: KubeconfigDeclaration;
}

/** A stack's fleet, validated. */
export interface FleetDeclaration {
  readonly stack: string;
  readonly clusters: readonly ClusterDeclaration[];
  /**
   * The fleet's jwtSecret in clear (`value`), absent when the host's current secret is to be adopted. `encrypted`
   * when the stack holds it as a secure value that could not be decrypted here.
   */
  readonly jwtSecret?: { readonly value: string } | { readonly encrypted: true };
  /** Where `jwtSecret` came from, safe to print; default the stack config key. */
  readonly jwtSecretOrigin?: string;
  /**
   * The SHA-256 fingerprint of the fleet's jwtSecret as the host's stack has it (`sha256:<hex>`, 8 to 64 hex digits),
   * pinned by a stack that holds only members (a shard). The fleet's secret must match it, before any patch.
   */
  readonly hostJwtSecretFingerprint?: string;
  readonly names: KubeSphereNames;
}

export function majorOf(version: KubeSphereVersion): 3 | 4 {
  return version.startsWith("4.") ? 4 : 3;
}

/** The stack's host cluster; undefined in a shard (a stack of members whose host is in another stack). */
export function hostOf(fleet: FleetDeclaration): ClusterDeclaration | undefined {
  return fleet.clusters.find((c) => c.role === FleetRole.host);
}
