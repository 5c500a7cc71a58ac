import { ClusterRole } from "../model/fleet";
import { formatDuration } from "../model/duration";
import { editKubesphereYaml } from "../model/editKubesphereYaml";
import { CLUSTER_CONFIGURATION, kubesphereMinor, readClusterConfiguration } from "../model/installerConfig";
import { AUTH_PATHS, KUBESPHERE_CONFIG_KEY, layoutOf, parseKubesphereYaml, readKubesphereConfig } from "../model/kubesphereConfig";
import { isPlainObject, lookup } from "../model/lookup";
import { MIN_JWT_SECRET_LENGTH, secretFacts, sha256Hex } from "../model/secretFacts";
import type { KubernetesObject, KubeSphereNames } from "../model/kubernetesObjects";
import { FleetRole, ManageMode, PROJECT, hostOf, majorOf, type ClusterDeclaration, type FleetDeclaration } from "../config/fleetDeclaration";

/** The objects the program reads from one cluster before it declares anything. */
export interface LiveCluster {
  readonly configMap?: KubernetesObject;
  readonly clusterConfiguration?: KubernetesObject;
  readonly kubesphereSecret?: KubernetesObject;
}

/** Which objects the program reads from a cluster: what its mode patches, plus the host's secret when adopting. */
export function objectsToRead(fleet: FleetDeclaration, cluster: ClusterDeclaration): Array<keyof LiveCluster> {
  const reads: Array<keyof LiveCluster> = cluster.mode === ManageMode.installer ? ["clusterConfiguration"] : ["configMap"];
  if (!fleet.jwtSecret && cluster.role === FleetRole.host && cluster.mode === ManageMode.installer) reads.push("kubesphereSecret");
  return reads;
}

/** The pod-template annotation whose change restarts ks-apiserver. */
export const RESTART_ANNOTATION = "kubesphere-fleet/auth-settings";

