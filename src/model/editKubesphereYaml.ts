import { isMap, isScalar, parseDocument, Scalar, type Document, type Node, type YAMLMap } from "yaml";
import { durationSeconds } from "./duration";
import { KubeSphereLayout, type ParseProblem } from "./fleet";
import { AUTH_PATHS, KUBESPHERE_CONFIG_KEY, layoutOf, parseKubesphereYaml } from "./kubesphereConfig";
import { lookup } from "./lookup";

/** What to set in a kubesphere.yaml. Anything not named stays as it is. */
export interface KubesphereYamlChange {
  /** The fleet's jwtSecret, in clear. It is written into the text and never into a message. */
  readonly jwtSecret?: string;
  /** Set accessTokenMaxAge to the layout's zero (v3 `0`, v4 `0s`), as a member needs. */
  readonly zeroAccessTokenMaxAge?: boolean;
  /**
   * Set `multicluster.clusterRole` where the file already has that key (3.3+ and 4.x render it; 3.0–3.2 never do, and
   * their role is not read from the file).
   */
  readonly clusterRole?: string;
}

const CLUSTER_ROLE_PATH = ["multicluster", "clusterRole"] as const;

/** How each layout writes a zero accessTokenMaxAge: 3.x renders the integer `0`, the 4.x chart `0s`. */
export const ZERO_ACCESS_TOKEN_MAX_AGE = { [KubeSphereLayout.v3]: "0", [KubeSphereLayout.v4]: "0s" } as const;

export type KubesphereYamlEdit =
  | {
      readonly ok: true;
      /** The edited text; equal to the input when nothing had to change. */
      readonly text: string;
      readonly layout: KubeSphereLayout;
      /** Dotted key paths that were changed or added, e.g. `authentication.jwtSecret`. Never values. */
      readonly changedKeys: readonly string[];
    }
  | { readonly ok: false; readonly problem: ParseProblem };

/**
 * Sets jwtSecret and (for members) accessTokenMaxAge in a kubesphere.yaml, in the layout the text already uses
 * (v3 `authentication.*`, v4 `authentication.issuer.*`). Where a 3.x file writes a key more than once (ks-installer
 * 3.3/3.4 renders a member's accessTokenMaxAge twice), ks-apiserver reads the last one, so the last occurrence is the
 * one edited and the earlier ones stay as they are; a 4.x file with a repeated key is refused. Only the bytes of the touched scalars change: comments, key
 * order, blank lines, `True` and every other value stay byte for byte. A replaced scalar keeps its quoting style; a
 * missing key is added as the first key of its nearest existing parent, with that parent's indentation.
 * `source` names the object in a problem (e.g. `ConfigMap kubesphere-system/kubesphere-config`).
 */
export function editKubesphereYaml(text: string, change: KubesphereYamlChange, source: string = KUBESPHERE_CONFIG_KEY): KubesphereYamlEdit {
  const parsed = parseKubesphereYaml(text, source);
  if (!parsed.data) return { ok: false, problem: parsed.problem! };
  const layout = layoutOf(parsed.data);
  const paths = AUTH_PATHS[layout];
  const edits: Array<{ path: readonly string[]; value: unknown; render: (existing: Scalar | undefined) => string }> = [];
  if (change.jwtSecret !== undefined) {
    const secret = change.jwtSecret;
    edits.push({ path: paths.jwtSecret, value: secret, render: (existing) => renderString(secret, existing) });
  }
  if (change.zeroAccessTokenMaxAge) {
    const zero = ZERO_ACCESS_TOKEN_MAX_AGE[layout];
    edits.push({
      path: paths.accessTokenMaxAge,
      value: 0,
      render: (existing) => (layout === KubeSphereLayout.v4 && existing && existing.type !== Scalar.PLAIN ? renderString(zero, existing) : zero),
    });
  }

  if (change.clusterRole !== undefined && lookup(parsed.data, CLUSTER_ROLE_PATH).state === "known") {
    const role = change.clusterRole;
    edits.push({ path: CLUSTER_ROLE_PATH, value: role, render: (existing) => renderString(role, existing) });
  }

  // Most configs of a healthy fleet already hold both values: then the text is the answer, without the `yaml`
  // Document parses below (the bulk of a 1,000-cluster check's program time).
  if (edits.every((edit) => holds(parsed.data, edit.path, edit.value))) return { ok: true, text, layout, changedKeys: [] };

  let result = text;
  const changedKeys: string[] = [];
  // One edit at a time on freshly parsed text, so every offset is exact.
  for (const edit of edits) {
    const doc = parseDocument(result, { uniqueKeys: false });
    const splice = planEdit(doc, result, edit.path, edit.value, edit.render);
    if ("problem" in splice) return { ok: false, problem: { source, where: KUBESPHERE_CONFIG_KEY, message: splice.problem } };
    if (splice.unchanged) continue;
    result = result.slice(0, splice.start) + splice.insert + result.slice(splice.end);
    changedKeys.push(edit.path.join("."));
  }
  return { ok: true, text: result, layout, changedKeys };
}

