import type { Observed } from "./observed";
import type { SecretFacts } from "./secretFacts";

/** `multicluster.clusterRole` / ClusterConfiguration `spec.multicluster.clusterRole` / ks-core `multicluster.role`. */
export const ClusterRole = { host: "host", member: "member", none: "none" } as const;
export type ClusterRole = (typeof ClusterRole)[keyof typeof ClusterRole];

/** Where kubesphere.yaml keeps the auth keys: v3 `authentication.*`, v4 `authentication.issuer.*`. */
export const KubeSphereLayout = { v3: "v3", v4: "v4" } as const;
export type KubeSphereLayout = (typeof KubeSphereLayout)[keyof typeof KubeSphereLayout];

/** ks-apiserver's token cache: in-memory unless a Redis cache is configured. */
export const CacheType = { redis: "redis", inMemory: "in-memory" } as const;
export type CacheType = (typeof CacheType)[keyof typeof CacheType];

/** A place that failed to parse; `where` never quotes the content. */
export interface ParseProblem {
  readonly source: string;
  readonly where: string;
  readonly message: string;
}

/** A key written more than once in one mapping of kubesphere.yaml. Lines are 1-based; never a value. */
export interface RepeatedKey {
  /** Dotted path of the key, e.g. `authentication.oauthOptions.accessTokenMaxAge`. */
  readonly path: string;
  /** Every line the key is written on, in order; the last one is what KubeSphere 3.x reads. */
  readonly lines: readonly number[];
  /** Column of the last occurrence. */
  readonly column: number;
}

/**
 * The auth settings one source makes effective on a cluster: a kubesphere.yaml (ConfigMap), a ClusterConfiguration
 * (rendered by ks-installer), a ks-core Helm release's values, or the kubesphere-secret Secret. Every field says which
 * source and key it came from.
 */
export interface AuthSettings {
  /** Human name of the object, e.g. `ConfigMap kubesphere-system/kubesphere-config`. */
  readonly source: string;
  readonly kind: "config" | "installer" | "helm-values" | "secret";
  readonly layout?: KubeSphereLayout;
  readonly role: Observed<ClusterRole>;
  readonly jwtSecret: Observed<SecretFacts>;
  /** Seconds; 0 means host tokens are accepted without a cache lookup. */
  readonly accessTokenMaxAge: Observed<number>;
  /** Seconds. */
  readonly maximumClockSkew: Observed<number>;
  readonly cache: Observed<CacheType>;
  readonly problems: readonly ParseProblem[];
  /** kubesphere.yaml in the 3.x layout: keys written more than once (ks-apiserver 3.x reads the last of each). */
  readonly repeatedKeys?: readonly RepeatedKey[];
  /** ClusterConfiguration only. */
  readonly installer?: InstallerFacts;
}

/** What a ClusterConfiguration `ks-installer` declares beyond the common settings. */
export interface InstallerFacts {
  /** KubeSphere minor from `metadata.labels.version`, e.g. `3.4`. */
  readonly version?: string;
  /** `spec.multicluster.clusterRole` exactly as declared. */
  readonly clusterRole: Observed<string>;
  /** Keys under `spec.authentication.oauthOptions`, when that section is declared. */
  readonly oauthOptionKeys?: readonly string[];
  /** `spec.authentication.oauthOptions.accessTokenMaxAge`, in seconds. */
  readonly oauthAccessTokenMaxAge: Observed<number>;
}

/** A kubeconfig user's credentials as far as they can be checked offline. */
export interface CredentialFacts {
  /** The kubeconfig user name. */
  readonly user: string;
  /** Where the kubeconfig came from: a file path, a provider, a stack key. Never the content. */
  readonly source: string;
  readonly kind: "client-certificate" | "exec" | "token" | "auth-provider" | "basic" | "none";
  /** ISO 8601 `notAfter` of the client certificate. */
  readonly notAfter?: string;
  readonly notBefore?: string;
  readonly subject?: string;
  /** The certificate could not be read (bad base64 or PEM, missing file): why. */
  readonly unreadable?: string;
}

export interface ApiserverFacts {
  readonly source: string;
  readonly replicas: Observed<number>;
  /** Fields of the wrong type (e.g. `spec.replicas: "many"`): a note about the object, never an exception. */
  readonly problems: readonly ParseProblem[];
}

/** Everything the rules know about one cluster. Built by the pack, the offline check and the live audit alike. */
export interface ClusterView {
  readonly name: string;
  /** KubeSphere minor, e.g. `3.4`, when any source states it. */
  readonly version?: string;
  /**
   * The role the fleet's declaration (a stack) gives the cluster. Used only when no source states one: a 3.0–3.2
   * member's kubesphere.yaml has no `multicluster.clusterRole`.
   */
  readonly declaredRole?: ClusterRole;
  readonly settings: readonly AuthSettings[];
  readonly apiserver: readonly ApiserverFacts[];
  readonly credentials: readonly CredentialFacts[];
}

export interface FleetView {
  readonly clusters: readonly ClusterView[];
}

/**
 * What a rule can read: the KubeSphere objects that carry settings (or a secret), the ks-apiserver Deployment, and the
 * kubeconfigs the clusters are reached with (a Kubernetes provider's).
 */
export const ObjectRead = {
  kubesphereConfig: "kubesphere-config",
  clusterConfiguration: "cluster-configuration",
  kubesphereSecret: "kubesphere-secret",
  ksCoreValues: "ks-core-values",
  ksApiserver: "ks-apiserver",
  kubeconfig: "kubeconfig",
} as const;
export type ObjectRead = (typeof ObjectRead)[keyof typeof ObjectRead];

/**
 * The objects that carry a cluster's KubeSphere settings (role, accessTokenMaxAge, maximumClockSkew, cache): every rule that
 * needs to know which cluster is the host or a member reads them.
 */
export const SETTINGS_SOURCES: readonly ObjectRead[] = [ObjectRead.kubesphereConfig, ObjectRead.clusterConfiguration, ObjectRead.ksCoreValues];
