import * as pulumi from "@pulumi/pulumi";
import type { ClusterSummary } from "../program/clusterPlan";
import { declareFleet, type FleetOutputs } from "../program/fleetProgram";
import type { KubeSphereFleetArgs } from "./kubeSphereFleetArgs";

export type { ClusterByKubeconfig, ClusterByProvider, KubeSphereFleetArgs, KubeSphereFleetCluster } from "./kubeSphereFleetArgs";
export type { FleetOutputs } from "../program/fleetProgram";

/** The component's type token: `<package>:<module>:<type>`, as `pulumi stack` and a multi-language schema show it. */
export const KUBESPHERE_FLEET_TYPE = "kubesphere-fleet:index:KubeSphereFleet";

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
    this.declaration = declareFleet(this, name, args);
    // A fleet that cannot be declared fails the update with its RunError (one message, no stack trace), reported
    // by the SDK's handler of unhandled rejections unless a caller awaits `declared()` and so takes it over. The
    // outputs then stay empty instead of failing a second time.
    this.declaration.catch((error: unknown) => {
      if (!this.awaited) throw error;
    });
    const settled = this.declaration.catch((): FleetOutputs => ({ clusters: {}, jwtSecretSource: "none" }));
    this.clusters = pulumi.output(settled.then((o) => o.clusters));
    this.jwtSecretSource = pulumi.output(settled.then((o) => o.jwtSecretSource));
    // Now, not once declared: the SDK registers a component's outputs itself, empty, once `initialize` settles
    // (@pulumi/pulumi 3.248.0 resource.js ComponentResource.initializeAndRegisterOutputs), and ignores every later
    // registerOutputs; called later, the stack state and the check (--program) got no `clusters`.
    this.registerOutputs({ clusters: this.clusters, jwtSecretSource: this.jwtSecretSource });
  }

  /**
   * The declared fleet: resolves once every cluster was read and every patch declared, with what `clusters` and
   * `jwtSecretSource` then hold; rejects with the `RunError` that names the stack, the cluster, the key and the fix
   * when the fleet cannot be declared (bad args, a cluster that cannot be planned). Made for tests of your own
   * program under Pulumi's mocks:
   *
   * ```ts
   * await assert.rejects(new KubeSphereFleet("fleet", badArgs).declared(), /clusters\[0\]\.version/);
   * ```
   *
   * Calling it hands the error to you: the update no longer fails on its own, so rethrow it (or let your program's
   * async entry point reject) when you call it in a program.
   */
  declared(): Promise<FleetOutputs> {
    this.awaited = true;
    return this.declaration;
  }
}
