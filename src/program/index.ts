import { isAbsolute } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { FleetOutputs } from "./fleetProgram";
import { fleetMain } from "./main";

/** The folder holding Pulumi.yaml (relative kubeconfig paths start there); under mocks the SDK gives a placeholder. */
const projectRoot = (): string => {
  const root = pulumi.runtime.getRootDirectory();
  return root && isAbsolute(root) ? root : process.cwd();
};

/** Pulumi runs this with the stack's config; its result becomes the stack outputs. */
export = async (): Promise<FleetOutputs> => (await fleetMain(projectRoot())).outputs;
