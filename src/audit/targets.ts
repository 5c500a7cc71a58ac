import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { InputError } from "../cli/exitCodes";
import { readStackConfig, type FileLimits } from "../check/stackFile";
import { withEnvironment } from "../check/stackInput";
import { formatConfigError, validateFleetConfig } from "../config/validateFleetConfig";
import type { ClusterRole } from "../model/fleet";
import type { KubeSphereNames } from "../model/kubernetesObjects";
import type { AuditTarget } from "./auditCluster";
import { readInputFile } from "../input/inputFile";
import { kubeconfigReader } from "./kubeconfigReader";
import { sha256Hex } from "../model/secretFacts";

/** The clusters to audit and where KubeSphere keeps its config on them. */
export interface AuditPlan {
  readonly targets: readonly AuditTarget[];
  readonly names: KubeSphereNames;
  /** A shard's `hostJwtSecretFingerprint`: its clusters' live secrets are compared with it (the host is in another stack). */
  readonly expectedJwtSecretFingerprint?: string;
  /** SHA-256 of the jwtSecret the stack declares, when it could be decrypted: the reference when the host cannot be read. */
  readonly declaredJwtSecretFingerprint?: string;
}

/**
 * The clusters of `stacks/Pulumi.<stack>.yaml`, validated by the program's own config validation (so the audit and
 * `pulumi up` agree on what the fleet is). Each cluster's kubeconfig is loaded once and pinned to its context.
 */
export function targetsFromStack(projectDir: string, stack: string, env: NodeJS.ProcessEnv, limits: FileLimits = {}): AuditPlan {
  const config = readStackConfig(projectDir, stack, env, limits);
  // A jwtSecret from the ESC environment the stack imports is not needed to read the clusters: present, not known here.
  const { values } = withEnvironment(config, undefined, []);
  const validation = validateFleetConfig(values, { stack, projectRoot: projectDir, limits });
  if (!validation.fleet) throw new InputError(validation.errors.map(formatConfigError).join("\n"));
  const fleet = validation.fleet;
  const targets = fleet.clusters.map((cluster): AuditTarget => {
    const { content, context, source } = cluster.kubeconfig;
    if (content === undefined) {
      throw new InputError(
        `Stack '${stack}', ${cluster.label}: ${source} is encrypted and could not be decrypted here (${config.undecryptedReason ?? "no passphrase"}). ` +
          `Fix: set PULUMI_CONFIG_PASSPHRASE, or audit without the stack: npm run audit -- --kubeconfig <file> --context <context>.`,
      );
    }
    const kubeConfig = loadKubeconfig(() => {
      const loaded = new KubeConfig();
      loaded.loadFromString(content);
      return loaded;
    }, source);
    const kubeConfigOfCluster = pinned(kubeConfig, context ?? kubeConfig.getCurrentContext(), source);
    assertReferencedFiles(kubeConfigOfCluster, source, limits);
    return target(kubeConfigOfCluster, cluster.name, source, { role: cluster.role as ClusterRole, version: cluster.version });
  });
  const declared = fleet.jwtSecret && "value" in fleet.jwtSecret ? sha256Hex(fleet.jwtSecret.value) : undefined;
  return {
    targets,
    names: fleet.names,
    ...(fleet.hostJwtSecretFingerprint ? { expectedJwtSecretFingerprint: fleet.hostJwtSecretFingerprint } : {}),
    ...(declared ? { declaredJwtSecretFingerprint: declared } : {}),
  };
}

/**
 * One cluster per context of one kubeconfig (`--kubeconfig FILE`, else `$KUBECONFIG` or `~/.kube/config`); the
 * cluster is named after its context. No contexts: the current-context.
 */
