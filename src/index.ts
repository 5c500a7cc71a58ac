/** The package entry: `import { KubeSphereFleet } from "kubesphere-fleet"`. */
export {
  KubeSphereFleet,
  KUBESPHERE_FLEET_TYPE,
  type ClusterByKubeconfig,
  type ClusterByProvider,
  type FleetOutputs,
  type KubeSphereFleetArgs,
  type KubeSphereFleetCluster,
} from "./component/kubeSphereFleet";
export { FleetRole, ManageMode, KUBESPHERE_VERSIONS, type KubeSphereVersion } from "./config/fleetDeclaration";
export type { ClusterSummary } from "./program/clusterPlan";
