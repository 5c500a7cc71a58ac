import { formatDuration } from "../model/duration";
import type { AuthSettings, ClusterView } from "../model/fleet";
import { CLUSTER_CONFIGURATION, changesSpec, mergeSpec, readClusterConfiguration } from "../model/installerConfig";
import { factsFromObject, type KubeSphereNames, type KubernetesObject } from "../model/kubernetesObjects";
import { AUTH_PATHS } from "../model/kubesphereConfig";
import { isPlainObject, lookup } from "../model/lookup";
import type { Observed } from "../model/observed";
import { secretFacts, type SecretFacts } from "../model/secretFacts";
import { isUnknownValue } from "../model/unknownValue";
import { kindOfType } from "../pack/resourceTypes";
import type { ClusterPlan, ResourceChange, ResourcePlan, SettingChange } from "./report";

/** How the stack declares one cluster (from the validated stack config). */
export interface DeclaredCluster {
  readonly name: string;
  readonly role: string;
  readonly version: string;
  readonly mode: string;
}

/** A resource the program declared for the cluster, with the inputs it sends (secrets in clear, never printed). */
export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  /** The resource keeps its restart annotation at the last applied value (`ignoreChanges`), so it restarts nothing. */
  readonly held: boolean;
}

type Setting = SettingChange["setting"];
type Values = Record<Exclude<Setting, "restart">, string>;

/**
 * What `pulumi up` would change on one cluster, read off the resources the program declares: each resource's
 * changes against the live objects (from the snapshot), and the settings ks-apiserver ends up with. A setting only
 * changes when a declared resource changes it: a kubesphere-config patch directly, a ClusterConfiguration patch
 * through ks-installer, and that only when the patch changes something under `.spec` (ks-installer's hook has
 * `"jqFilter": ".spec"`, kubesphere/ks-installer `controller/installRunner.py`). Values are fingerprints and
 * durations only.
 */
export function planCluster(
  declared: DeclaredCluster,
  live: ClusterView | undefined,
  resources: readonly DeclaredResource[],
  liveObjects: readonly KubernetesObject[],
  names: KubeSphereNames,
): ClusterPlan {
  const unreadable = live !== undefined && live.settings.some((s) => s.problems.length > 0);
  const liveRole = effective(live, "role");
  const liveValues: Values = {
    jwtSecret: describeSecret(effective(live, "jwtSecret"), unreadable),
    accessTokenMaxAge: describeMaxAge(effective(live, "accessTokenMaxAge"), live),
    clusterRole: liveRole?.state === "known" ? liveRole.value : "unknown",
  };
  // Only a kubesphere.yaml that writes multicluster.clusterRole (3.3+, 4.x) changes a role by being rewritten.
  const liveConfigHasRole = liveRole?.state === "known" && liveRole.source.endsWith("multicluster.clusterRole");
  const context: ResourceContext = { liveValues, liveConfigHasRole, liveObjects, names };
  const plans = resources.map((r) => planResource(r, context));

  // ks-installer's rendering lands first, then a kubesphere-config patch (ks-installer renders the same values).
  const desired: Values = { ...liveValues };
  const order = (p: ResourcePlan) => (p.type.endsWith(":ConfigMapPatch") || p.type.endsWith(":ConfigMap") ? 1 : 0);
  for (const plan of [...plans].sort((a, b) => order(a) - order(b))) {
    for (const change of plan.changes) if (change.setting && change.setting !== "restart") desired[change.setting] = change.desired;
  }
  const restart = plans.some((p) => p.changes.some((c) => c.setting === "restart"));
  const changes: SettingChange[] = [];
  for (const setting of ["jwtSecret", "accessTokenMaxAge", "clusterRole"] as const) {
    if (liveValues[setting] !== desired[setting]) changes.push({ setting, live: liveValues[setting], desired: desired[setting] });
  }
  if (restart) changes.push({ setting: "restart", live: "running", desired: "ks-apiserver restarted" });
  return {
    name: declared.name,
    role: declared.role,
    version: declared.version,
    mode: declared.mode,
    jwtSecret: { live: liveValues.jwtSecret, desired: desired.jwtSecret },
    accessTokenMaxAge: { live: liveValues.accessTokenMaxAge, desired: desired.accessTokenMaxAge },
    restart,
    changes,
    resources: plans,
  };
}

interface ResourceContext {
  readonly liveValues: Values;
  readonly liveConfigHasRole: boolean;
  readonly liveObjects: readonly KubernetesObject[];
  readonly names: KubeSphereNames;
}

function planResource(resource: DeclaredResource, context: ResourceContext): ResourcePlan {
  const kind = kindOfType(resource.type);
  const name = text(lookup(resource.props, ["metadata", "name"]));
  const namespace = text(lookup(resource.props, ["metadata", "namespace"])) ?? context.names.namespace;
  const base = { type: resource.type, name: resource.name, object: `${kind ?? resource.type} ${namespace}/${name ?? resource.name}` };
  switch (kind) {
    case "ConfigMap":
      return { ...base, changes: configMapChanges(resource, context) };
    case CLUSTER_CONFIGURATION.kind:
      return { ...base, ...installerChanges(resource, context) };
    case "Deployment":
      if (resource.held) return { ...base, changes: [], note: "holds the restart annotation at its last applied value: nothing restarts" };
      return { ...base, changes: restartChanges(resource, context.liveObjects) };
    default:
      return { ...base, changes: [] };
  }
}

