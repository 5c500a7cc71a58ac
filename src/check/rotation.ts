import { FleetRole, ManageMode, majorOf, type FleetDeclaration } from "../config/fleetDeclaration";
import { CLUSTER_CONFIGURATION } from "../model/installerConfig";
import { KUBESPHERE_CONFIG_KEY, parseKubesphereYaml } from "../model/kubesphereConfig";
import { KUBESPHERE_SECRET_NAME } from "../model/kubesphereSecret";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { lookup } from "../model/lookup";
import { Switch, type ClusterPlan, type ClusterSwitch, type Rotation, type StaleValue } from "./report";

const FINGERPRINT = /^sha256:[0-9a-f]{12}$/;

/**
 * The rotation `pulumi up` would make, when the desired jwtSecret of the host differs from its live one; otherwise
 * undefined. `live` holds each cluster's objects as read (the snapshot), for the values derived from the secret.
 */
export function planRotation(fleet: FleetDeclaration, plans: readonly ClusterPlan[], live: ReadonlyMap<string, readonly KubernetesObject[]>): Rotation | undefined {
  const host = plans.find((p) => p.role === FleetRole.host);
  if (!host) return undefined;
  const { live: from, desired: to } = host.jwtSecret;
  if (!FINGERPRINT.test(from) || !FINGERPRINT.test(to) || from === to) return undefined;
  const names = fleet.names;
  const clusters = fleet.clusters.map((cluster): ClusterSwitch => {
    const plan = plans.find((p) => p.name === cluster.name);
    const v3 = majorOf(cluster.version) === 3;
    const installer = v3 && cluster.mode === ManageMode.installer;
    const patched = installer ? `ClusterConfiguration ${names.namespace}/ks-installer` : `ConfigMap ${names.namespace}/${names.configMap}`;
    const reloads = cluster.version === "3.3" || cluster.version === "3.4";
    const how = plan?.restart ? Switch.restartAfterFleetPatches : installer && !reloads ? Switch.restartByInstaller : Switch.reload;
    return { cluster: cluster.name, version: cluster.version, mode: cluster.mode, patched, switch: how };
  });
  const restarted = [
    ...clusters.filter((c) => c.switch === Switch.restartAfterFleetPatches),
    ...clusters.filter((c) => c.switch === Switch.restartByInstaller),
  ].map((c) => c.cluster);
  const staleValues = fleet.clusters.flatMap((cluster) => {
    if (majorOf(cluster.version) !== 3) return [];
    return derivedValues(cluster.name, cluster.mode, live.get(cluster.name) ?? [], names);
  });
  return { from, to, clustersRestarted: restarted, clusters, staleValues };
}

/**
 * The values ks-installer derives from the jwtSecret on a 3.x cluster (kubesphere/ks-installer v3.2.1
 * roles/ks-core/init-token/tasks/main.yaml and roles/ks-core/config/templates/kubesphere-config.yaml.j2; the same
 * in 3.1–3.4): Secret kubesphere-secret keeps the secret (`secret`) and an admin JWT signed with it (`token`), and
 * with DevOps enabled kubesphere.yaml's `devops.password` is that token. With `spec.authentication.jwtSecret` set,
 * ks-installer deletes and re-creates the Secret and renders the new token; patching kubesphere-config alone
 * leaves all three on the old secret.
 */
function derivedValues(cluster: string, mode: string, objects: readonly KubernetesObject[], names: FleetDeclaration["names"]): StaleValue[] {
  const secretObject = `Secret ${names.namespace}/${KUBESPHERE_SECRET_NAME}`;
  const configObject = `ConfigMap ${names.namespace}/${names.configMap}`;
  const devops = hasDevopsPassword(objects, names);
  if (mode === ManageMode.installer) {
    return [
      {
        cluster,
        object: secretObject,
        key: "secret, token",
        state: "re-created",
        why: "ks-installer deletes kubesphere-secret and creates it again with the new secret and an admin token signed with it",
      },
      ...(devops
        ? [{ cluster, object: configObject, key: `${KUBESPHERE_CONFIG_KEY}: devops.password`, state: "re-created" as const, why: "ks-installer renders it again from the new kubesphere-secret token" }]
        : []),
    ];
  }
  const recreate =
    `set the cluster to manage: installer (ks-installer then re-creates kubesphere-secret from spec.authentication.jwtSecret), or replace the Secret yourself: ` +
    `kubectl -n ${names.namespace} create secret generic ${KUBESPHERE_SECRET_NAME} --from-literal=secret="$NEW_SECRET" --from-literal=token="$(jwt.sh "$NEW_SECRET" '{"email":"admin@kubesphere.io","username":"admin","token_type":"static_token"}')" --dry-run=client -o yaml | kubectl apply -f - ` +
    `(jwt.sh: ks-installer roles/ks-core/init-token/files/jwt-script)`;
  return [
    {
      cluster,
      object: secretObject,
      key: "secret, token",
      state: "stale",
      why:
        "`secret` still holds the old secret (ks-installer renders it back into kubesphere-config on its next run, splitting the fleet again) " +
        "and `token` is an admin JWT signed with it (whatever presents it gets \"signature is invalid\")",
      fix: recreate,
    },
    ...(devops
      ? [
          {
            cluster,
            object: configObject,
            key: `${KUBESPHERE_CONFIG_KEY}: devops.password`,
            state: "stale" as const,
            why: "it is kubesphere-secret's token, signed with the old secret, so KubeSphere DevOps (Jenkins) can no longer authenticate",
            fix: `after re-creating kubesphere-secret, set devops.password to its new token (kubectl -n ${names.namespace} edit configmap ${names.configMap}) and restart ks-apiserver, or let ks-installer render it (manage: installer)`,
          },
        ]
      : []),
  ];
}

/**
 * Whether the cluster runs KubeSphere DevOps, so kubesphere.yaml carries `devops.password`: the live kubesphere.yaml
 * has the key, or the ClusterConfiguration enables DevOps (`spec.devops.enabled`, which the template's
 * `{% if devops.enabled %}` renders from). A snapshot of an installer-mode cluster may hold only the latter.
 */
function hasDevopsPassword(objects: readonly KubernetesObject[], names: FleetDeclaration["names"]): boolean {
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && lookup(o.metadata, ["name"]).state === "known" && (o.metadata as { name?: unknown }).name === name);
  const installer = named(CLUSTER_CONFIGURATION.kind, CLUSTER_CONFIGURATION.name);
  const enabled = installer ? lookup(installer.spec, ["devops", "enabled"]) : undefined;
  if (enabled?.state === "known" && enabled.value === true) return true;
  const configMap = named("ConfigMap", names.configMap);
  const text = configMap ? lookup(configMap.data, [KUBESPHERE_CONFIG_KEY]) : undefined;
  if (text?.state !== "known" || typeof text.value !== "string") return false;
  const parsed = parseKubesphereYaml(text.value, names.configMap);
  return lookup(parsed.data, ["devops", "password"]).state === "known";
}
