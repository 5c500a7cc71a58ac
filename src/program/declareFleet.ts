import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubeSphereNames } from "../model/kubernetesObjects";
import { CLUSTER_CONFIGURATION } from "../model/installerConfig";
import { KS_APISERVER } from "../model/kubernetesObjects";
import { KUBESPHERE_CONFIG_KEY } from "../model/kubesphereConfig";
import type { Children } from "./readLive";
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
 * Declares the ks-apiserver restart of one cluster, when its plan has one, after `configApplied`: the barrier that
 * waits for the config patches of the WHOLE fleet. The engine then applies every cluster's config first and restarts
 * afterwards, so no ks-apiserver restarts onto a secret its peers do not have yet, and the time in which host and
 * members disagree (a rotation) is as short as the engine allows: one wave of patches, then one wave of restarts.
 */
export function declareRestart(plan: ClusterPlan, provider: k8s.Provider, names: KubeSphereNames, children: Children, configApplied: pulumi.Resource): pulumi.Resource | undefined {
  if (!plan.restart) return undefined;
  return new k8s.apps.v1.DeploymentPatch(
    `${plan.cluster.name}-ks-apiserver`,
    {
      metadata: { name: KS_APISERVER, namespace: names.namespace, annotations: PATCH_FORCE },
      spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: plan.restart.annotation } } } },
    },
    {
      ...patchOptions(provider, children),
      dependsOn: [configApplied],
      // Nothing to apply: keep the annotation the last update set, so ks-apiserver is not restarted.
      ...(plan.restart.keepCurrent ? { ignoreChanges: [RESTART_ANNOTATION_PATH] } : {}),
    },
  );
}

/** The name of the barrier between the fleet's config patches and its restarts. */
export const CONFIG_APPLIED = "kubesphere-config-applied";

/**
 * Declares every cluster's restart (`declareRestart`), all after every config patch of the fleet.
 *
 * The order goes through one barrier: a `pulumi.Stash` (the engine's own built-in resource: no provider, no
 * cluster, only a constant in the state) that depends on every config patch, and on which every restart depends. A
 * restart depending on every patch directly was clusters × patches edges, resolved by the SDK and sent to the engine
 * in every registration (639,200 at 800 clusters; 151 s and 2.75 GB at 5,000); through the barrier it is clusters +
 * patches. A dependency on a component would not do: the SDK replaces it with the component's custom-resource
 * children. The barrier registers once the patches are applied (the SDK waits for their URNs, which an update
 * returns only after the step), and each restart once the barrier is; in preview nothing is applied either way.
 */
export async function declareRestarts(
  plans: readonly ClusterPlan[],
  providerOf: (plan: ClusterPlan) => k8s.Provider,
  names: KubeSphereNames,
  children: Children,
  fleetConfigPatches: readonly pulumi.Resource[],
): Promise<void> {
  if (!plans.some((p) => p.restart)) return;
  const configApplied = new pulumi.Stash(CONFIG_APPLIED, { input: "ks-apiserver restarts wait for every kubesphere-config and ClusterConfiguration patch of the fleet" }, { ...children, dependsOn: [...fleetConfigPatches] });
  for (const plan of plans) declareRestart(plan, providerOf(plan), names, children, configApplied);
}

/**
 * Deleting a patch would remove the fields it owns (kubesphere.yaml itself, the installer's jwtSecret): a stack
 * destroy leaves the fleet's agreed settings in place instead.
 */
function patchOptions(provider: k8s.Provider, children: Children): pulumi.CustomResourceOptions {
  return { ...children, provider, retainOnDelete: true };
}
