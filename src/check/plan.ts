import { formatDuration } from "../model/duration";
import type { AuthSettings, ClusterView } from "../model/fleet";
import { lookup } from "../model/lookup";
import type { Observed } from "../model/observed";
import type { SecretFacts } from "../model/secretFacts";
import type { StackResource } from "../pack/fleetFromResources";
import type { ClusterPlan, SettingChange } from "./report";

/** How the stack declares one cluster (from the validated stack config). */
export interface DeclaredCluster {
  readonly name: string;
  readonly role: string;
  readonly version: string;
  readonly mode: string;
}

const DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch";

/**
 * What `pulumi up` would change on one cluster: live settings (from the snapshot) against the desired ones (from the
 * resources the program declares). Values are fingerprints and durations only.
 */
export function planCluster(
  declared: DeclaredCluster,
  live: ClusterView | undefined,
  desired: ClusterView | undefined,
  resources: readonly StackResource[],
  liveObjects: readonly { kind?: unknown; metadata?: unknown; spec?: unknown }[],
): ClusterPlan {
  const unreadable = live !== undefined && live.settings.some((s) => s.problems.length > 0);
  const liveSecret = describeSecret(effective(live, "jwtSecret"), unreadable);
  const desiredSecretObservation = effective(desired, "jwtSecret");
  const desiredSecret = desiredSecretObservation ? describeSecret(desiredSecretObservation, false) : liveSecret;
  const liveMaxAge = describeMaxAge(effective(live, "accessTokenMaxAge"), live);
  const desiredMaxAgeObservation = effective(desired, "accessTokenMaxAge");
  const desiredMaxAge = desiredMaxAgeObservation && desiredMaxAgeObservation.state !== "absent" ? describeMaxAge(desiredMaxAgeObservation, desired) : liveMaxAge;
  const restart = restartDeclared(resources, liveObjects);
  const changes: SettingChange[] = [];
  if (liveSecret !== desiredSecret) changes.push({ setting: "jwtSecret", live: liveSecret, desired: desiredSecret });
  if (liveMaxAge !== desiredMaxAge) changes.push({ setting: "accessTokenMaxAge", live: liveMaxAge, desired: desiredMaxAge });
  const liveRole = roleText(effective(live, "role"));
  if (liveRole !== "unknown" && liveRole !== declared.role) changes.push({ setting: "clusterRole", live: liveRole, desired: declared.role });
  if (restart) changes.push({ setting: "restart", live: "running", desired: "ks-apiserver restarted" });
  return {
    name: declared.name,
    role: declared.role,
    version: declared.version,
    mode: declared.mode,
    jwtSecret: { live: liveSecret, desired: desiredSecret },
    accessTokenMaxAge: { live: liveMaxAge, desired: desiredMaxAge },
    restart,
    changes,
  };
}

/**
 * The observation that decides a setting on a cluster: what ks-apiserver reads (kubesphere-config) first, then what
 * renders it (ClusterConfiguration, ks-core values), then kubesphere-secret. Unknown beats absent.
 */
function effective<K extends "jwtSecret" | "accessTokenMaxAge" | "role">(view: ClusterView | undefined, key: K): AuthSettings[K] | undefined {
  if (!view) return undefined;
  const order: AuthSettings["kind"][] = ["config", "installer", "helm-values", "secret"];
  const sorted = [...view.settings].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return (sorted.find((s) => s[key].state === "known")?.[key] ?? sorted.find((s) => s[key].state === "unknown")?.[key] ?? sorted[0]?.[key]) as AuthSettings[K] | undefined;
}

function describeSecret(observation: Observed<SecretFacts> | undefined, unreadable: boolean): string {
  if (!observation || observation.state === "absent") return unreadable ? "unreadable" : "none";
  if (observation.state === "unknown") return "unknown";
  return observation.value.fingerprint;
}

function describeMaxAge(observation: Observed<number> | undefined, view: ClusterView | undefined): string {
  if (!observation) return view ? "unset" : "unknown";
  if (observation.state === "unknown") return "unknown";
  if (observation.state === "absent") return "unset (2h default)";
  return formatDuration(observation.value);
}

function roleText(observation: Observed<string> | undefined): string {
  return observation?.state === "known" ? observation.value : "unknown";
}

/** A declared DeploymentPatch whose pod-template annotations differ from the live ks-apiserver's restarts it. */
function restartDeclared(resources: readonly StackResource[], liveObjects: readonly { kind?: unknown; metadata?: unknown; spec?: unknown }[]): boolean {
  const patch = resources.find((r) => r.type === DEPLOYMENT_PATCH);
  if (!patch) return false;
  const wanted = lookup(patch.props, ["spec", "template", "metadata", "annotations"]);
  if (wanted.state !== "known" || typeof wanted.value !== "object") return true;
  const patchName = knownText(lookup(patch.props, ["metadata", "name"])) ?? "ks-apiserver";
  const deployment = liveObjects.find((o) => o.kind === "Deployment" && knownText(lookup(o.metadata, ["name"])) === patchName);
  if (!deployment) return true;
  const current = lookup(deployment.spec, ["template", "metadata", "annotations"]);
  const currentMap = current.state === "known" && typeof current.value === "object" ? (current.value as Record<string, unknown>) : {};
  return Object.entries(wanted.value as Record<string, unknown>).some(([k, v]) => currentMap[k] !== v);
}

function knownText(found: ReturnType<typeof lookup>): string | undefined {
  return found.state === "known" ? String(found.value) : undefined;
}
