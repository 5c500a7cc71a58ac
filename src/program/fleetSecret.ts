import { ManageMode, PROJECT, hostOf, type ClusterDeclaration, type FleetDeclaration } from "../config/fleetDeclaration";
import { KUBESPHERE_SECRET_NAME } from "../model/kubesphereSecret";
import { AUTH_PATHS, KUBESPHERE_CONFIG_KEY, layoutOf, parseKubesphereYaml } from "../model/kubesphereConfig";
import { lookup } from "../model/lookup";
import { MIN_JWT_SECRET_LENGTH, fingerprintMatches, pinLabel, secretFacts } from "../model/secretFacts";
import { kubesphereSecretText } from "../model/kubesphereSecret";
import { CLUSTER_CONFIGURATION } from "../model/installerConfig";
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

/** A jwtSecret a cluster holds, in clear, and the object that holds it (safe to print). */
interface HeldSecret {
  readonly value: string;
  readonly source: string;
}

/**
 * The fleet's jwtSecret: the stack's; else the host's current one (v3 installer: Secret kubesphere-secret; otherwise
 * kubesphere-config); else, in a shard (members only, the host in another stack) with `hostJwtSecretFingerprint`, the
 * secret a member already holds that matches the pin. An adopted secret must match the pin when there is one, and be
 * strong enough to share. Problems go to `errors`, never with the value. Clusters in `unreadable` are not read.
 */
export function fleetSecret(fleet: FleetDeclaration, live: ReadonlyMap<string, LiveCluster>, unreadable: ReadonlySet<string>, errors: string[]): FleetSecret | undefined {
  if (fleet.jwtSecret && "value" in fleet.jwtSecret) return { value: fleet.jwtSecret.value, source: fleet.jwtSecretOrigin ?? STACK_SECRET_ORIGIN };
  if (fleet.jwtSecret) {
    errors.push(encryptedSecretError(fleet.stack));
    return undefined;
  }
  const host = hostOf(fleet);
  const pin = fleet.hostJwtSecretFingerprint;
  let adopted: { held: HeldSecret; cluster: ClusterDeclaration } | undefined;
  if (host) {
    if (unreadable.has(host.name)) return undefined;
    const held = hostSecret(fleet, host, live.get(host.name) ?? {}, errors);
    if (!held) return undefined;
    if (pin && !fingerprintMatches(pin, secretFacts(held.value).digest)) {
      errors.push(
        `Stack '${fleet.stack}', ${host.label}: the host's jwtSecret (${secretFacts(held.value).fingerprint}, in ${held.source}) is not the one ${PROJECT}:hostJwtSecretFingerprint pins (${pinLabel(pin)}). ` +
          `Fix: remove the pin from the stack that holds the host, or set jwtSecret to the fleet's secret.`,
      );
      return undefined;
    }
    adopted = { held, cluster: host };
  } else if (pin) {
    adopted = pinnedSecret(fleet, pin, live, unreadable, errors);
    if (!adopted) return undefined;
  } else {
    return undefined; // validation refuses a stack with neither a host nor a source for its secret
  }
  const facts = secretFacts(adopted.held.value);
  if (facts.knownDefault || facts.length < MIN_JWT_SECRET_LENGTH) {
    const why = facts.knownDefault ?? `${facts.length} characters, fewer than ${MIN_JWT_SECRET_LENGTH}`;
    errors.push(`Stack '${fleet.stack}', ${adopted.cluster.label}: the ${host ? "host's " : ""}jwtSecret (${facts.fingerprint}, in ${adopted.held.source}) is ${why}, so the fleet must not adopt it. ${SET_FIX}`);
    return undefined;
  }
  return {
    value: adopted.held.value,
    source: host ? `adopted from the host's ${adopted.held.source}` : `adopted from ${adopted.cluster.name}'s ${adopted.held.source}, which matches ${PROJECT}:hostJwtSecretFingerprint`,
  };
}

