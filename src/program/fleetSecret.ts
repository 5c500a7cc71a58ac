import { ManageMode, PROJECT, hostOf, type FleetDeclaration } from "../config/fleetDeclaration";
import { KUBESPHERE_SECRET_NAME } from "../model/kubesphereSecret";
import { AUTH_PATHS, KUBESPHERE_CONFIG_KEY, layoutOf, parseKubesphereYaml } from "../model/kubesphereConfig";
import { lookup } from "../model/lookup";
import { MIN_JWT_SECRET_LENGTH, secretFacts } from "../model/secretFacts";
import { kubesphereSecretText } from "../model/kubesphereSecret";
import { kubesphereYamlOf, type LiveCluster } from "./liveCluster";

export interface FleetSecret {
  /** In clear: only ever written into Pulumi secrets. */
  readonly value: string;
  /** Where it came from, safe to print. */
  readonly source: string;
}

const SET_FIX = `Fix: set the fleet's secret with: pulumi config set --secret jwtSecret "$(openssl rand -hex 16)".`;

/** Where the fleet's secret comes from when the stack config sets it. */
export const STACK_SECRET_ORIGIN = `stack config ${PROJECT}:jwtSecret`;

/** A stack's jwtSecret that is still a secure value where the program runs. */
export function encryptedSecretError(stack: string): string {
  return `Stack '${stack}': ${PROJECT}:jwtSecret is encrypted and could not be read. Fix: run with the stack's secrets provider (PULUMI_CONFIG_PASSPHRASE).`;
}

/**
 * The fleet's jwtSecret: the stack's, else the host's current one (v3 installer: Secret kubesphere-secret; otherwise
 * kubesphere-config), which must be strong enough to share. Problems go to `errors`, never with the value.
 */
export function fleetSecret(fleet: FleetDeclaration, host: LiveCluster, errors: string[]): FleetSecret | undefined {
  if (fleet.jwtSecret && "value" in fleet.jwtSecret) return { value: fleet.jwtSecret.value, source: fleet.jwtSecretOrigin ?? STACK_SECRET_ORIGIN };
  if (fleet.jwtSecret) {
    errors.push(encryptedSecretError(fleet.stack));
    return undefined;
  }
  const cluster = hostOf(fleet);
  const where = `Stack '${fleet.stack}', ${cluster.label}`;
  const { namespace, configMap } = fleet.names;
  let value: string | undefined;
  let source: string;
  if (cluster.mode === ManageMode.installer) {
    source = `Secret ${namespace}/${KUBESPHERE_SECRET_NAME}`;
    const held = host.kubesphereSecret ? kubesphereSecretText(host.kubesphereSecret) : undefined;
    value = typeof held === "object" ? held.text : undefined;
    if (value === undefined) errors.push(`${where}: ${source} has no key 'secret', so there is no host jwtSecret to adopt. ${SET_FIX}`);
  } else {
    source = `ConfigMap ${namespace}/${configMap}`;
    const text = host.configMap ? kubesphereYamlOf(host.configMap) : undefined;
    const parsed = text === undefined ? undefined : parseKubesphereYaml(text, source);
    if (!parsed?.data) return undefined; // the host's own plan reports a missing or unparsable kubesphere.yaml
    const found = lookup(parsed.data, AUTH_PATHS[layoutOf(parsed.data)].jwtSecret);
    value = found.state === "known" && String(found.value) !== "" ? String(found.value) : undefined;
    if (value === undefined) errors.push(`${where}: ${source} ${KUBESPHERE_CONFIG_KEY} has no jwtSecret, so there is no host jwtSecret to adopt. ${SET_FIX}`);
  }
  if (value === undefined) return undefined;
  const facts = secretFacts(value);
  if (facts.knownDefault || facts.length < MIN_JWT_SECRET_LENGTH) {
    const why = facts.knownDefault ?? `${facts.length} characters, fewer than ${MIN_JWT_SECRET_LENGTH}`;
    errors.push(`${where}: the host's jwtSecret (${facts.fingerprint}, in ${source}) is ${why}, so the fleet must not adopt it. ${SET_FIX}`);
    return undefined;
  }
  return { value, source: `adopted from the host's ${source}` };
}