export function targetsFromKubeconfig(file: string | undefined, contexts: readonly string[], names: KubeSphereNames, env: NodeJS.ProcessEnv, limits: FileLimits = {}): AuditPlan {
  const source = file ? resolve(file) : (env["KUBECONFIG"] ?? resolve(homedir(), ".kube", "config"));
  // Every file of $KUBECONFIG that exists (kubectl skips missing ones), merged as client-node's loadFromDefault does.
  const files = (file ? [source] : source.split(delimiter).filter(Boolean)).filter((f) => existsSync(f));
  if (files.length === 0) {
    throw new InputError(`kubeconfig ${source} does not exist. Fix: pass --kubeconfig <file>, or --stack <name> to audit a stack's clusters.`);
  }
  const texts = files.map((f) => readInputFile(f, { label: "kubeconfig", ...limits }));
  const kubeConfig = loadKubeconfig(() => {
    const [first, ...rest] = texts.map((text, i) => {
      const loaded = new KubeConfig();
      loaded.loadFromString(text);
      loaded.makePathsAbsolute(dirname(files[i]!));
      return loaded;
    });
    for (const loaded of rest) first!.mergeConfig(loaded);
    return first!;
  }, source);
  const wanted = contexts.length > 0 ? contexts : [kubeConfig.getCurrentContext()].filter(Boolean);
  if (wanted.length === 0) throw new InputError(`kubeconfig ${source} has no current-context. Fix: pass --context <name> (one of: ${contextNames(kubeConfig)}).`);
  const duplicate = wanted.find((c, i) => wanted.indexOf(c) !== i);
  if (duplicate) throw new InputError(`--context ${duplicate} is given twice; give each context once.`);
  return {
    targets: wanted.map((context) => {
      const kubeConfigOfContext = pinned(kubeConfig, context, source);
      assertReferencedFiles(kubeConfigOfContext, source, limits);
      return target(kubeConfigOfContext, context, source);
    }),
    names,
  };
}

/**
 * The files a context's kubeconfig names (CA, client certificate and key) go through the bounded reader before
 * client-node reads them at request time: a path to a FIFO or /dev/zero is bad input, not a hung audit.
 */
function assertReferencedFiles(kubeConfig: KubeConfig, source: string, limits: FileLimits): void {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  const files: Array<[string, string | undefined]> = [
    [`cluster '${cluster?.name}' certificate-authority`, cluster?.caFile],
    [`user '${user?.name}' client-certificate`, user?.certFile],
    [`user '${user?.name}' client-key`, user?.keyFile],
  ];
  for (const [what, path] of files) if (path) readInputFile(path, { label: `kubeconfig ${source}: ${what}`, ...limits });
}

function target(kubeConfig: KubeConfig, name: string, source: string, declared?: AuditTarget["declared"]): AuditTarget {
  const context = kubeConfig.getCurrentContext();
  const server = kubeConfig.getCurrentCluster()?.server;
  const user = kubeConfig.getCurrentUser() ?? undefined;
  return {
    name,
    context,
    ...(server ? { server } : {}),
    ...(user ? { user } : {}),
    kubeconfigSource: source,
    ...(declared ? { declared } : {}),
    reader: kubeconfigReader(kubeConfig),
  };
}

/**
 * A KubeConfig of its own for one context. client-node resolves the user and cluster of the current context at
 * request time, so clusters read in parallel must not share one instance.
 */
function pinned(kubeConfig: KubeConfig, context: string, source: string): KubeConfig {
  const found = kubeConfig.getContextObject(context);
  if (!found) throw new InputError(`kubeconfig ${source} has no context '${context}'. Fix: use one of: ${contextNames(kubeConfig)}.`);
  if (!kubeConfig.clusters.some((c) => c.name === found.cluster)) {
    throw new InputError(`kubeconfig ${source}: context '${context}' names cluster '${found.cluster}', which is not in the file. Fix: add it under clusters, or pick another context.`);
  }
  const copy = new KubeConfig();
  copy.loadFromOptions({ clusters: kubeConfig.clusters, users: kubeConfig.users, contexts: kubeConfig.contexts, currentContext: context });
  return copy;
}

/** Loads a kubeconfig; a parse error names the place, never the text (the failing line may hold a key). */
function loadKubeconfig(load: () => KubeConfig, source: string): KubeConfig {
  try {
    return load();
  } catch (error) {
    const position = /\((\d+):(\d+)\)/.exec(String((error as Error).message).split("\n")[0] ?? "");
    const where = position ? ` (line ${position[1]}, column ${position[2]})` : "";
    throw new InputError(`kubeconfig ${source} cannot be read${where}. Fix: point it at the kubeconfig file kubectl uses for these clusters.`);
  }
}

function contextNames(kubeConfig: KubeConfig): string {
  const names = kubeConfig.getContexts().map((c) => c.name);
  return names.length ? names.join(", ") : "(it has no contexts)";
}
