import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

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
 * Whether kubeconfig text parses and has the context to use (`context`, else its current-context). Messages name
 * contexts, never the content: a parser's own message quotes the failing lines, which may hold a key or token.
 */
export function checkKubeconfig(content: string, context: string | undefined): KubeconfigProblem | undefined {
  const config = new KubeConfig();
  try {
    config.loadFromString(content);
  } catch (error) {
    const position = /\((\d+):(\d+)\)/.exec(String((error as Error).message).split("\n")[0] ?? "");
    const where = position ? ` (line ${position[1]}, column ${position[2]})` : "";
    return { message: `is not a readable kubeconfig${where}`, fix: "point it at the kubeconfig file kubectl uses for this cluster" };
  }
  const contexts = config.getContexts().map((c) => c.name);
  const wanted = context ?? (config.getCurrentContext() || undefined);
  if (wanted === undefined) {
    return { message: "has no current-context and no context is set", fix: `set kubeconfig.context to one of: ${list(contexts)}` };
  }
  if (!contexts.includes(wanted)) {
    const what = context !== undefined ? `context '${wanted}'` : `current-context '${wanted}'`;
    return { message: `has no ${what}`, fix: `set kubeconfig.context to one of: ${list(contexts)}` };
  }
  return undefined;
}

function list(names: readonly string[]): string {
  return names.length ? names.join(", ") : "(it has no contexts)";
}