/** The host's current secret: Secret kubesphere-secret in installer mode, kubesphere-config otherwise. */
function hostSecret(fleet: FleetDeclaration, host: ClusterDeclaration, objects: LiveCluster, errors: string[]): HeldSecret | undefined {
  const where = `Stack '${fleet.stack}', ${host.label}`;
  if (host.mode === ManageMode.installer) {
    const source = `Secret ${fleet.names.namespace}/${KUBESPHERE_SECRET_NAME}`;
    const held = objects.kubesphereSecret ? kubesphereSecretText(objects.kubesphereSecret) : undefined;
    if (typeof held === "object") return { value: held.text, source };
    errors.push(`${where}: ${source} has no key 'secret', so there is no host jwtSecret to adopt. ${SET_FIX}`);
    return undefined;
  }
  const config = configMapSecret(fleet, objects);
  if (config === "unparsable") return undefined; // the host's own plan reports a missing or unparsable kubesphere.yaml
  if (config.value !== undefined) return { value: config.value, source: config.source };
  errors.push(`${where}: ${config.source} ${KUBESPHERE_CONFIG_KEY} has no jwtSecret, so there is no host jwtSecret to adopt. ${SET_FIX}`);
  return undefined;
}

/**
 * A shard's secret: the first member whose kubesphere-config (what ks-apiserver signs with) or ClusterConfiguration
 * ks-installer (what ks-installer renders it from) holds the secret the pin names. None: an error saying what each holds.
 */
function pinnedSecret(fleet: FleetDeclaration, pin: string, live: ReadonlyMap<string, LiveCluster>, unreadable: ReadonlySet<string>, errors: string[]): { held: HeldSecret; cluster: ClusterDeclaration } | undefined {
  const seen: string[] = [];
  for (const cluster of fleet.clusters) {
    if (unreadable.has(cluster.name)) continue;
    for (const held of heldSecrets(fleet, live.get(cluster.name) ?? {})) {
      const facts = secretFacts(held.value);
      if (fingerprintMatches(pin, facts.digest)) return { held, cluster };
      seen.push(`${cluster.name}: ${facts.fingerprint} (${held.source})`);
    }
  }
  if (unreadable.size > 0) return undefined; // an unreadable cluster may hold it; its read error is reported
  errors.push(
    `Stack '${fleet.stack}': no cluster of this stack holds the jwtSecret ${PROJECT}:hostJwtSecretFingerprint pins (${pinLabel(pin)}), so there is none to adopt` +
      `${seen.length ? `; they hold ${seen.join(", ")}` : ""}. Fix: set jwtSecret to the fleet's secret (pulumi config set --secret jwtSecret, or from the fleet's Pulumi ESC environment).`,
  );
  return undefined;
}

function heldSecrets(fleet: FleetDeclaration, objects: LiveCluster): HeldSecret[] {
  const held: HeldSecret[] = [];
  const config = configMapSecret(fleet, objects);
  if (config !== "unparsable" && config.value !== undefined) held.push({ value: config.value, source: config.source });
  const spec = lookup(objects.clusterConfiguration?.spec, ["authentication", "jwtSecret"]);
  if (spec.state === "known" && typeof spec.value === "string" && spec.value !== "") {
    held.push({ value: spec.value, source: `${CLUSTER_CONFIGURATION.kind} ${fleet.names.namespace}/${CLUSTER_CONFIGURATION.name} spec.authentication.jwtSecret` });
  }
  return held;
}

/** kubesphere-config's jwtSecret (3.x or 4.x layout), or `unparsable` when there is no kubesphere.yaml to read. */
function configMapSecret(fleet: FleetDeclaration, objects: LiveCluster): { value?: string; source: string } | "unparsable" {
  const source = `ConfigMap ${fleet.names.namespace}/${fleet.names.configMap}`;
  const text = objects.configMap ? kubesphereYamlOf(objects.configMap) : undefined;
  const parsed = text === undefined ? undefined : parseKubesphereYaml(text, source);
  if (!parsed?.data) return "unparsable";
  const found = lookup(parsed.data, AUTH_PATHS[layoutOf(parsed.data)].jwtSecret);
  return found.state === "known" && String(found.value) !== "" ? { value: String(found.value), source } : { source };
}