type Splice = { readonly start: number; readonly end: number; readonly insert: string; readonly unchanged?: boolean } | { readonly problem: string };

function planEdit(doc: Document, text: string, path: readonly string[], value: unknown, render: (existing: Scalar | undefined) => string): Splice {
  let parent: YAMLMap | undefined = isMap(doc.contents) ? doc.contents : undefined;
  if (!parent) {
    if (doc.contents !== null && !(isScalar(doc.contents) && doc.contents.value === null)) return { problem: `${KUBESPHERE_CONFIG_KEY} is not a YAML mapping` };
    return { start: text.length, end: text.length, insert: (text === "" || text.endsWith("\n") ? "" : "\n") + nestedBlock(path, 0, render(undefined)) };
  }
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth]!;
    const node = lastValue(parent, key);
    const last = depth === path.length - 1;
    if (node === undefined || (isScalar(node) && node.value === null && !last)) {
      if (node !== undefined) return { problem: `${path.slice(0, depth + 1).join(".")} is empty; give it a mapping or remove it` };
      return insertFirst(parent, text, path.slice(depth), path.slice(0, depth), render(undefined));
    }
    if (last) {
      if (!isScalar(node)) return { problem: `${path.join(".")} is not a single value` };
      if (sameValue(node.value, value)) return { start: 0, end: 0, insert: "", unchanged: true };
      const [start, end] = node.range!;
      const emptyAfterColon = start === end && text[start - 1] === ":";
      return { start, end, insert: (emptyAfterColon ? " " : "") + render(node) };
    }
    if (!isMap(node) || node.flow) return { problem: `${path.slice(0, depth + 1).join(".")} is not a block mapping, so ${path.join(".")} cannot be set in place` };
    parent = node;
  }
  return { problem: `${path.join(".")} has no key` };
}

/** The value of the last pair with this key: the one ks-apiserver 3.x reads when a key is repeated. */
function lastValue(map: YAMLMap, key: string): Node | undefined {
  for (let i = map.items.length - 1; i >= 0; i--) {
    const pair = map.items[i]!;
    const name = isScalar(pair.key) ? pair.key.value : pair.key;
    if (name === key) return (pair.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

/** Adds `rest` (a key path) as the first key of `parent`, indented like its existing first key. */
function insertFirst(parent: YAMLMap, text: string, rest: readonly string[], above: readonly string[], rendered: string): Splice {
  const first = parent.items[0]?.key as Node | undefined;
  const where = above.length ? above.join(".") : "the top level";
  if (!first?.range) return { problem: `${where} has no keys to align ${rest.join(".")} with` };
  const keyStart = first.range[0];
  const lineStart = text.lastIndexOf("\n", keyStart - 1) + 1;
  const indent = text.slice(lineStart, keyStart);
  if (!/^ *$/.test(indent)) return { problem: `${where} does not start on its own line, so ${rest.join(".")} cannot be added in place` };
  return { start: lineStart, end: lineStart, insert: nestedBlock(rest, indent.length, rendered) };
}

function nestedBlock(path: readonly string[], indent: number, rendered: string): string {
  return path.map((key, i) => `${" ".repeat(indent + 2 * i)}${key}:${i === path.length - 1 ? ` ${rendered}` : ""}\n`).join("");
}

/** Whether `path` already holds `value` as a single value (what `planEdit` would leave unchanged). */
function holds(data: unknown, path: readonly string[], value: unknown): boolean {
  const found = lookup(data, path);
  return found.state === "known" && (found.value === null || typeof found.value !== "object") && sameValue(found.value, value);
}

function sameValue(current: unknown, wanted: unknown): boolean {
  if (typeof wanted === "number") return durationSeconds(current) === wanted;
  return current === wanted;
}

/** A string scalar in the existing quoting style where it can carry the value, else double-quoted. */
function renderString(value: string, existing: Scalar | undefined): string {
  switch (existing?.type) {
    case Scalar.QUOTE_SINGLE:
      return `'${value.replace(/'/g, "''")}'`;
    case Scalar.PLAIN:
      if (isPlainSafe(value)) return value;
      return JSON.stringify(value);
    default:
      return JSON.stringify(value);
  }
}

/** Text that YAML reads back as this same string when written plain. */
function isPlainSafe(value: string): boolean {
  if (!/^[A-Za-z0-9_./+=][A-Za-z0-9_./+=-]*$/.test(value)) return false;
  const reread: unknown = parseDocument(value).toJS();
  return reread === value;
}
