import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetRole, KubeSphereVersion, ManageMode } from "../config/fleetDeclaration";
import type { ClusterSummary } from "../program/clusterPlan";
import { declareFleet, type FleetOutputs } from "../program/fleetProgram";

/** The component's type token: `<package>:<module>:<type>`, as `pulumi stack` and a multi-language schema show it. */
export const KUBESPHERE_FLEET_TYPE = "kubesphere-fleet:index:KubeSphereFleet";

/** One cluster of the fleet, and how to reach it: exactly one of `provider` or `kubeconfig`. */
export interface KubeSphereFleetCluster {
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
  /** The cluster's provider, when your program already has one (EKS, K3s, …). */
  readonly provider?: k8s.Provider;
  /** The cluster's kubeconfig text (a secret, or an Output of the resource that made the cluster); the component makes the provider. */
  readonly kubeconfig?: pulumi.Input<string>;
  /** With `kubeconfig`: the context to use (default: its current-context). */
  readonly context?: string;
}

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

/**
 * A KubeSphere fleet's authentication settings on every cluster, from one secret: a patch per cluster (ClusterConfiguration
 * ks-installer, or kubesphere-config and a ks-apiserver restart where the version needs one), each a child of this
 * component. Every read and check happens before any patch is declared: bad args or a cluster that cannot be planned
 * fail the update with one message naming the stack, the cluster, the key and the fix, and nothing is patched.
 *
 * ```ts
 * const fleet = new KubeSphereFleet("fleet", {
 *   clusters: [
 *     { name: "host", role: "host", version: "3.4", provider: hostProvider },
 *     { name: "edge-1", role: "member", version: "4.1", kubeconfig: edge.kubeconfig },
 *   ],
 *   jwtSecret: new pulumi.Config().requireSecret("jwtSecret"),
 * });
 * export const clusters = fleet.clusters;
 * ```
 */
export class KubeSphereFleet extends pulumi.ComponentResource {
  /** Per cluster: role, version, mode, jwtSecret fingerprint and effective accessTokenMaxAge. Never the secret. */
  readonly clusters: pulumi.Output<Record<string, ClusterSummary>>;
  /** Where the fleet's secret came from (stack config, or the host object it was adopted from). Never the secret. */
  readonly jwtSecretSource: pulumi.Output<string>;
  private readonly declaration: Promise<FleetOutputs>;
  private awaited = false;

  constructor(name: string, args: KubeSphereFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    // No inputs: the args hold the secret and the kubeconfigs, and a component's inputs are stored in clear.
    super(KUBESPHERE_FLEET_TYPE, name, {}, opts);
    this.declaration = declareFleet(this, name, args).then((outputs) => {
      this.registerOutputs({ clusters: outputs.clusters, jwtSecretSource: outputs.jwtSecretSource });
      return outputs;
    });
    // A fleet that cannot be declared fails the update with its RunError (one message, no stack trace), reported
    // by the SDK's handler of unhandled rejections unless a caller awaits `declared()` and reports it itself. The
    // outputs then stay empty instead of failing a second time.
    this.declaration.catch((error: unknown) => {
      if (!this.awaited) throw error;
    });
    const settled = this.declaration.catch((): FleetOutputs => ({ clusters: {}, jwtSecretSource: "none" }));
    this.clusters = pulumi.output(settled.then((o) => o.clusters));
    this.jwtSecretSource = pulumi.output(settled.then((o) => o.jwtSecretSource));
  }

  /** @internal The declared fleet's outputs; rejects with the `RunError`, which the caller then reports. */
  declared(): Promise<FleetOutputs> {
    this.awaited = true;
    return this.declaration;
  }
}