export interface InstallerPatch {
  /** `spec` for ClusterConfiguration ks-installer; `authentication.jwtSecret` holds the secret in clear. */
  readonly spec: {
    readonly authentication: { readonly jwtSecret: string; readonly oauthOptions?: { readonly accessTokenMaxAge: 0 } };
    readonly multicluster: { readonly clusterRole: ClusterRole };
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
  /** The whole edited kubesphere.yaml (it holds the secret) and which keys changed. */
  readonly configMapPatch?: { readonly kubesphereYaml: string; readonly changedKeys: readonly string[] };
  /** ks-apiserver pod-template annotation value, derived from the applied settings (a digest, never the secret). */
  readonly restart?: { readonly annotation: string };
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

/**
 * Decides, from the validated fleet and what was read from each cluster, what to write where. Pure: the same
 * input gives the same plan, so a second run with nothing new declares identical inputs.
 */
export function planFleet(fleet: FleetDeclaration, live: ReadonlyMap<string, LiveCluster>): FleetPlan {
  const errors: string[] = [];
  const host = hostOf(fleet);
  const where = (cluster: ClusterDeclaration): string => `Stack '${fleet.stack}', ${cluster.label}`;

  const secret = fleetSecret(fleet, host, live.get(host.name) ?? {}, where(host), errors);
  const plans: ClusterPlan[] = [];
  for (const cluster of fleet.clusters) {
    const objects = live.get(cluster.name) ?? {};
    const plan = secret ? planCluster(cluster, objects, secret.value, fleet.names, where(cluster), errors) : undefined;
    if (plan) plans.push(plan);
  }
  return { plans: errors.length ? [] : plans, jwtSecretSource: secret?.source ?? "none", errors };
}

function fleetSecret(fleet: FleetDeclaration, host: ClusterDeclaration, objects: LiveCluster, where: string, errors: string[]): { value: string; source: string } | undefined {
  if (fleet.jwtSecret && "value" in fleet.jwtSecret) return { value: fleet.jwtSecret.value, source: `stack config ${PROJECT}:jwtSecret` };
  if (fleet.jwtSecret) {
    errors.push(`Stack '${fleet.stack}': ${PROJECT}:jwtSecret is encrypted and could not be read. Fix: run with the stack's secrets provider (PULUMI_CONFIG_PASSPHRASE).`);
    return undefined;
  }
  const setFix = `Fix: set the fleet's secret with: pulumi config set --secret jwtSecret "$(openssl rand -hex 16)".`;
  const { namespace, configMap } = fleet.names;
  let value: string | undefined;
  let source: string;
  if (host.mode === ManageMode.installer) {
    source = `Secret ${namespace}/kubesphere-secret`;
    value = objects.kubesphereSecret ? secretText(objects.kubesphereSecret) : undefined;
    if (value === undefined) errors.push(`${where}: ${source} has no key 'secret', so there is no host jwtSecret to adopt. ${setFix}`);
  } else {
    source = `ConfigMap ${namespace}/${configMap}`;
    const text = objects.configMap ? kubesphereYamlOf(objects.configMap) : undefined;
    const parsed = text === undefined ? undefined : parseKubesphereYaml(text, source);
    if (parsed && !parsed.data) return undefined; // the host's own plan reports where it does not parse
    value = parsed?.data ? stringAt(parsed.data, AUTH_PATHS[layoutOf(parsed.data)].jwtSecret) : undefined;
    if (value === undefined || value === "") errors.push(`${where}: ${source} ${KUBESPHERE_CONFIG_KEY} has no jwtSecret, so there is no host jwtSecret to adopt. ${setFix}`);
  }
  if (value === undefined || value === "") return undefined;
  const facts = secretFacts(value);
  if (facts.knownDefault || facts.length < MIN_JWT_SECRET_LENGTH) {
    const why = facts.knownDefault ?? `${facts.length} characters, fewer than ${MIN_JWT_SECRET_LENGTH}`;
    errors.push(`${where}: the host's jwtSecret (${facts.fingerprint}, in ${source}) is ${why}, so the fleet must not adopt it. ${setFix}`);
    return undefined;
  }
  return { value, source: `adopted from the host's ${source}` };
}

function planCluster(cluster: ClusterDeclaration, objects: LiveCluster, secret: string, names: KubeSphereNames, where: string, errors: string[]): ClusterPlan | undefined {
  const fingerprint = secretFacts(secret).fingerprint;
  const base = { role: cluster.role, version: cluster.version, mode: cluster.mode, jwtSecretFingerprint: fingerprint };
  const member = cluster.role === FleetRole.member;
  if (cluster.mode === ManageMode.installer) {
    const source = `ClusterConfiguration ${names.namespace}/${CLUSTER_CONFIGURATION.name}`;
    const live = objects.clusterConfiguration;
    if (!live) {
      errors.push(`${where}: ${source} was not found. Fix: check that KubeSphere ${cluster.version} is installed with ks-installer, or set manage: configmap.`);
      return undefined;
    }
    const versionLabel = lookup(live.metadata, ["labels", "version"]);
    const liveVersion = versionLabel.state === "known" ? kubesphereMinor(versionLabel.value) : undefined;
    if (liveVersion && liveVersion !== cluster.version) {
      errors.push(`${where}: version is "${cluster.version}" but ${source} says ${liveVersion}. Fix: set version: "${liveVersion}" (the per-version ks-installer quirks depend on it).`);
      return undefined;
    }
    const liveOauth = lookup(live.spec, ["authentication", "oauthOptions"]);
    const liveOauthMaxAge = lookup(live.spec, ["authentication", "oauthOptions", "accessTokenMaxAge"]);
    if (member && (cluster.version === "3.3" || cluster.version === "3.4") && liveOauthMaxAge.state === "known") {
      errors.push(
        `${where}: ${source} sets spec.authentication.oauthOptions.accessTokenMaxAge, which ks-installer ${cluster.version} renders a second time next to a member's automatic 0. Fix: remove it with kubectl -n ${names.namespace} edit clusterconfiguration ks-installer.`,
      );
      return undefined;
    }
    // 3.1 drops the member's automatic accessTokenMaxAge: 0 as soon as any oauthOptions is set: then set it explicitly.
    const explicitZero = member && cluster.version === "3.1" && liveOauth.state === "known" && isPlainObject(liveOauth.value);
    const spec: InstallerPatch["spec"] = {
      authentication: { jwtSecret: secret, ...(explicitZero ? { oauthOptions: { accessTokenMaxAge: 0 as const } } : {}) },
      multicluster: { clusterRole: member ? ClusterRole.member : ClusterRole.host },
    };
    const rendered = readClusterConfiguration({ metadata: live.metadata, spec: mergeSpec(live.spec, spec) }, source);
    return { cluster, installerPatch: { spec }, summary: { ...base, accessTokenMaxAge: effectiveMaxAge(rendered.accessTokenMaxAge) } };
  }

  const source = `ConfigMap ${names.namespace}/${names.configMap}`;
  const live = objects.configMap;
  const text = live ? kubesphereYamlOf(live) : undefined;
  if (text === undefined) {
    errors.push(`${where}: ${source} ${live ? `has no data key ${KUBESPHERE_CONFIG_KEY}` : "was not found"}. Fix: check the KubeSphere installation, or set ${PROJECT}:namespace / ${PROJECT}:configMap for a rebranded distribution.`);
    return undefined;
  }
  const edit = editKubesphereYaml(text, { jwtSecret: secret, zeroAccessTokenMaxAge: member }, source);
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
  const needsRestart = majorOf(cluster.version) === 4 || ["3.0", "3.1", "3.2"].includes(cluster.version);
  const annotation = sha256Hex([secretFacts(secret).digest, cluster.role, maxAge].join("\n")).slice(0, 32);
  return {
    cluster,
    configMapPatch: { kubesphereYaml: edit.text, changedKeys: edit.changedKeys },
    ...(needsRestart ? { restart: { annotation } } : {}),
    summary: { ...base, accessTokenMaxAge: maxAge },
  };
}

function effectiveMaxAge(observed: { state: string; value?: unknown }): string {
  return observed.state === "known" && typeof observed.value === "number" ? formatDuration(observed.value) : APISERVER_DEFAULT_MAX_AGE;
}

function mergeSpec(live: unknown, patch: object): unknown {
  if (!isPlainObject(live) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...live };
  for (const [key, value] of Object.entries(patch)) merged[key] = isPlainObject(value) ? mergeSpec(live[key], value) : value;
  return merged;
}

function kubesphereYamlOf(configMap: KubernetesObject): string | undefined {
  const found = lookup(configMap.data, [KUBESPHERE_CONFIG_KEY]);
  return found.state === "known" && typeof found.value === "string" ? found.value : undefined;
}

function secretText(object: KubernetesObject): string | undefined {
  const plain = lookup(object.stringData, ["secret"]);
  if (plain.state === "known" && typeof plain.value === "string" && plain.value !== "") return plain.value;
  const encoded = lookup(object.data, ["secret"]);
  if (encoded.state === "known" && typeof encoded.value === "string" && encoded.value !== "") return Buffer.from(encoded.value, "base64").toString("utf8");
  return undefined;
}

function stringAt(data: unknown, path: readonly string[]): string | undefined {
  const found = lookup(data, path);
  return found.state === "known" ? String(found.value) : undefined;
}
