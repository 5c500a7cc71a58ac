import { KubeSphereFleet, type KubeSphereFleetArgs } from "../component/kubeSphereFleet";
import * as pulumi from "@pulumi/pulumi";
import { majorOf, type FleetDeclaration } from "../config/fleetDeclaration";
import type { FleetOutputs } from "./fleetProgram";
import { STACK_SECRET_ORIGIN, encryptedSecretError } from "./fleetSecret";
import { loadFleet } from "./stackConfig";

/** The component's name in this project's program (its children keep their names from before the component). */
export const PROGRAM_FLEET_NAME = "kubesphere-fleet";

export interface FleetRun {
  readonly outputs: FleetOutputs;
  readonly fleet: KubeSphereFleet;
}

/**
 * This project's program: the stack config, validated, mapped onto one `KubeSphereFleet`. `projectRoot` anchors
 * relative kubeconfig paths. Resolves when the fleet is declared; rejects with its `RunError` otherwise.
 */
export async function fleetMain(projectRoot: string): Promise<FleetRun> {
  const fleet = new KubeSphereFleet(PROGRAM_FLEET_NAME, fleetArgs(loadFleet(projectRoot)));
  return { outputs: await fleet.declared(), fleet };
}

/** A validated stack config as the component's args: kubeconfigs as text, the secret as given. */
export function fleetArgs(fleet: FleetDeclaration): KubeSphereFleetArgs {
  const where = `Stack '${fleet.stack}'`;
  const unread = fleet.clusters.find((c) => c.kubeconfig.content === undefined);
  if (unread) throw new pulumi.RunError(`${where}, ${unread.label}: the kubeconfig (${unread.kubeconfig.source}) could not be read. Fix: run with the stack's secrets provider (PULUMI_CONFIG_PASSPHRASE).`);
  if (fleet.jwtSecret && "encrypted" in fleet.jwtSecret) throw new pulumi.RunError(encryptedSecretError(fleet.stack));
  return {
    clusters: fleet.clusters.map((c) => ({
      name: c.name,
      role: c.role,
      version: c.version,
      ...(majorOf(c.version) === 3 ? { manage: c.mode, ksInstaller: c.ksInstaller } : {}),
      kubeconfig: c.kubeconfig.content!,
      ...(c.kubeconfig.context ? { context: c.kubeconfig.context } : {}),
    })),
    ...(fleet.jwtSecret && "value" in fleet.jwtSecret ? { jwtSecret: fleet.jwtSecret.value, jwtSecretOrigin: STACK_SECRET_ORIGIN } : {}),
    ...(fleet.hostJwtSecretFingerprint ? { hostJwtSecretFingerprint: fleet.hostJwtSecretFingerprint } : {}),
    namespace: fleet.names.namespace,
    configMap: fleet.names.configMap,
    adoptUnparented: true,
  };
}
