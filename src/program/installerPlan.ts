import { ClusterRole } from "../model/fleet";
import { CLUSTER_CONFIGURATION, kubesphereMinor, mergeSpec, readClusterConfiguration } from "../model/installerConfig";
import { isPlainObject, lookup } from "../model/lookup";
import { FleetRole } from "../config/fleetDeclaration";
import { effectiveMaxAge, summaryBase, type ClusterPlan, type InstallerPatch, type PlanContext } from "./clusterPlan";
import { editLiveConfig } from "./configMapPlan";
import type { LiveCluster } from "./liveCluster";

/**
 * v3 `manage: installer`: the ClusterConfiguration ks-installer patch (jwtSecret and clusterRole; ks-installer
 * renders the rest), with the per-version quirk that 3.1 drops a member's automatic `accessTokenMaxAge: 0` once any
 * oauthOptions is set. (3.3/3.4 render the key twice when a member also sets it; ks-apiserver 3.x reads the last
 * one, the member's 0, so that is left as it is.)
 */
export function planInstaller(context: PlanContext, objects: LiveCluster): ClusterPlan | undefined {
  const { cluster, names, secret, where, errors } = context;
  const member = cluster.role === FleetRole.member;
  const base = summaryBase(context);
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
  // 3.1 drops the member's automatic accessTokenMaxAge: 0 as soon as any oauthOptions is set: then set it explicitly.
  const explicitZero = member && cluster.version === "3.1" && liveOauth.state === "known" && isPlainObject(liveOauth.value);
  const spec: InstallerPatch["spec"] = {
    authentication: { jwtSecret: secret, ...(explicitZero ? { oauthOptions: { accessTokenMaxAge: 0 as const } } : {}) },
    multicluster: { clusterRole: member ? ClusterRole.member : ClusterRole.host },
  };
  const rendered = readClusterConfiguration({ metadata: live.metadata, spec: mergeSpec(live.spec, spec) }, source);
  // ks-installer re-renders kubesphere-config only when `.spec` changes or its pod starts (its hook's jqFilter is
  // `.spec`), so a live config that differs from what the desired spec renders (a hand edit, a patch whose spec was
  // already right) is written in this update too, to exactly what ks-installer renders: its next run then changes
  // nothing.
  const renderedMaxAge = rendered.accessTokenMaxAge;
  const edit = editLiveConfig(context, objects, {
    jwtSecret: secret,
    zeroAccessTokenMaxAge: renderedMaxAge.state === "known" && renderedMaxAge.value === 0,
    clusterRole: spec.multicluster.clusterRole,
  });
  if (!edit) return undefined;
  const correctsConfig = edit.configMapPatch.changedKeys.length > 0;
  return {
    cluster,
    installerPatch: { spec },
    ...(correctsConfig ? { configMapPatch: edit.configMapPatch, ...(edit.restart ? { restart: edit.restart } : {}) } : {}),
    summary: { ...base, accessTokenMaxAge: effectiveMaxAge(renderedMaxAge) },
  };
}
