import * as pulumi from "@pulumi/pulumi";
import type { FleetOutputs } from "./fleetProgram";
import { fleetMain } from "./main";

/** Pulumi runs this with the stack's config; its result becomes the stack outputs. */
export = async (): Promise<FleetOutputs> => (await fleetMain(pulumi.runtime.getRootDirectory() || process.cwd())).outputs;
