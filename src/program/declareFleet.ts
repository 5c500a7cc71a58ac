import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubeSphereNames } from "../model/kubernetesObjects";
import { CLUSTER_CONFIGURATION } from "../model/installerConfig";
import { KS_APISERVER } from "../model/kubernetesObjects";
import { KUBESPHERE_CONFIG_KEY } from "../model/kubesphereConfig";
import { RESTART_ANNOTATION, RESTART_ANNOTATION_PATH, type ClusterPlan } from "./clusterPlan";

/** Server-side apply takes ownership of the patched fields from ks-installer, Helm or kubectl. */
const PATCH_FORCE = { "pulumi.com/patchForce": "true" } as const;

/** Declares one cluster's patches. Every place that carries the jwtSecret is a Pulumi secret. */
export function declareCluster(plan: ClusterPlan, provider: k8s.Provider, names: KubeSphereNames): pulumi.Resource[] {
  const name = plan.cluster.name;
  // Deleting a patch would remove the fields it owns (kubesphere.yaml itself, the installer's jwtSecret): a stack
  // destroy leaves the fleet's agreed settings in place instead.
  const opts = { provider, retainOnDelete: true };
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
    const configMap = new k8s.core.v1.ConfigMapPatch(
      `${name}-kubesphere-config`,
      {
        metadata: { name: names.configMap, namespace: names.namespace, annotations: PATCH_FORCE },
        data: { [KUBESPHERE_CONFIG_KEY]: pulumi.secret(plan.configMapPatch.kubesphereYaml) },
      },
      opts,
    );
    declared.push(configMap);
    if (plan.restart) {
      declared.push(
        new k8s.apps.v1.DeploymentPatch(
          `${name}-ks-apiserver`,
          {
            metadata: { name: KS_APISERVER, namespace: names.namespace, annotations: PATCH_FORCE },
            spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: plan.restart.annotation } } } },
          },
          {
            ...opts,
            dependsOn: [configMap],
            // Nothing to apply: keep the annotation the last update set, so ks-apiserver is not restarted.
            ...(plan.restart.keepCurrent ? { ignoreChanges: [RESTART_ANNOTATION_PATH] } : {}),
          },
        ),
      );
    }
  }
  return declared;
}
