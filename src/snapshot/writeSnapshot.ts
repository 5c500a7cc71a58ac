import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { InputError } from "../cli/exitCodes";
import { assertFileCanBeCreated, writeFileSafely } from "../cli/outputPath";
import type { KubernetesObject } from "../model/kubernetesObjects";

/**
 * The snapshot folder that `npm run audit -- --save DIR` writes and `npm run check -- --live DIR` reads:
 *
 *     DIR/<cluster>/<kind>-<name>.yaml     e.g. DIR/member-1/configmap-kubesphere-config.yaml
 *
 * One object per file, as `kubectl get -o yaml` prints it (keys sorted, multi-line strings as literal blocks),
 * without `metadata.managedFields` and without the `kubectl.kubernetes.io/last-applied-configuration` annotation,
 * which holds a second plaintext copy of the jwtSecret. Folders are 0700 and files 0600: they hold the jwtSecret.
 */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

export const SNAPSHOT_FILE_MODE = 0o600;
/** The audit's flag that writes a snapshot, for messages. */
export const SAVE_FLAG = "--save";
export const SNAPSHOT_DIR_MODE = 0o700;

/** The object without server bookkeeping that holds secrets or noise: managedFields and the last-applied annotation. */
export function snapshotObject(object: KubernetesObject): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(object as Record<string, unknown>) };
  const metadata = object.metadata;
  if (metadata !== null && typeof metadata === "object" && !Array.isArray(metadata)) {
    const { managedFields: _managedFields, annotations, ...rest } = metadata as Record<string, unknown>;
    const kept: Record<string, unknown> = { ...rest };
    if (annotations !== null && typeof annotations === "object" && !Array.isArray(annotations)) {
      const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...otherAnnotations } = annotations as Record<string, unknown>;
      if (Object.keys(otherAnnotations).length > 0) kept["annotations"] = otherAnnotations;
    }
    copy["metadata"] = kept;
  }
  return copy;
}

/** `kubectl get -o yaml` text of an object (after `snapshotObject`). */
export function snapshotYaml(object: KubernetesObject): string {
  return stringify(snapshotObject(object), { sortMapEntries: true, blockQuote: "literal", lineWidth: 0 });
}

/** `configmap-kubesphere-config.yaml` */
export function snapshotFileName(object: KubernetesObject): string {
  const kind = typeof object.kind === "string" ? object.kind.toLowerCase() : "object";
  const metadata = (object.metadata ?? {}) as { name?: unknown };
  const name = typeof metadata.name === "string" ? metadata.name : "unnamed";
  return `${safeSegment(kind)}-${safeSegment(name)}.yaml`;
}

/**
 * Writes one cluster's objects into `dir/<cluster>/`, replacing the files of an earlier snapshot of that cluster
 * (a file for an object that is gone now is removed, so the check never reads a stale object). Returns the paths.
 */
export function writeClusterSnapshot(dir: string, cluster: string, objects: readonly KubernetesObject[]): string[] {
  const clusterDir = join(dir, safeSegment(cluster));
  mkdirSync(clusterDir, { recursive: true, mode: SNAPSHOT_DIR_MODE });
  // A symlink planted as the cluster's folder would take its jwtSecret wherever it leads.
  if (!lstatSync(clusterDir).isDirectory()) {
    throw new InputError(`${SAVE_FLAG} ${clusterDir} is not a folder (a symlink, or a file); a snapshot is never written through one. Fix: remove it (rm ${clusterDir}), or save to another folder.`);
  }
  chmodSync(clusterDir, SNAPSHOT_DIR_MODE);
  const written: string[] = [];
  for (const object of objects) {
    const path = join(clusterDir, snapshotFileName(object));
    // Created 0600 from the first byte under a temp name nobody planted, then renamed over any older file.
    writeFileSafely(SAVE_FLAG, path, snapshotYaml(object), SNAPSHOT_FILE_MODE);
    written.push(path);
  }
  for (const entry of readdirSync(clusterDir)) {
    const path = join(clusterDir, entry);
    if (entry.endsWith(".yaml") && !written.includes(path)) removeIfPresent(path);
  }
  return written;
}

/**
 * Makes the snapshot folder `dir` (0700, with its missing parents) before any cluster is read, and proves a file can
 * be created in it: a folder that cannot be made (a dangling symlink on the way, a file system that refuses) is bad
 * input up front, not after every cluster was read. Returns the first folder it created, if any.
 */
export function prepareSnapshotFolder(dir: string): string | undefined {
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true, mode: SNAPSHOT_DIR_MODE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new InputError(`${SAVE_FLAG} ${dir} cannot be created (${code}). Fix: give a folder you can write to, or a path whose existing part is real folders (no dangling symlink).`);
  }
  assertFileCanBeCreated(SAVE_FLAG, dir);
  return created;
}

/** Removes the folders `prepareSnapshotFolder` created (from `dir` up to `created`), if nothing was written into them. */
export function removeUnusedSnapshotFolder(dir: string, created: string | undefined): void {
  if (created === undefined) return;
  for (let folder = dir; ; folder = dirname(folder)) {
    try {
      rmdirSync(folder);
    } catch {
      return;
    }
    if (folder === created || dirname(folder) === folder) return;
  }
}

/** Unlinks a file; one already gone (another writer removed it first) is not an error. No exists-then-delete race. */
function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/** The folder of an earlier snapshot of `cluster` in `dir`, if there is one. */
export function existingClusterSnapshot(dir: string, cluster: string): string | undefined {
  const clusterDir = join(dir, safeSegment(cluster));
  return existsSync(clusterDir) ? clusterDir : undefined;
}

/** A name usable as one path segment: no separators, no `..`. */
function safeSegment(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
  return cleaned === "" ? "_" : cleaned;
}
