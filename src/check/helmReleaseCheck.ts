import { createHash } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import { InputError } from "../cli/exitCodes";
import { readYamlDocuments } from "../input/boundedYaml";
import { readInputFile } from "../input/inputFile";
import { shownName } from "../input/printable";
import { isPlainObject } from "../model/lookup";
import { isUnknownValue } from "../model/unknownValue";
import type { RecordedResource } from "../mocks/kubernetesMocks";
import type { FileLimits } from "./stackFile";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** An asset as the program runner hands it over (its promises settled): one of a file path, a text or a URI. */
export interface PlainAsset {
  readonly __pulumiAsset: true;
  readonly path?: string;
  readonly text?: string;
  readonly uri?: string;
}

export interface HelmReleaseContext {
  /** The program folder: the provider runs there, so a relative `FileAsset` path is relative to it. */
  readonly programDir: string;
  /** The release's provider's `namespace` input, else `default` (the provider's default namespace). */
  readonly defaultNamespace: string;
  readonly limits: FileLimits;
  /** How messages name the program and stack. */
  readonly where: string;
}

/**
 * A Helm `Release`'s inputs as the kubernetes provider's Check hands them on (pulumi-kubernetes v4.25.0,
 * provider/pkg/provider/helm_release.go), which is what the engine gives a policy pack's Analyze:
 * - `name`, when missing or empty: `<resource name>-` and 8 random hex digits (:355 assignNameIfAutonameable,
 *   :690–697; here the hex comes from the URN, so runs agree);
 * - `namespace`, when missing or empty: the provider's default namespace (:356 setDefaults, :413–417);
 * - `timeout` 300 unless `skipAwait` or a `timeout` is given (:418–426, :62);
 * - `valueYamlFiles` read in order, each merged over the ones before (:287–311, helm's MergeMaps: maps merged key by
 *   key, anything else replaced), then `values` merged over them (:317, :1328–1340 mergeMaps: nulls dropped from
 *   both unless `allowNullValues`, then mergo's override, under which an empty value (``, 0, false) of `values` does
 *   not replace one from a file); `valueYamlFiles` is no field of the decoded release, so it is gone from the result (:381).
 * The chart is not fetched (:363–377 loads it to pin `version`): a version range stays as the program wrote it.
 * Value files are read with the bounded reader (size limit, regular files).
 */
export function checkHelmRelease(resource: RecordedResource, urn: string, context: HelmReleaseContext): RecordedResource {
  const inputs: Record<string, unknown> = { ...resource.inputs };
  if (inputs["name"] === undefined || inputs["name"] === "") inputs["name"] = `${resource.name}-${createHash("sha256").update(urn).digest("hex").slice(0, 8)}`;
  if (inputs["namespace"] === undefined || inputs["namespace"] === "") inputs["namespace"] = context.defaultNamespace;
  if (inputs["skipAwait"] !== true && inputs["timeout"] === undefined) inputs["timeout"] = 300;
  const files = inputs["valueYamlFiles"];
  delete inputs["valueYamlFiles"];
  let fromFiles: Record<string, unknown> = {};
  if (Array.isArray(files)) {
    for (const [i, asset] of files.entries()) fromFiles = helmMergeMaps(fromFiles, valuesOfAsset(asset, i, resource, context));
  }
  const allowNulls = inputs["allowNullValues"] === true;
  const values = isPlainObject(inputs["values"]) ? inputs["values"] : {};
  if (Array.isArray(files) || inputs["values"] !== undefined) {
    inputs["values"] = allowNulls ? helmMergeMaps(fromFiles, values) : mergoOverride(withoutNulls(fromFiles) as Record<string, unknown>, withoutNulls(values) as Record<string, unknown>);
  }
  return { ...resource, inputs };
}

function valuesOfAsset(asset: unknown, index: number, resource: RecordedResource, context: HelmReleaseContext): Record<string, unknown> {
  const where = `${context.where}: Helm release '${shownName(resource.name)}' valueYamlFiles[${index}]`;
  if (!isPlainObject(asset) || asset["__pulumiAsset"] !== true) throw new InputError(`${where} is not an asset. Fix: give new pulumi.asset.FileAsset("values.yaml") (the provider refuses anything else).`);
  const plain = asset as unknown as PlainAsset;
  let text: string;
  if (typeof plain.text === "string" && !isUnknownValue(plain.text)) text = plain.text;
  else if (typeof plain.path === "string") {
    const file = isAbsolute(plain.path) ? plain.path : resolve(context.programDir, plain.path);
    text = readInputFile(file, { label: where, ...context.limits });
  } else {
    throw new InputError(`${where} is a remote or unknown asset, which the check cannot read offline. Fix: give a FileAsset or a StringAsset.`);
  }
  const label = `${where}:`;
  const document = readYamlDocuments(text, label, plain.path ?? `valueYamlFiles[${index}]`)[0];
  if (document === undefined || document === null) return {};
  if (!isPlainObject(document)) throw new InputError(`${where} is not a YAML mapping of values (Helm refuses it too).`);
  return document;
}

/** helm.sh/helm/v3 MergeMaps: `b` over `a`, maps merged key by key, anything else replaced. */
function helmMergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const before = out[key];
    out[key] = isPlainObject(value) && isPlainObject(before) ? helmMergeMaps(before, value) : value;
  }
  return out;
}

/** mergo.Merge(&a, b, WithOverride): `b` over `a`, maps merged key by key; an empty value of `b` keeps `a`'s. */
function mergoOverride(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const before = out[key];
    if (isPlainObject(value) && isPlainObject(before)) out[key] = mergoOverride(before, value);
    else if (!(key in out) || !isEmpty(value)) out[key] = value;
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  return value === "" || value === 0 || value === false || value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);
}

/** helm_release.go:1343 excludeNulls. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(withoutNulls);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
  return value;
}
