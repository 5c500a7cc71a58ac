// The component's arguments, apart from the component itself so that what implements it (src/program) reads them
// without importing the component back.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { FleetRole, KubeSphereVersion, ManageMode } from "../config/fleetDeclaration";

/** What every cluster of the fleet states, however it is reached. */
interface FleetClusterBase {
  /** The cluster's name in the fleet (a DNS-1123 label, unique across every stack of the fleet). Children are named after it. */
  readonly name: string;
  /** Exactly one host per fleet. A component without one is a shard: give `jwtSecret` and/or `hostJwtSecretFingerprint`. */
  readonly role: FleetRole;
  /** KubeSphere minor: "3.0" … "3.4", "4.0", "4.1". Decides the layout and the version quirks. */
  readonly version: KubeSphereVersion;
  /** 3.x only: `installer` (default; patch ClusterConfiguration ks-installer) or `configmap` (patch kubesphere-config). */
  readonly manage?: ManageMode;
  /** 3.x only: false for a cluster without ClusterConfiguration ks-installer (then `manage: configmap`). Default true. */
  readonly ksInstaller?: boolean;
}

/** A cluster reached through a provider your program already has (EKS, K3s, …). */
export interface ClusterByProvider extends FleetClusterBase {
  /** The cluster's provider. */
  readonly provider: k8s.Provider;
  readonly kubeconfig?: never;
  readonly context?: never;
}

/** A cluster reached by its kubeconfig: the component makes the provider. */
export interface ClusterByKubeconfig extends FleetClusterBase {
  readonly provider?: never;
  /** The cluster's kubeconfig text (a secret, or an Output of the resource that made the cluster). */
  readonly kubeconfig: pulumi.Input<string>;
  /** The context to use (default: the kubeconfig's current-context). */
  readonly context?: string;
}

/**
 * One cluster of the fleet, and how to reach it: exactly one of `provider` or `kubeconfig`. Giving both, or
 * neither, does not compile.
 */
export type KubeSphereFleetCluster = ClusterByProvider | ClusterByKubeconfig;

export interface KubeSphereFleetArgs {
  readonly clusters: readonly KubeSphereFleetCluster[];
  /**
   * The fleet's jwtSecret (at least 32 characters), e.g. `config.requireSecret("jwtSecret")` fed by a Pulumi ESC
   * environment. Kept secret everywhere. Absent: adopt the host's current one.
   */
  readonly jwtSecret?: pulumi.Input<string>;
  /**
   * For a fleet split over several stacks, in a stack whose host lives in another one (a shard of members): the
   * SHA-256 fingerprint of the host stack's jwtSecret (`sha256:<hex>`, at least 8 hex digits, as the host stack's
   * `clusters` output and `npm run check` show it). A `jwtSecret` with another fingerprint is refused before any
   * patch; without `jwtSecret`, the member that already holds the pinned secret gives it to the others.
   */
  readonly hostJwtSecretFingerprint?: string;
  /** For rebranded distributions; default `kubesphere-system`. */
  readonly namespace?: string;
  /** For rebranded distributions; default `kubesphere-config`. */
  readonly configMap?: string;
  /** What `jwtSecretSource` says the secret came from, e.g. `ESC environment acme/kubesphere/fleet`. Default: this argument. */
  readonly jwtSecretOrigin?: string;
  /**
   * Alias every child to the same resource without a parent, so a stack made by the program before it used this
   * component keeps its resources instead of replacing them.
   * @internal
   */
  readonly adoptUnparented?: boolean;
}
