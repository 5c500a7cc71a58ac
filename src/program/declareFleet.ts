import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubeSphereNames } from "../model/kubernetesObjects";
import { CLUSTER_CONFIGURATION } from "../model/installerConfig";
import { KS_APISERVER } from "../model/kubernetesObjects";
import { KUBESPHERE_CONFIG_KEY } from "../model/kubesphereConfig";
import { valueOf, type Children } from "./readLive";
import { RESTART_ANNOTATION, RESTART_ANNOTATION_PATH, type ClusterPlan } from "./clusterPlan";

/** Server-side apply takes ownership of the patched fields from ks-installer, Helm or kubectl. */
const PATCH_FORCE = { "pulumi.com/patchForce": "true" } as const;

/**
 * Declares one cluster's config patches (ClusterConfiguration ks-installer or kubesphere-config). Every place that
 * carries the jwtSecret is a Pulumi secret.
 */
export function declareConfigPatches(plan: ClusterPlan, provider: k8s.Provider, names: KubeSphereNames, children: Children): pulumi.Resource[] {
  const name = plan.cluster.name;
  const opts = patchOptions(provider, children);
  const declared: pulumi.Resource[] = [];
  if (plan.installerPatch) {
    const { authentication, multicluster } = plan.installerPatch.spec;
    declared.push(
      new k8s.apiextensions.CustomResourcePatch(
        `${name}-ks-installer`,
        {
          apiVersion: CLUSTER_CONFIGURATION.apiVersion,
          kind: CLUSTER_CONFIGURATION.kind,
          metadata: { name: CLUSTER_CONFIGURATION.name, namespace: names.namespace, annotations: PATCH_FORCE },
          spec: { authentication: { ...authentication, jwtSecret: pulumi.secret(authentication.jwtSecret) }, multicluster },
        },
        opts,
      ),
    );
  }
  if (plan.configMapPatch) {
    declared.push(
      new k8s.core.v1.ConfigMapPatch(
        `${name}-kubesphere-config`,
        {
          metadata: { name: names.configMap, namespace: names.namespace, annotations: PATCH_FORCE },
          data: { [KUBESPHERE_CONFIG_KEY]: pulumi.secret(plan.configMapPatch.kubesphereYaml) },
        },
        opts,
      ),
    );
  }
  return declared;
}

/**
 * `manage: configmap` on 3.x with ks-installer: the ClusterConfiguration's auth fields with the values they already
 * have, so that the engine and the policies see what ks-installer's next run would render over the config patch.
 * The same values again, without patchForce: server-side apply shares ownership of a field set to the value it
 * already has, so nothing on the cluster changes; should the ClusterConfiguration change after it was read, the
 * apply conflicts and stops instead of overwriting it. Not a config patch: no restart waits for it.
 */
export function declareInstallerObservation(plan: ClusterPlan, provider: k8s.Provider, names: KubeSphereNames, children: Children): pulumi.Resource | undefined {
  if (!plan.installerObservation) return undefined;
  const { labels, spec } = plan.installerObservation;
  return new k8s.apiextensions.CustomResourcePatch(
    `${plan.cluster.name}-ks-installer`,
    {
      apiVersion: CLUSTER_CONFIGURATION.apiVersion,
      kind: CLUSTER_CONFIGURATION.kind,
      metadata: { name: CLUSTER_CONFIGURATION.name, namespace: names.namespace, ...(labels ? { labels } : {}) },
      spec: spec.authentication ? { ...spec, authentication: pulumi.secret(spec.authentication) } : spec,
    },
    patchOptions(provider, children),
  );
}

/**
 * Declares the ks-apiserver restart of one cluster, when its plan has one, after `fleetConfigPatches`: the config
 * patches of the WHOLE fleet. The engine then applies every cluster's config first and restarts afterwards, so no
 * ks-apiserver restarts onto a secret its peers do not have yet, and the time in which host and members disagree
 * (a rotation) is as short as the engine allows: one wave of patches, then one wave of restarts.
 */
export function declareRestart(plan: ClusterPlan, provider: k8s.Provider, names: KubeSphereNames, children: Children, fleetConfigPatches: readonly pulumi.Resource[]): pulumi.Resource | undefined {
  if (!plan.restart) return undefined;
  return new k8s.apps.v1.DeploymentPatch(
    `${plan.cluster.name}-ks-apiserver`,
    {
      metadata: { name: KS_APISERVER, namespace: names.namespace, annotations: PATCH_FORCE },
      spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: plan.restart.annotation } } } },
    },
    {
      ...patchOptions(provider, children),
      dependsOn: [...fleetConfigPatches],
      // Nothing to apply: keep the annotation the last update set, so ks-apiserver is not restarted.
      ...(plan.restart.keepCurrent ? { ignoreChanges: [RESTART_ANNOTATION_PATH] } : {}),
    },
  );
}

/**
 * Declares every cluster's restart (`declareRestart`), each depending on the config patches of the whole fleet.
 *
 * That is clusters × patches dependencies, and the SDK resolves each one as a promise of its own before it registers
 * the restart. Declared all at once, every restart's resolution runs at the same time: at 1,000 clusters half a million
 * promises are alive together, and the garbage collector spent about 2 s of the program copying them. So this waits
 * once for the patches' URNs (the SDK waits for the same URNs before it registers any restart, in preview and in an
 * update alike), then declares one restart per turn of the event loop, by which time the SDK has resolved the one
 * before from URNs already known. The same resources with the same dependencies, registered in the same order; an
 * update still applies the restarts together, after every config patch.
 */
export async function declareRestarts(
  plans: readonly ClusterPlan[],
  providerOf: (plan: ClusterPlan) => k8s.Provider,
  names: KubeSphereNames,
  children: Children,
  fleetConfigPatches: readonly pulumi.Resource[],
): Promise<void> {
  if (!plans.some((p) => p.restart)) return;
  await Promise.all(fleetConfigPatches.map((patch) => valueOf(patch.urn)));
  for (const plan of plans) {
    if (!declareRestart(plan, providerOf(plan), names, children, fleetConfigPatches)) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Deleting a patch would remove the fields it owns (kubesphere.yaml itself, the installer's jwtSecret): a stack
 * destroy leaves the fleet's agreed settings in place instead.
 */
function patchOptions(provider: k8s.Provider, children: Children): pulumi.CustomResourceOptions {
  return { ...children, provider, retainOnDelete: true };
}
