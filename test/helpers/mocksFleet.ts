/**
 * Helpers for the program's tests: the dev stack's config, objects from the shared fixtures and snapshot folders,
 * a run of the program under the fleet mocks, and a line diff of two kubesphere.yaml texts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import type { FleetConfigInput } from "../../src/config/validateFleetConfig";
import { FIXTURES_DIR } from "./fixtures";
import { PROJECT } from "../../src/config/fleetDeclaration";
import type { KubernetesObject } from "../../src/model/kubernetesObjects";
import type { RecordedResource } from "../../src/mocks/kubernetesMocks";
import type { MockRunResult } from "../../src/mocks/runUnderMocks";

export const PROJECT_ROOT = resolve(__dirname, "../..");
export { FIXTURE_JWT_SECRET as FIXTURE_SECRET } from "./fixtures";

/** One Kubernetes object from a shared fixture file, e.g. `v3.4/kubesphere-config.member.yaml`. */
export function fixtureObject(file: string): KubernetesObject {
  return parse(readFileSync(join(FIXTURES_DIR, file), "utf8")) as KubernetesObject;
}

/** The kubesphere.yaml text of a fixture ConfigMap. */
export function fixtureKubesphereYaml(file: string): string {
  return (fixtureObject(file).data as Record<string, string>)["kubesphere.yaml"]!;
}

/** A copy of an object with one change made by `edit` (one change per test). */
export function changed<T extends object>(object: T, edit: (copy: any) => void): T {
  const copy = structuredClone(object);
  edit(copy);
  return copy;
}

/** `kubesphere-fleet:*` values of a stack file in stacks/, as plain data. */
export function stackInput(stack: string): FleetConfigInput {
  const file = parse(readFileSync(join(PROJECT_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const value = (key: string): unknown => file.config[`${PROJECT}:${key}`];
  const input = { clusters: value("clusters"), jwtSecret: value("jwtSecret"), namespace: value("namespace"), configMap: value("configMap") };
  const pin = value("hostJwtSecretFingerprint");
  return pin === undefined ? input : { ...input, hostJwtSecretFingerprint: pin };
}

/** Objects of `stacks/<stack>/live/<cluster>/*.yaml`, per cluster. */
export function liveObjects(stack: string): Map<string, KubernetesObject[]> {
  const dir = join(PROJECT_ROOT, "stacks", stack, "live");
  const clusters = new Map<string, KubernetesObject[]>();
  for (const cluster of readdirSync(dir)) {
    const objects = readdirSync(join(dir, cluster))
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, cluster, f), "utf8")).map((d) => d.toJS() as KubernetesObject));
    clusters.set(cluster, objects);
  }
  return clusters;
}

/**
 * Runs the program once (once per process: Pulumi's mocks are global) with this config and these clusters. The mocks
 * (and with them the Pulumi SDK, a second of CPU) load only now: a test file that uses none of this never loads them.
 */
export function runStack(input: FleetConfigInput, objects: ReadonlyMap<string, readonly KubernetesObject[]>, stack = "test", preview = false): Promise<MockRunResult> {
  const { runFleetUnderMocks, stackConfigOf } = require("../../src/mocks/runUnderMocks") as typeof import("../../src/mocks/runUnderMocks");
  return runFleetUnderMocks({ stack, config: stackConfigOf(input), objects, projectRoot: PROJECT_ROOT, preview });
}

/** The declared (not read) resources of one cluster, by type. */
export function declared(result: MockRunResult, cluster: string, type?: string): RecordedResource[] {
  return result.resources.filter((r) => !r.read && r.cluster === cluster && (type === undefined || r.type === type));
}

/** Lines only in `before` and only in `after`, by a longest-common-subsequence diff. */
export function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) removed.push(a[i++]!);
    else added.push(b[j++]!);
  }
  removed.push(...a.slice(i));
  added.push(...b.slice(j));
  return { removed, added };
}

/** Paths (dotted) of every string in `value` that contains `needle`. */
export function pathsContaining(value: unknown, needle: string, path: string[] = []): string[] {
  if (typeof value === "string") return value.includes(needle) ? [path.join(".")] : [];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => pathsContaining(v, needle, [...path, k]));
}

/** Declared resources whose inputs carry `needle` outside the inputs that were secrets on the wire. */
export function plaintextCopies(result: MockRunResult, needle: string): string[] {
  return result.resources
    .filter((r) => !r.read)
    .flatMap((r) => pathsContaining(r.inputs, needle).filter((p) => !r.secretPaths.some((s) => p === s || p.startsWith(`${s}.`))).map((p) => `${r.type} ${r.name}: ${p}`));
}

/** The patches a run declared: registrations on a cluster that are not its provider (nor the fleet component). */
export function patchesOf(result: MockRunResult): RecordedResource[] {
  return result.resources.filter((r) => !r.read && r.cluster !== undefined && r.type !== "pulumi:providers:kubernetes");
}
