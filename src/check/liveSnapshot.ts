import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { InputError } from "../cli/exitCodes";

/**
 * A snapshot folder as `npm run audit -- --save DIR` writes it: `DIR/<cluster-name>/*.yaml`, each file holding
 * objects or Lists as `kubectl get -o yaml` prints them. Returns each cluster's objects, Lists expanded.
 */
export function readLiveSnapshot(dir: string): Map<string, KubernetesObject[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`--live ${dir} is not a folder. Make one with \`npm run audit -- --stack <name> --save ${dir}\`.`);
  const clusters = new Map<string, KubernetesObject[]>();
  for (const cluster of readdirSync(dir).sort()) {
    const clusterDir = join(dir, cluster);
    if (!statSync(clusterDir).isDirectory()) continue;
    const objects: KubernetesObject[] = [];
    for (const file of readdirSync(clusterDir).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      const path = join(clusterDir, file);
      const lineCounter = new LineCounter();
      for (const doc of parseAllDocuments(readFileSync(path, "utf8"), { lineCounter })) {
        const error = doc.errors[0];
        if (error) {
          const { line, col } = lineCounter.linePos(error.pos[0]);
          throw new InputError(`--live ${path}: not valid YAML at line ${line}, column ${col} (${error.code}).`);
        }
        const value = doc.toJS() as unknown;
        if (value === null || value === undefined) continue;
        objects.push(...expandList(value, path));
      }
    }
    clusters.set(cluster, objects);
  }
  return clusters;
}

function expandList(value: unknown, path: string): KubernetesObject[] {
  if (typeof value !== "object" || Array.isArray(value)) throw new InputError(`--live ${path}: expected a Kubernetes object or List.`);
  const object = value as KubernetesObject & { items?: unknown };
  if (typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items)) {
    return object.items.flatMap((item) => expandList(item, path));
  }
  return [object];
}
