import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KUBESPHERE_FLEET_TYPE, type KubeSphereFleetArgs as FleetArgs } from "../component/kubeSphereFleet";
import type { FleetRole, ManageMode } from "../config/fleetDeclaration";
import { declareFleet, type FleetOutputs } from "../program/fleetProgram";

export { KUBESPHERE_FLEET_TYPE };
import { valueOf } from "../program/readLive";

// `KubeSphereFleet` as the Pulumi component package serves it to Python, Go, YAML, … programs. The SDK's analyzer
// builds the package schema from this file's TypeScript types, so they are the ones it understands: mutable arrays,
// enums written as `as const` objects, plain strings. The component is the same one TypeScript programs use:
// `declareFleet` with the same validation and messages, its patches children of this resource.

/** One cluster of the fleet, and how to reach it: exactly one of `provider` or `kubeconfig`. */
export interface KubeSphereFleetCluster {
  /** The cluster's name in the fleet (a DNS-1123 label, unique across every stack of the fleet). Children are named after it. */
  name: string;
  /** Exactly one host per fleet: `host` or `member`. */
  role: FleetRole;
  /** KubeSphere minor: "3.0", "3.1", "3.2", "3.3", "3.4", "4.0" or "4.1". Decides the layout and the version quirks. */
  version: string;
  /** 3.x only: `installer` (default; patch ClusterConfiguration ks-installer) or `configmap` (patch kubesphere-config). */
  manage?: ManageMode;
  /** 3.x only: false for a cluster without ClusterConfiguration ks-installer (then `manage: configmap`). Default true. */
  ksInstaller?: boolean;
  /** The cluster's Kubernetes provider, when your program already has one (EKS, K3s, …). */
  provider?: k8s.Provider;
  /** The cluster's kubeconfig text (a secret, or an output of the resource that made the cluster); the component makes the provider. */
  kubeconfig?: pulumi.Input<string>;
  /** With `kubeconfig`: the context to use (default: its current-context). */
  context?: string;
}

export interface KubeSphereFleetArgs {
  /** Every cluster of the fleet that this stack manages. */
  clusters: KubeSphereFleetCluster[];
  /** The fleet's jwtSecret (at least 32 characters), e.g. from stack config fed by a Pulumi ESC environment. Kept secret everywhere. Absent: adopt the host's current one. */
  jwtSecret?: pulumi.Input<string>;
  /** In a stack whose host lives in another stack (a shard of members): the host stack's jwtSecret fingerprint, `sha256:<hex>`. A jwtSecret with another fingerprint is refused before any patch. */
  hostJwtSecretFingerprint?: string;
  /** For rebranded distributions; default `kubesphere-system`. */
  namespace?: string;
  /** For rebranded distributions; default `kubesphere-config`. */
  configMap?: string;
  /** What `jwtSecretSource` says the secret came from, e.g. `ESC environment acme/kubesphere/fleet`. */
  jwtSecretOrigin?: string;
}

/** What the fleet applied to one cluster. Never the secret. */
export interface KubeSphereFleetClusterSummary {
  role: FleetRole;
  version: string;
  mode: ManageMode;
  /** A short fingerprint of the cluster's jwtSecret, never the secret. */
  jwtSecretFingerprint: string;
  /** The effective accessTokenMaxAge (0s on every member). */
  accessTokenMaxAge: string;
}

/**
 * Inputs that hold credentials, which the schema must mark `secret` so that every generated SDK wraps them as secrets.
 * The SDK's analyzer cannot say so itself (it has no notion of secrets); `completeSchema` adds the marks and fails
 * if a property named here is missing from the schema.
 */
export const SECRET_INPUTS = {
  [KUBESPHERE_FLEET_TYPE]: ["jwtSecret"],
  "kubesphere-fleet:index:KubeSphereFleetCluster": ["kubeconfig"],
} as const satisfies Record<string, readonly string[]>;

const declarations = new WeakMap<KubeSphereFleet, Promise<FleetOutputs>>();

/** Resolves when `fleet` is declared; rejects with the `RunError` that names every problem, and then nothing was patched. */
export function declaredFleet(fleet: KubeSphereFleet): Promise<FleetOutputs> {
  return declarations.get(fleet)!;
}

/**
 * A KubeSphere fleet's authentication settings on every cluster, from one secret: a patch per cluster (ClusterConfiguration
 * ks-installer, or kubesphere-config and a ks-apiserver restart where the version needs one), each a child of this
 * component. Bad args or a cluster that cannot be planned fail the update with one message naming the cluster, the
 * key and the fix, and nothing is patched.
 */
export class KubeSphereFleet extends pulumi.ComponentResource {
  /** Per cluster: role, version, mode, jwtSecret fingerprint and effective accessTokenMaxAge. Never the secret. */
  readonly clusters: pulumi.Output<Record<string, KubeSphereFleetClusterSummary>>;
  /** Where the fleet's secret came from (this argument, or the host object it was adopted from). Never the secret. */
  readonly jwtSecretSource: pulumi.Output<string>;

  constructor(name: string, args: KubeSphereFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    // No inputs registered: they hold the secret and the kubeconfigs.
    super(KUBESPHERE_FLEET_TYPE, name, {}, opts);
    // Only `version` differs in type (a string here, KubeSphereVersion there); declareFleet validates it and every
    // other arg at run time, as args from another language need anyway.
    const declared = listOfClusters(args.clusters).then((clusters) => declareFleet(this, name, { ...args, clusters } as unknown as FleetArgs));
    declarations.set(this, declared);
    // Outputs that never reject: a rejected Output leaves rejected promises inside it that nothing awaits, which the
    // provider would report as unhandled, with their stack traces. The failure reaches the engine as the failed
    // Construct, which awaits `declaredFleet`.
    const settled = declared.catch((): FleetOutputs => ({ clusters: {}, jwtSecretSource: "none" }));
    this.clusters = pulumi.output(settled.then((o) => o.clusters));
    this.jwtSecretSource = pulumi.output(settled.then((o) => o.jwtSecretSource));
    declared.then(
      (o) => this.registerOutputs({ clusters: o.clusters, jwtSecretSource: o.jwtSecretSource }),
      () => undefined,
    );
  }
}

/**
 * The clusters as a list. Construct passes a kubeconfig output inside `clusters` as an output when the caller's SDK
 * sends output values; one that does not sends the whole list as one secret value, which arrives as an Output: then
 * the list is read from it and every kubeconfig made a secret again.
 */
async function listOfClusters(clusters: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(clusters)) return clusters;
  const list: unknown = await valueOf(clusters);
  // Not known during preview: the component says so and plans at up.
  if (list === undefined && pulumi.runtime.isDryRun()) return clusters;
  if (!Array.isArray(list)) return list;
  return list.map((c: unknown) => (c !== null && typeof c === "object" && "kubeconfig" in c && c.kubeconfig !== undefined ? { ...c, kubeconfig: pulumi.secret(c.kubeconfig) } : c));
}
