import type { ClusterRole } from "../model/fleet";
import { formatDuration } from "../model/duration";
import type { KubeSphereNames } from "../model/kubernetesObjects";
import { secretFacts } from "../model/secretFacts";
import { isUnknownValue } from "../model/unknownValue";
import type { ClusterDeclaration, FleetRole, ManageMode } from "../config/fleetDeclaration";

/** The pod-template annotation whose change restarts ks-apiserver. */
export const RESTART_ANNOTATION = "kubesphere-fleet/auth-settings";

/** The restart annotation as a Pulumi property path (for `ignoreChanges`). */
export const RESTART_ANNOTATION_PATH = `spec.template.metadata.annotations["${RESTART_ANNOTATION}"]`;

export interface InstallerPatch {
  /** `spec` for ClusterConfiguration ks-installer; `authentication.jwtSecret` holds the secret in clear. */
  readonly spec: {
    readonly authentication: { readonly jwtSecret: string; readonly oauthOptions?: { readonly accessTokenMaxAge: 0 } };
    readonly multicluster: { readonly clusterRole: ClusterRole };
  };
}

/**
 * A 3.x cluster's live ClusterConfiguration fields that ks-installer renders the auth settings from, as they are
 * (`authentication.jwtSecret` may hold a secret). Declared as a no-op server-side apply so that the engine, and so
 * the policies, see what ks-installer's next run would write over a `manage: configmap` edit.
 */
export interface InstallerObservation {
  readonly labels?: { readonly version: string };
  readonly spec: {
    readonly authentication?: { readonly jwtSecret?: string; readonly oauthOptions?: { readonly accessTokenMaxAge?: unknown } };
    readonly multicluster?: { readonly clusterRole: string };
  };
}

/** Safe to print and to export: no secret. */
export interface ClusterSummary {
  readonly role: FleetRole;
  readonly version: string;
  readonly mode: ManageMode;
  readonly jwtSecretFingerprint: string;
  readonly accessTokenMaxAge: string;
}

export interface ClusterPlan {
  readonly cluster: ClusterDeclaration;
  readonly installerPatch?: InstallerPatch;
  /** `manage: configmap` on 3.x with ks-installer: the ClusterConfiguration's auth fields, handed to the engine as they are. */
  readonly installerObservation?: InstallerObservation;
  /** The whole edited kubesphere.yaml (it holds the secret) and which keys changed. */
  readonly configMapPatch?: { readonly kubesphereYaml: string; readonly changedKeys: readonly string[] };
  /** ks-apiserver pod-template annotation value, derived from the applied settings (a digest, never the secret). */
  /**
   * The ks-apiserver restart annotation. `keepCurrent`: nothing changes in the ConfigMap, so whatever value the last
   * `pulumi up` applied stays (the DeploymentPatch ignores changes to it) and nothing restarts.
   */
  readonly restart?: { readonly annotation: string; readonly keepCurrent: boolean };
  readonly summary: ClusterSummary;
}

export interface FleetPlan {
  readonly plans: readonly ClusterPlan[];
  /** Where the fleet's secret came from: the stack, or the host object it was adopted from. */
  readonly jwtSecretSource: string;
  /** Clear messages, each naming stack, cluster, object/key and fix. Empty when the plan can be declared. */
  readonly errors: readonly string[];
}

/** ks-apiserver's built-in accessTokenMaxAge when kubesphere.yaml leaves it out (3.x and 4.x). */
const APISERVER_DEFAULT_MAX_AGE = "2h (ks-apiserver default)";

/** What planning one cluster needs; problems go to `errors`. */
export interface PlanContext {
  readonly cluster: ClusterDeclaration;
  readonly names: KubeSphereNames;
  /** The fleet's jwtSecret in clear. */
  readonly secret: string;
  /** `Stack 'dev', clusters[1] (member-1)`. */
  readonly where: string;
  readonly errors: string[];
}

/** A summary's fields that do not depend on the mode. */
export function summaryBase(context: PlanContext): Omit<ClusterSummary, "accessTokenMaxAge"> {
  const { cluster, secret } = context;
  const fingerprint = isUnknownValue(secret) ? "unknown (not decrypted here)" : secretFacts(secret).fingerprint;
  return { role: cluster.role, version: cluster.version, mode: cluster.mode, jwtSecretFingerprint: fingerprint };
}

/** An accessTokenMaxAge observation (seconds) as shown in stack outputs. */
export function effectiveMaxAge(observed: { state: string; value?: unknown }): string {
  return observed.state === "known" && typeof observed.value === "number" ? formatDuration(observed.value) : APISERVER_DEFAULT_MAX_AGE;
}
