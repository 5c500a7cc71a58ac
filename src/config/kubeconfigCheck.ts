import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { load as loadYaml } from "js-yaml";
import { shownName, valueType } from "../input/printable";

/** `~/x` → the home directory's `x`; a relative path → resolved against the project root. */
export function resolveKubeconfigPath(path: string, projectRoot: string, home: string = homedir()): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return resolve(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(projectRoot, path);
}

export interface KubeconfigProblem {
  readonly message: string;
  readonly fix: string;
}

/**
 * The largest kubeconfig read. A real one is a few KiB (a cluster, a user, a context, certificates of ~2 KiB each);
 * one kept in a Kubernetes Secret or a ConfigMap cannot exceed 1 MiB. Parsing tens of MiB took gigabytes.
 */
export const MAX_KUBECONFIG_BYTES = 1024 * 1024;

/** A kubeconfig over `MAX_KUBECONFIG_BYTES`, as a problem naming its size and the bound; undefined otherwise. */
export function kubeconfigSizeProblem(content: string): KubeconfigProblem | undefined {
  // UTF-8 is at most 3 bytes per UTF-16 unit here: only measure what might be over the bound.
  if (content.length * 3 <= MAX_KUBECONFIG_BYTES) return undefined;
  const bytes = Buffer.byteLength(content);
  if (bytes <= MAX_KUBECONFIG_BYTES) return undefined;
  const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  return { message: `is ${mib(bytes)}; the bound is ${mib(MAX_KUBECONFIG_BYTES)}`, fix: "pass the cluster's own kubeconfig (a few KiB: one cluster, user and context), not a bundle or another file" };
}

/**
 * Whether kubeconfig text parses and has the context to use (`context`, else its current-context). Messages name
 * contexts, never the content: a parser's own message quotes the failing lines, which may hold a key or token.
 */
export function checkKubeconfig(content: string, context: string | undefined): KubeconfigProblem | undefined {
  const tooLarge = kubeconfigSizeProblem(content);
  if (tooLarge) return tooLarge;
  let config: KubeconfigContexts;
  try {
    config = readContexts(content);
  } catch (error) {
    const position = /\((\d+):(\d+)\)/.exec(String((error as Error).message).split("\n")[0] ?? "");
    const where = position ? ` (line ${position[1]}, column ${position[2]})` : "";
    return { message: `is not a readable kubeconfig${where}`, fix: "point it at the kubeconfig file kubectl uses for this cluster" };
  }
  const contexts = config.contexts;
  const wanted = context ?? (config.currentContext || undefined);
  if (wanted === undefined) {
    return { message: "has no current-context and no context is set", fix: `set kubeconfig.context to one of: ${list(contexts)}` };
  }
  if (!contexts.includes(wanted)) {
    const name = typeof wanted === "string" ? `'${shownName(wanted)}'` : `(${valueType(wanted)})`;
    const what = context !== undefined ? `context ${name}` : `current-context ${name}`;
    return { message: `has no ${what}`, fix: `set kubeconfig.context to one of: ${list(contexts)}` };
  }
  return undefined;
}

interface KubeconfigContexts {
  readonly contexts: readonly unknown[];
  readonly currentContext: unknown;
}

/**
 * A kubeconfig's context names and current-context, accepted and refused as @kubernetes/client-node 1.x
 * `KubeConfig.loadFromString` does (`dist/config.js`, `dist/config_types.js`): js-yaml with its default schema; a
 * cluster needs `name`, `cluster` and a string `cluster.server`, a context `name`, `context` and `context.cluster`,
 * a user `name`; a list that is not a list counts as empty. Without loading client-node, whose API client takes as
 * long to load as the Pulumi SDK, for a check that only asks whether this is a kubeconfig with that context.
 * (client-node also reads a user's `token-file` while loading; a missing token file is left to the cluster's own
 * reader, the provider or the audit, which resolve it as kubectl does.) Throws on what it refuses.
 */
function readContexts(content: string): KubeconfigContexts {
  const document = loadYaml(content) as Record<string, unknown> | null | undefined;
  if (document === null || document === undefined) throw new Error("the kubeconfig is empty");
  const entries = (key: string, check: (entry: Record<string, unknown>, where: string) => void): Record<string, unknown>[] => {
    const list = document[key];
    if (!Array.isArray(list)) return [];
    return list.map((entry: unknown, i) => {
      const where = `${key}[${i}]`;
      if (entry === null || typeof entry !== "object" || !(entry as Record<string, unknown>)["name"]) throw new Error(`${where}.name is missing`);
      check(entry as Record<string, unknown>, where);
      return entry as Record<string, unknown>;
    });
  };
  const member = (value: unknown, key: string): unknown => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined);
  entries("clusters", (cluster, where) => {
    if (!cluster["cluster"]) throw new Error(`${where}.cluster is missing`);
    const server = member(cluster["cluster"], "server");
    if (!server || typeof server !== "string") throw new Error(`${where}.cluster.server is missing`);
  });
  entries("users", () => undefined);
  const contexts = entries("contexts", (ctx, where) => {
    if (!ctx["context"]) throw new Error(`${where}.context is missing`);
    if (!member(ctx["context"], "cluster")) throw new Error(`${where}.context.cluster is missing`);
  });
  return { contexts: contexts.map((c) => c["name"]), currentContext: document["current-context"] };
}

/** The kubeconfig's context names, each as a name from a file is shown, at most 10 of them. */
function list(names: readonly unknown[]): string {
  if (names.length === 0) return "(it has no contexts)";
  const shown = names.slice(0, 10).map((n) => (typeof n === "string" ? shownName(n) : `(${valueType(n)})`));
  return `${shown.join(", ")}${names.length > 10 ? `, and ${names.length - 10} more` : ""}`;
}
