import * as pulumi from "@pulumi/pulumi";
import { declareFleet, type FleetOutputs } from "./fleetProgram";
import { loadFleet } from "./stackConfig";

/** Pulumi runs this with the stack's config; its result becomes the stack outputs. */
export = async (): Promise<FleetOutputs> => {
  const fleet = loadFleet(pulumi.runtime.getRootDirectory() || process.cwd());
  return (await declareFleet(fleet)).outputs;
};
