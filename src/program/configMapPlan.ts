import { PROJECT, FleetRole, majorOf } from "../config/fleetDeclaration";
import { editKubesphereYaml, type KubesphereYamlChange } from "../model/editKubesphereYaml";
import { ClusterRole } from "../model/fleet";
import { CLUSTER_CONFIGURATION } from "../model/installerConfig";
import { isPlainObject, lookup } from "../model/lookup";
import { KUBESPHERE_CONFIG_KEY, readKubesphereConfig } from "../model/kubesphereConfig";
import { secretFacts, sha256Hex } from "../model/secretFacts";
import { effectiveMaxAge, summaryBase, type ClusterPlan, type InstallerObservation, type PlanContext } from "./clusterPlan";
import { kubesphereYamlOf, type LiveCluster } from "./liveCluster";

/** Versions whose ks-apiserver reads kubesphere.yaml only at start: 3.0–3.2 (3.3+ watch the file) and 4.x. */
function needsRestart(version: string): boolean {
  return majorOf(version as Parameters<typeof majorOf>[0]) === 4 || ["3.0", "3.1", "3.2"].includes(version);
}

/** The live kubesphere.yaml with a change applied, as a patch would write it. */
export interface LiveConfigEdit {
  readonly configMapPatch: { readonly kubesphereYaml: string; readonly changedKeys: readonly string[] };
  readonly restart?: { readonly annotation: string; readonly keepCurrent: boolean };
  /** accessTokenMaxAge as the edited config makes it effective, for the stack outputs. */
  readonly accessTokenMaxAge: string;
}

/**
 * The live kubesphere.yaml with only `change` applied, and a ks-apiserver restart annotation where the version
 * needs one. The annotation is a digest of the applied settings. When the edit changes the live config (drift being
 * corrected), the digest also covers the config it replaces, so it differs from whatever a running ks-apiserver was
 * started with and the pods restart; when the edit changes nothing, the annotation keeps its current value and
 * nothing restarts. Problems go to `errors`.
 */
export function editLiveConfig(context: PlanContext, objects: LiveCluster, change: KubesphereYamlChange): LiveConfigEdit | undefined {
  const { cluster, names, secret, where, errors } = context;
  const source = `ConfigMap ${names.namespace}/${names.configMap}`;
  const live = objects.configMap;
  const text = live ? kubesphereYamlOf(live) : undefined;
  if (text === undefined) {
    errors.push(`${where}: ${source} ${live ? `has no data key ${KUBESPHERE_CONFIG_KEY}` : "was not found"}. Fix: check the KubeSphere installation, or set ${PROJECT}:namespace / ${PROJECT}:configMap for a rebranded distribution.`);
    return undefined;
  }
  const edit = editKubesphereYaml(text, change, source);
  if (!edit.ok) {
    errors.push(`${where}: ${edit.problem.source}: ${edit.problem.message}. Fix: repair ${KUBESPHERE_CONFIG_KEY} in that ConfigMap (kubectl -n ${names.namespace} edit configmap ${names.configMap}), then run again.`);
    return undefined;
  }
  const expectedLayout = majorOf(cluster.version) === 4 ? "v4" : "v3";
  if (edit.layout !== expectedLayout) {
    errors.push(`${where}: version is "${cluster.version}" but ${source} uses the ${edit.layout === "v4" ? "4.x" : "3.x"} layout of ${KUBESPHERE_CONFIG_KEY}. Fix: set the cluster's real version.`);
    return undefined;
  }
  const effective = readKubesphereConfig(edit.text, source);
  const maxAge = effectiveMaxAge(effective.accessTokenMaxAge);
  const changes = edit.changedKeys.length > 0;
  const settings = [secretFacts(secret).digest, cluster.role, maxAge, ...(changes ? [sha256Hex(text)] : [])];
  const annotation = sha256Hex(settings.join("\n")).slice(0, 32);
  return {
    configMapPatch: { kubesphereYaml: edit.text, changedKeys: edit.changedKeys },
    ...(needsRestart(cluster.version) ? { restart: { annotation, keepCurrent: !changes } } : {}),
    accessTokenMaxAge: maxAge,
  };
}

/**
 * v3 `manage: configmap` and all of v4: the live kubesphere.yaml with only jwtSecret and (members)
 * accessTokenMaxAge changed, and a ks-apiserver restart annotation where the version needs one. A 3.x cluster with
 * ks-installer also hands its ClusterConfiguration's auth fields to the engine (see `observeInstaller`), so the
 * policies see what ks-installer's next run would render over this edit.
 */
export function planConfigMap(context: PlanContext, objects: LiveCluster): ClusterPlan | undefined {
  const { cluster } = context;
  const role = cluster.role === FleetRole.member ? ClusterRole.member : ClusterRole.host;
  const edit = editLiveConfig(context, objects, { jwtSecret: context.secret, zeroAccessTokenMaxAge: cluster.role === FleetRole.member, clusterRole: role });
  if (!edit) return undefined;
  const observed = cluster.ksInstaller ? observeInstaller(context, objects) : undefined;
  if (cluster.ksInstaller && !observed) return undefined;
  return {
    cluster,
    configMapPatch: edit.configMapPatch,
    ...(edit.restart ? { restart: edit.restart } : {}),
    ...(observed ? { installerObservation: observed } : {}),
    summary: { ...summaryBase(context), accessTokenMaxAge: edit.accessTokenMaxAge },
  };
}

/**
 * The fields of the live ClusterConfiguration ks-installer renders the auth settings from, exactly as they are:
 * `metadata.labels.version`, `spec.authentication.jwtSecret`, `spec.authentication.oauthOptions` (only
 * `accessTokenMaxAge`; an empty mapping when set without it, since 3.1 renders any oauthOptions instead of the
 * member's 0) and `spec.multicluster.clusterRole`. Declared as a server-side apply of the same values, it changes
 * nothing on the cluster and lets the policies judge what ks-installer's next run would write.
 */
function observeInstaller(context: PlanContext, objects: LiveCluster): InstallerObservation | undefined {
  const { names, where, errors } = context;
  const live = objects.clusterConfiguration;
  if (!live) {
    errors.push(`${where}: ClusterConfiguration ${names.namespace}/${CLUSTER_CONFIGURATION.name} was not read. Fix: set ksInstaller: false for a 3.x cluster without ks-installer.`);
    return undefined;
  }
  const text = (path: string[]): string | undefined => {
    const found = lookup(live, path);
    return found.state === "known" && (typeof found.value === "string" || typeof found.value === "number") ? String(found.value) : undefined;
  };
  const version = text(["metadata", "labels", "version"]);
  const jwtSecret = text(["spec", "authentication", "jwtSecret"]);
  const oauth = lookup(live, ["spec", "authentication", "oauthOptions"]);
  const maxAge = lookup(live, ["spec", "authentication", "oauthOptions", "accessTokenMaxAge"]);
  const clusterRole = text(["spec", "multicluster", "clusterRole"]);
  const authentication = {
    ...(jwtSecret !== undefined ? { jwtSecret } : {}),
    ...(oauth.state === "known" && isPlainObject(oauth.value) ? { oauthOptions: maxAge.state === "known" ? { accessTokenMaxAge: maxAge.value } : {} } : {}),
  };
  return {
    ...(version !== undefined ? { labels: { version } } : {}),
    spec: { ...(Object.keys(authentication).length ? { authentication } : {}), ...(clusterRole !== undefined ? { multicluster: { clusterRole } } : {}) },
  };
}
