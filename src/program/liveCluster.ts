import { ManageMode, FleetRole, type ClusterDeclaration, type FleetDeclaration } from "../config/fleetDeclaration";
import { KUBESPHERE_CONFIG_KEY } from "../model/kubesphereConfig";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { lookup } from "../model/lookup";

/** The objects the program reads from one cluster before it declares anything. */
export interface LiveCluster {
  readonly configMap?: KubernetesObject;
  readonly clusterConfiguration?: KubernetesObject;
  readonly kubesphereSecret?: KubernetesObject;
}

/**
 * Which objects the program reads from a cluster: kubesphere-config always (what ks-apiserver reads), and on 3.x with
 * ks-installer its ClusterConfiguration (what ks-installer re-renders kubesphere-config from, in either mode), plus
 * the host's secret when adopting.
 */
export function objectsToRead(fleet: FleetDeclaration, cluster: ClusterDeclaration): Array<keyof LiveCluster> {
  const reads: Array<keyof LiveCluster> = cluster.ksInstaller ? ["clusterConfiguration", "configMap"] : ["configMap"];
  if (!fleet.jwtSecret && cluster.role === FleetRole.host && cluster.mode === ManageMode.installer) reads.push("kubesphereSecret");
  return reads;
}

/** The `kubesphere.yaml` text of a kubesphere-config ConfigMap. */
export function kubesphereYamlOf(configMap: KubernetesObject): string | undefined {
  const found = lookup(configMap.data, [KUBESPHERE_CONFIG_KEY]);
  return found.state === "known" && typeof found.value === "string" ? found.value : undefined;
}

