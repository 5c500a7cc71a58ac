import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, type ClusterDeclaration, type FleetDeclaration } from "../config/fleetDeclaration";
import { CLUSTER_CONFIGURATION } from "../model/installerConfig";
import { KUBESPHERE_SECRET_NAME } from "../model/kubesphereSecret";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { objectsToRead, type LiveCluster } from "./liveCluster";

/** The options every resource a fleet declares or reads carries: its component, and aliases when adopting a stack. */
export type Children = Pick<pulumi.CustomResourceOptions, "parent" | "aliases">;

/** A cluster's provider: named after the cluster, its kubeconfig carried as a secret. */
export function clusterProvider(cluster: ClusterDeclaration, kubeconfig: pulumi.Input<string>, children: Children): k8s.Provider {
  return new k8s.Provider(
    cluster.name,
    { kubeconfig: pulumi.secret(kubeconfig), ...(cluster.kubeconfig.context ? { context: cluster.kubeconfig.context } : {}) },
    children,
  );
}

/**
 * Reads (with `.get`) the objects the plan needs from one cluster and waits for their values. A failed read is
 * turned into a `RunError` naming the stack, the cluster and the object.
 */
export async function readLiveCluster(fleet: FleetDeclaration, cluster: ClusterDeclaration, provider: k8s.Provider, children: Children): Promise<LiveCluster> {
  const { namespace, configMap } = fleet.names;
  // A read is kept in the stack's state: its data, spec and metadata (kubectl's last-applied-configuration
  // annotation holds a second copy) carry the jwtSecret, so they are stored as secrets.
  const opts = (...secretOutputs: string[]) => ({ ...children, provider, additionalSecretOutputs: [...secretOutputs, "metadata"] });
  const live: { -readonly [K in keyof LiveCluster]: LiveCluster[K] } = {};
  for (const what of objectsToRead(fleet, cluster)) {
    const name = `${cluster.name}-live-${what}`;
    switch (what) {
      case "configMap": {
        const read = k8s.core.v1.ConfigMap.get(name, `${namespace}/${configMap}`, opts("data"));
        live.configMap = await settle(`ConfigMap ${namespace}/${configMap}`, `and set ${PROJECT}:namespace / ${PROJECT}:configMap if this distribution renames them`, read, { kind: "ConfigMap", metadata: read.metadata, data: read.data });
        break;
      }
      case "kubesphereSecret": {
        const read = k8s.core.v1.Secret.get(name, `${namespace}/${KUBESPHERE_SECRET_NAME}`, opts("data", "stringData"));
        live.kubesphereSecret = await settle(`Secret ${namespace}/${KUBESPHERE_SECRET_NAME}`, `or set the fleet's secret with pulumi config set --secret jwtSecret`, read, { kind: "Secret", metadata: read.metadata, data: read.data, stringData: read.stringData });
        break;
      }
      case "clusterConfiguration": {
        // `CustomResource.get` exposes only apiVersion and kind; naming metadata and spec makes them outputs too.
        const read = new k8s.apiextensions.CustomResource(
          name,
          { apiVersion: CLUSTER_CONFIGURATION.apiVersion, kind: CLUSTER_CONFIGURATION.kind, metadata: undefined, spec: undefined },
          { ...opts("spec"), id: `${namespace}/${CLUSTER_CONFIGURATION.name}` },
        );
        live.clusterConfiguration = await settle(`ClusterConfiguration ${namespace}/${CLUSTER_CONFIGURATION.name}`, "or set manage: configmap and ksInstaller: false if ks-installer is gone", read, {
          kind: CLUSTER_CONFIGURATION.kind,
          metadata: (read as unknown as Record<string, pulumi.Output<unknown>>)["metadata"]!,
          spec: (read as unknown as Record<string, pulumi.Output<unknown>>)["spec"]!,
        });
        break;
      }
    }
  }
  return live;

  async function settle(object: string, otherFix: string, read: pulumi.CustomResource, fields: Record<string, pulumi.Output<unknown> | string>): Promise<KubernetesObject> {
    for (const output of Object.values(read)) if (pulumi.Output.isInstance(output)) handleRejections(output);
    try {
      await valueOf(read.urn);
      const entries = await Promise.all(Object.entries(fields).map(async ([k, v]) => [k, typeof v === "string" ? v : await valueOf(v)] as const));
      return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as KubernetesObject;
    } catch (error) {
      throw new pulumi.RunError(`Stack '${fleet.stack}', ${cluster.label}: reading ${object} failed: ${firstLine(error)}. Fix: check the cluster's kubeconfig and that KubeSphere ${cluster.version} is installed there, ${otherFix}.`);
    }
  }
}

/**
 * The value of an output (`.get` results are known even in preview). Uses the SDK's `promise()`, present on every
 * Output though not in its typings, because `apply` alone never reports a failed read.
 */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/**
 * A failed read rejects every promise of every output of the resource. This program reports the failure itself (a
 * RunError naming the object), so the copies must not surface as unhandled rejections.
 */
function handleRejections(output: pulumi.Output<unknown>): void {
  const internals = output as unknown as { isKnown: Promise<unknown>; isSecret: Promise<unknown> };
  const ignore = (): void => undefined;
  internals.isKnown.catch(ignore);
  internals.isSecret.catch(ignore);
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0] ?? "";
}
