import { declareFleet, type FleetRun } from "./fleetProgram";
import { loadFleet } from "./stackConfig";

/** Reads and validates the stack config, then declares the fleet. `projectRoot` anchors relative kubeconfig paths. */
export async function fleetMain(projectRoot: string): Promise<FleetRun> {
  return declareFleet(loadFleet(projectRoot));
}
