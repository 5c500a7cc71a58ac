import { WIRE_UNKNOWN, type ResourceInput } from "../engine";
import { isWireSecret, secret } from "../engine/wire";
import { unwrapSecrets } from "../mocks/kubernetesMocks";
import { isPlainObject } from "../model/lookup";
import type { KubernetesObject } from "../model/kubernetesObjects";

const STASH_TYPE = "pulumi:index:Stash";

/**
 * What `AnalyzeStack` gets for each resource: its outputs, "the final outputs of each resource" (pulumi v3.248.0
 * pkg/resource/deploy/step_generator.go:3249–3251, `Properties: v.Outputs`), as the Kubernetes provider (v4.25.0,
 * provider/pkg/provider/provider.go) returns them, built from the resource's inputs and the live object it writes.
 *
 * Server-side apply (the provider's default): a resource whose object exists is the live object with the resource's
 * inputs applied over it, as the dry-run apply of a preview (`await.Update`, provider.go:2150; `await.Creation`
 * upserts, await/await.go:211–212) and the apply of `pulumi up` (provider.go:1646) return it; then
 * `checkpointObject` (provider.go:2674–2709) marks secret what the inputs held secret. It also adds `__inputs`,
 * `__initialApiVersion` and `__fieldManager`, which the state keeps but the engine does not send: it marshals each
 * resource's outputs for AnalyzeStack with `SkipInternalKeys` (pulumi v3.248.0
 * sdk/go/common/resource/plugin/analyzer_plugin.go:345–351), which leaves out every top-level key that starts with
 * `__` (rpc.go:88, resource/properties.go:730). A resource with no live object, or whose inputs hold a value not known
 * here, gives its inputs (provider.go:1582–1588, 2069–2071).
 *
 * Every `*Patch` is taken as already deployed, whether or not the stack's state holds it (the check has no state):
 * the provider returns a patch's inputs only on the first preview of a patch new to the state (provider.go:1582,
 * `kinds.IsPatchResource` makes `skipPreview`). `pulumi up`'s own AnalyzeStack, which runs once the steps are applied
 * (pkg/resource/deploy/deployment_executor.go:405–408), and every preview after it get the server's object: Create
 * at provider.go:1704, Update at 2182, or the state they wrote, which a patch whose inputs did not change keeps (a
 * same step keeps the old outputs, pkg/resource/deploy/step.go:156; so the check, judging the snapshot, matches
 * `pulumi preview --refresh`). The check judges the fleet as `pulumi up` leaves it; a first preview may differ.
 *
 * Not imitated: fields an earlier apply by the same field manager set and the
 * patch no longer declares (the server removes them; the check keeps them); what the server changes itself
 * (managedFields, generation, defaults, admission webhooks); lists, which are replaced whole (server-side apply's
 * rule for atomic lists; Kubernetes types keyed by name merge by key: no resource of this program declares a list);
 * a component's registered outputs (its inputs are sent).
 */
export function previewOutputs(resource: ResourceInput, live: KubernetesObject | undefined): ResourceInput {
  // The engine's own `pulumi:index:Stash` (the restarts' barrier): its input, also as `output` (pulumi v3.248.0
  // pkg/resource/deploy/builtins.go:220–237).
  if (resource.type === STASH_TYPE) return { ...resource, properties: { input: resource.properties["input"], output: resource.properties["input"] } };
  if (!live || holdsUnknown(resource.properties)) return resource;
  const inputs = resource.properties;
  // `applied` copies every map on the patch's paths, and only those are changed after: `live` stays as it is.
  const object = applied(live, unwrapSecrets(inputs)) as Record<string, unknown>;
  markSecrets(object, inputs);
  return { ...resource, properties: object };
}

/** The object of `objects` a Kubernetes resource writes (same API group, kind, namespace and name), if any. */
export function liveTargetOf(resource: ResourceInput, objects: readonly KubernetesObject[] | undefined): KubernetesObject | undefined {
  if (!objects || !resource.type.startsWith("kubernetes:")) return undefined;
  const id = identity(unwrapSecrets(resource.properties));
  return id === undefined ? undefined : objects.find((o) => identity(o) === id);
}

/** `group kind namespace/name`; a namespaced object with no namespace goes to `default`, as the provider sends it. */
function identity(object: unknown): string | undefined {
  if (!isPlainObject(object) || !isPlainObject(object["metadata"])) return undefined;
  const { apiVersion, kind } = object;
  const { name, namespace } = object["metadata"];
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof name !== "string") return undefined;
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  return `${group} ${kind} ${typeof namespace === "string" && namespace ? namespace : "default"}/${name}`;
}

/**
 * Server-side apply of `patch` over `live`: maps merge key by key, anything else (a scalar, a list) is replaced; a
 * null in the patch sets nothing (the provider drops nulls from the inputs, `SkipNulls`).
 */
function applied(live: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined) return live;
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(live) ? { ...live } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) continue;
    out[key] = applied(out[key], value);
  }
  return out;
}

/** The provider's `annotateSecrets` (provider.go:3046–3078): an output is secret where its input held a secret. */
function markSecrets(outs: Record<string, unknown>, ins: Readonly<Record<string, unknown>> | undefined): void {
  if (outs["kind"] === "Secret") {
    if ("data" in outs) outs["data"] = secret(outs["data"]);
    if ("stringData" in outs) outs["stringData"] = secret(outs["stringData"]);
    return;
  }
  if (!ins) return;
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in outs)) continue;
    const outValue = outs[key];
    if (isPlainObject(outValue) && !isWireSecret(outValue) && isPlainObject(inValue) && !isWireSecret(inValue)) markSecrets(outValue, inValue);
    else if (!isWireSecret(outValue) && holdsSecret(inValue)) outs[key] = secret(outValue);
  }
}

function holdsSecret(value: unknown): boolean {
  if (isWireSecret(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  return isPlainObject(value) && Object.values(value).some(holdsSecret);
}

function holdsUnknown(value: unknown): boolean {
  if (value === WIRE_UNKNOWN) return true;
  if (isWireSecret(value)) return holdsUnknown(value.value);
  if (Array.isArray(value)) return value.some(holdsUnknown);
  return isPlainObject(value) && Object.values(value).some(holdsUnknown);
}
