import { readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { InputError } from "../cli/exitCodes";
import { readYamlDocuments } from "../input/boundedYaml";
import { InputFileError, InputFileRule, isInside, readInputFile } from "../input/inputFile";

export interface LiveSnapshotOptions {
  /** Per file; default 8 MiB. */
  readonly maxBytes?: number;
  /** How the user raises the limit, named in the message. */
  readonly raiseWith?: string;
}

/**
 * A snapshot folder as `npm run audit -- --save DIR` writes it: `DIR/<cluster-name>/*.yaml`, each file holding
 * objects or Lists as `kubectl get -o yaml` prints them. Returns each cluster's objects, Lists expanded.
 *
 * Whoever opens a pull request controls this folder, so every file goes through the bounded reader: regular files
 * only, symlinks (of cluster folders and of files) must stay inside DIR, a size cap per file, YAML parser limits.
 */
export function readLiveSnapshot(dir: string, options: LiveSnapshotOptions = {}): Map<string, KubernetesObject[]> {
  if (!isFolder(dir)) throw notAFolder(dir);
  const root = realpathSync(dir);
  const clusters = new Map<string, KubernetesObject[]>();
  for (const cluster of readdirSync(dir).sort()) {
    const clusterDir = join(dir, cluster);
    if (!isFolder(clusterDir)) continue;
    if (!isInside(root, realpathSync(clusterDir))) {
      throw new InputFileError(clusterDir, InputFileRule.outside, `resolves to a folder outside ${dir}; a symlink there must stay inside it`, `copy the folder into ${dir} instead of linking to it`, "--live");
    }
    const objects: KubernetesObject[] = [];
    for (const file of readdirSync(clusterDir).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      const path = join(clusterDir, file);
      const text = readInputFile(path, { label: "--live", within: dir, ...options });
      for (const value of readYamlDocuments(text, "--live", path)) objects.push(...expandList(value, path));
    }
    clusters.set(cluster, objects);
  }
  return clusters;
}

/**
 * The clusters without a folder in the snapshot `dir`, found without reading a file (the check across stacks asks
 * for every stack's before it runs any): the message naming them and how to save them, or undefined when none is
 * missing. Bad input when `dir` is not a folder.
 */
export function missingSnapshotFolders(dir: string, stack: string, clusters: readonly string[]): string | undefined {
  if (!isFolder(dir)) throw notAFolder(dir);
  // Cluster names are DNS-1123 labels (validated), so each is one folder name inside `dir`.
  const missing = clusters.filter((cluster) => !isFolder(join(dir, cluster)));
  if (missing.length === 0) return undefined;
  return `--live ${dir} has no folder for ${missing.map((m) => `'${m}'`).join(", ")}. Save one with \`npm run audit -- --stack ${stack} --save ${dir}\`.`;
}

function notAFolder(dir: string): InputError {
  return new InputError(`--live ${dir} is not a folder. Make one with \`npm run audit -- --stack <name> --save ${dir}\`.`);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function expandList(value: unknown, path: string): KubernetesObject[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new InputError(`--live ${path}: expected a Kubernetes object or List.`);
  const object = value as KubernetesObject & { items?: unknown };
  if (typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items)) {
    return object.items.flatMap((item) => expandList(item, path));
  }
  return [object];
}
