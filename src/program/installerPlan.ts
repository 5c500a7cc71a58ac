import { ClusterRole } from "../model/fleet";
import { CLUSTER_CONFIGURATION, changesSpec, kubesphereMinor, mergeSpec, readClusterConfiguration } from "../model/installerConfig";
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
  // `.spec`, controller/installRunner.py). A patch that changes `.spec` makes it run, and it renders the config (and
  // on 3.0–3.2 restarts ks-apiserver, ks-restart.yaml). A patch that changes nothing under `.spec` does not: then a
  // live config that differs from what the spec renders (a hand edit) is written in this update too, to exactly what
  // ks-installer renders, so its next run changes nothing.
  const renderedMaxAge = rendered.accessTokenMaxAge;
  if (changesSpec(live.spec, spec)) {
    return { cluster, installerPatch: { spec }, summary: { ...base, accessTokenMaxAge: effectiveMaxAge(renderedMaxAge) } };
  }
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