/** A kubesphere-config patch: the settings its kubesphere.yaml holds, against the live ones. */
function configMapChanges(resource: DeclaredResource, context: ResourceContext): ResourceChange[] {
  const facts = factsFromObject(resource.props as KubernetesObject, context.names, "ConfigMap");
  if (!facts || !("settings" in facts)) return [];
  const settings = facts.settings;
  const paths = AUTH_PATHS[settings.layout ?? "v3"];
  const written: Partial<Values> = {
    jwtSecret: describeSecret(settings.jwtSecret, false),
    accessTokenMaxAge: describeMaxAge(settings.accessTokenMaxAge, undefined),
    ...(context.liveConfigHasRole && settings.role.state === "known" ? { clusterRole: settings.role.value } : {}),
  };
  const keys: Values = { jwtSecret: paths.jwtSecret.join("."), accessTokenMaxAge: paths.accessTokenMaxAge.join("."), clusterRole: "multicluster.clusterRole" };
  return settingChanges(written, context.liveValues, (setting) => keys[setting]);
}

/**
 * A ClusterConfiguration patch: the `.spec` fields it changes, and, only when it changes any, what ks-installer then
 * renders into kubesphere-config.
 */
function installerChanges(resource: DeclaredResource, context: ResourceContext): { changes: ResourceChange[]; note?: string } {
  const live = context.liveObjects.find((o) => o.kind === CLUSTER_CONFIGURATION.kind);
  const spec = resource.props["spec"];
  const specChanges: ResourceChange[] = leaves(spec, ["spec"])
    .filter(([path, value]) => {
      const current = lookup(live, path);
      return changesSpec(current.state === "known" ? current.value : undefined, value);
    })
    .map(([path, value]) => ({ key: path.join("."), live: describeLeaf(path, lookup(live, path)), desired: describeLeaf(path, { state: "known", value }) }));
  if (specChanges.length === 0) {
    return { changes: [], note: "changes nothing under .spec, so ks-installer does not render kubesphere-config again" };
  }
  const rendered = readClusterConfiguration({ metadata: live?.metadata ?? resource.props["metadata"], spec: mergeSpec(live?.spec, spec) }, "ClusterConfiguration");
  const written: Partial<Values> = {
    ...(rendered.jwtSecret.state === "absent" ? {} : { jwtSecret: describeSecret(rendered.jwtSecret, false) }),
    ...(rendered.accessTokenMaxAge.state === "unknown" ? {} : { accessTokenMaxAge: describeMaxAge(rendered.accessTokenMaxAge, undefined) }),
    ...(context.liveConfigHasRole && rendered.role.state === "known" ? { clusterRole: rendered.role.value } : {}),
  };
  const rerendered = settingChanges(written, context.liveValues, (setting) => `kubesphere-config ${setting} (ks-installer renders it again: .spec changes)`);
  return { changes: [...specChanges, ...rerendered] };
}

function settingChanges(written: Partial<Values>, live: Values, keyOf: (setting: keyof Values) => string): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const setting of ["jwtSecret", "accessTokenMaxAge", "clusterRole"] as const) {
    const value = written[setting];
    if (value !== undefined && value !== live[setting]) changes.push({ setting, key: keyOf(setting), live: live[setting], desired: value });
  }
  return changes;
}

/** A ks-apiserver DeploymentPatch whose pod-template annotations differ from the live Deployment's restarts it. */
function restartChanges(resource: DeclaredResource, liveObjects: readonly KubernetesObject[]): ResourceChange[] {
  const wanted = lookup(resource.props, ["spec", "template", "metadata", "annotations"]);
  const name = text(lookup(resource.props, ["metadata", "name"])) ?? "ks-apiserver";
  const deployment = liveObjects.find((o) => o.kind === "Deployment" && text(lookup(o.metadata, ["name"])) === name);
  const current = lookup(deployment?.spec, ["template", "metadata", "annotations"]);
  const currentMap = current.state === "known" && isPlainObject(current.value) ? current.value : {};
  const differs = !(wanted.state === "known" && isPlainObject(wanted.value)) || Object.entries(wanted.value).some(([k, v]) => currentMap[k] !== v);
  return differs ? [{ setting: "restart", key: "spec.template.metadata.annotations", live: "running", desired: "ks-apiserver restarted" }] : [];
}

/**
 * The observation that decides a setting on a live cluster: what ks-apiserver reads (kubesphere-config) first, then
 * what renders it (ClusterConfiguration, ks-core values), then kubesphere-secret. Unknown beats absent.
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

/** Every leaf of a patch's spec with its path; lists are leaves. */
function leaves(value: unknown, path: string[]): Array<[string[], unknown]> {
  if (!isPlainObject(value) || isUnknownValue(value)) return [[path, value]];
  const entries = Object.entries(value);
  if (entries.length === 0) return [[path, value]];
  return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
}

/** A spec value as the plan shows it: a fingerprint for a jwtSecret, `absent`, `unknown`, or the value as JSON. */
function describeLeaf(path: readonly string[], found: { state: string; value?: unknown }): string {
  if (found.state === "absent" || found.value === undefined) return "absent";
  if (found.state === "unknown" || isUnknownValue(found.value)) return "unknown";
  if (path[path.length - 1] === "jwtSecret") return typeof found.value === "string" && found.value !== "" ? secretFacts(found.value).fingerprint : "none";
  return typeof found.value === "string" ? found.value : JSON.stringify(found.value);
}

function text(found: ReturnType<typeof lookup>): string | undefined {
  return found.state === "known" ? String(found.value) : undefined;
}
