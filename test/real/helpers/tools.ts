/**
 * The real tools `npm run real-tools` builds (scripts/realTools.js says where) and the ones found on PATH. No ava
 * here: the bench starts real clusters and the real CLI with these helpers too (realTools.ts declares the tests).
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { realToolsBinDir } from "../../../scripts/realTools";

/** Built into the cache by `npm run real-tools` (etcd is a link to Debian's etcd-server there). */
export type CacheTool = "kube-apiserver" | "kube-controller-manager" | "etcd" | "pulumi" | "pulumi-resource-kubernetes" | "pulumi-language-yaml";
/** Found on PATH: the machine's own kubectl (client-side apply as users run it) and openssl (the test CA). */
export type PathTool = "kubectl" | "openssl";

export const REAL_TOOLS_BIN = realToolsBinDir();

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of a tool from the cache. */
export function cacheTool(name: CacheTool): string {
  return join(REAL_TOOLS_BIN, name);
}

/** The path of a tool on PATH, or undefined. */
export function pathTool(name: PathTool): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The tools of `needed` that are not here, said in one phrase with where each kind should be; undefined when none is missing. */
export function missingTools(needed: readonly (CacheTool | PathTool)[]): string | undefined {
  const onPath = (name: CacheTool | PathTool): name is PathTool => name === "kubectl" || name === "openssl";
  const notOnPath = needed.filter((name) => onPath(name) && !pathTool(name));
  const notBuilt = needed.filter((name) => !onPath(name) && !executable(cacheTool(name)));
  const parts = [
    ...(notBuilt.length ? [`${notBuilt.join(", ")} (not in ${REAL_TOOLS_BIN}: run npm run real-tools)`] : []),
    ...(notOnPath.length ? [`${notOnPath.join(", ")} (not on PATH)`] : []),
  ];
  return parts.length ? parts.join("; ") : undefined;
}

