import * as pulumi from "@pulumi/pulumi";
import { PROJECT, type FleetDeclaration } from "../config/fleetDeclaration";
import { problemList } from "../config/problemList";
import { formatConfigError, validateFleetConfig, type FleetConfigInput } from "../config/validateFleetConfig";
import { structuredConfigValue } from "../config/structuredConfigValue";

/** The stack's fleet config as plain data, from the config the Pulumi engine hands the program. */
export function readStackConfig(): FleetConfigInput {
  const value = (key: string): unknown => {
    const raw = pulumi.runtime.getConfig(`${PROJECT}:${key}`);
    return raw === undefined ? undefined : structuredConfigValue(raw);
  };
  const text = (key: string): unknown => pulumi.runtime.getConfig(`${PROJECT}:${key}`);
  return { clusters: value("clusters"), jwtSecret: text("jwtSecret"), namespace: text("namespace"), configMap: text("configMap"), hostJwtSecretFingerprint: text("hostJwtSecretFingerprint") };
}

/** The validated fleet, or a `RunError` (no stack trace) listing every problem of the stack config. */
export function loadFleet(projectRoot: string): FleetDeclaration {
  const stack = pulumi.getStack();
  const { fleet, errors } = validateFleetConfig(readStackConfig(), { stack, projectRoot });
  if (!fleet) throw new pulumi.RunError(problemList(`The stack config has ${errors.length} problem(s); nothing was declared.`, errors.map(formatConfigError)));
  return fleet;
}
