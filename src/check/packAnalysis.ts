import { encodeAnalyzerResource, type PackInfo, type PolicyConfigInput, type PolicyDiagnostic, type PolicyPackSession, type ResourceInput } from "../engine";
import { isWireSecret } from "../engine/wire";
import { isPlainObject } from "../model/lookup";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { previewOutputs } from "./previewOutputs";

/** Analyze calls in flight at once: enough to keep the pack busy between round trips, few enough to bound memory. */
export const ANALYZE_CONCURRENCY = 16;

export interface PackAnalysisOptions {
  /** The pack, possibly still starting. The analysis owns it: `close()` stops it. */
  readonly pack: Promise<PolicyPackSession>;
  /**
   * The policy config to send once the pack says which policies it has (no `Analyze` goes out before); may throw or
   * reject (bad `--policy-pack-config`), and may wait (for the stack's config, read meanwhile).
   */
  readonly config: (info: PackInfo) => Readonly<Record<string, PolicyConfigInput>> | Promise<Readonly<Record<string, PolicyConfigInput>>>;
  readonly progress?: (message: string) => void;
  readonly concurrency?: number;
}

/** What one policy's remediation did to one resource before `Analyze` (values are never kept: paths only). */
export interface Remediation {
  readonly urn: string;
  /** The Pulumi resource name. */
  readonly name: string;
  readonly policyName: string;
  readonly description: string;
  /** The property paths it changed (`data.kubesphere.yaml`), in order. */
  readonly changed: readonly string[];
  /** The resource's properties after it, in wire form (secrets wrapped): what the engine goes on with. Never printed. */
  readonly properties: Record<string, unknown>;
}

/** Stops a pack, whether or not it started. */
export async function closePack(pack: Promise<PolicyPackSession>): Promise<void> {
  const session = await pack.catch(() => undefined);
  await session?.close();
}

/**
 * The policy pack's side of a preview, as the engine drives it: for each resource as soon as it is registered (several
 * in flight, so the pack works on its own core while the program still runs), `Remediate`, then `Analyze` on the
 * remediated properties (pulumi v3.248.0 pkg/resource/deploy/step_generator.go:1284–1358: "first we perform
 * remediations, and *then* we do analysis"); then `AnalyzeStack` over every resource's outputs, as the provider
 * returns them for the remediated inputs (the engine keeps the remediated inputs, step_generator.go:1342–1343, and
 * hands AnalyzeStack the outputs, `previewOutputs`). Each resource's outputs are built and encoded for AnalyzeStack
 * as its Analyze goes out, while the program still runs, so that the end of the program leaves only the
 * request's bytes to join and send. Diagnostics come back in registration order, the stack's last, at the level the
 * engine gives them (`asTheEngineTakesIt`).
 */
export class PackAnalysis {
  private readonly ready: Promise<PolicyPackSession>;
  /** The resources in registration order (remediated once their `Remediate` answered). */
  private readonly resources: ResourceInput[] = [];
  /** Each resource's outputs as AnalyzeStack gets them, encoded (same index as `resources`). */
  private readonly outputs: Uint8Array[] = [];
  private readonly results: Promise<readonly PolicyDiagnostic[]>[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly concurrency: number;
  private inFlight = 0;
  private done = 0;
  /** Whether any policy is configured `remediate`: only those run in `Remediate` (@pulumi/policy server.js, remediate). */
  private remediating = false;
  /** Every remediation that changed a resource, in registration order once `finish()` settles. */
  readonly remediations: Remediation[] = [];

  constructor(private readonly options: PackAnalysisOptions) {
    this.concurrency = options.concurrency ?? ANALYZE_CONCURRENCY;
    this.ready = options.pack.then(async (pack) => {
      const info = await pack.getAnalyzerInfo();
      const config = await options.config(info);
      await pack.configure(config);
      this.remediating = info.policies.some((p) => (config[p.name]?.enforcementLevel ?? p.enforcementLevel) === "remediate");
      return pack;
    });
    // Failures surface from `finish()`; until then (the program may fail first) they must not crash the process.
    this.ready.catch(() => undefined);
  }

  /** Queues `Analyze` for one resource; `live` is the object it writes as the cluster holds it (for its outputs). */
  add(resource: ResourceInput, live?: KubernetesObject): void {
    const index = this.resources.push(resource) - 1;
    const result = this.analyze(resource, index, live);
    result.catch(() => undefined);
    this.results.push(result);
  }

  /** Waits for every `Analyze`, runs `AnalyzeStack` over all the resources' outputs, and returns every diagnostic. */
  async finish(): Promise<PolicyDiagnostic[]> {
    const pack = await this.ready;
    const perResource = await Promise.all(this.results);
    const order = new Map(this.resources.map((r, i) => [r.urn, i]));
    this.remediations.sort((a, b) => (order.get(a.urn) ?? 0) - (order.get(b.urn) ?? 0));
    const stack = await pack.analyzeStackEncoded(this.outputs);
    return [...perResource.flat(), ...stack.diagnostics].map(asTheEngineTakesIt);
  }

  /** Stops the pack, whether or not it started. Safe to call twice. */
  async close(): Promise<void> {
    await closePack(this.options.pack);
  }

  private async analyze(resource: ResourceInput, index: number, live: KubernetesObject | undefined): Promise<readonly PolicyDiagnostic[]> {
    const pack = await this.ready;
    await this.acquire();
    try {
      const { remediated, diagnostics } = this.remediating ? await this.remediate(pack, resource) : { remediated: resource, diagnostics: [] };
      this.resources[index] = remediated;
      // The outputs follow from the remediated inputs; with other calls in flight, the pack is busy meanwhile.
      this.outputs[index] = encodeAnalyzerResource(previewOutputs(remediated, live));
      return [...diagnostics, ...(await pack.analyze(remediated)).diagnostics];
    } finally {
      this.release();
      if (++this.done % 500 === 0) this.options.progress?.(`  analysed ${this.done} resources`);
    }
  }

  /**
   * `Remediate` and its outcome as the engine takes it (step_generator.go:1325–1345): a remediation's diagnostic is an
   * advisory violation; its properties replace the resource's for what follows.
   */
  private async remediate(pack: PolicyPackSession, resource: ResourceInput): Promise<{ remediated: ResourceInput; diagnostics: PolicyDiagnostic[] }> {
    const info = await pack.getAnalyzerInfo();
    const diagnostics: PolicyDiagnostic[] = [];
    let remediated = resource;
    for (const r of (await pack.remediate(resource)).remediations) {
      if (r.diagnostic) {
        diagnostics.push({ policyName: r.policyName, policyPackName: info.name, policyPackVersion: info.version, description: r.description, message: r.diagnostic, enforcementLevel: "advisory", severity: "unspecified", urn: resource.urn ?? "" });
      } else if (r.properties) {
        const changed = changedPaths(remediated.properties, r.properties);
        if (changed.length > 0) this.remediations.push({ urn: resource.urn ?? "", name: resource.name, policyName: r.policyName, description: r.description, changed, properties: r.properties });
        remediated = { ...remediated, properties: r.properties };
      }
    }
    return { remediated, diagnostics };
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiting call, in the order they came. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}

/**
 * A diagnostic of `Analyze` or `AnalyzeStack` at the level the engine reports it: "remediate" is mandatory (pulumi
 * v3.248.0 pkg/resource/deploy/analyze_snapshot.go:70–73 for Analyze, "if we ran a remediation but are still
 * triggering a violation"; step_generator.go:3335–3337 for AnalyzeStack, "stack policies cannot be remediated").
 * @pulumi/policy does it before it answers (server.js:234, 331); a pack of another SDK or version may not.
 */
export function asTheEngineTakesIt(diagnostic: PolicyDiagnostic): PolicyDiagnostic {
  return diagnostic.enforcementLevel === "remediate" ? { ...diagnostic, enforcementLevel: "mandatory" } : diagnostic;
}

/** The dotted paths of the leaves that differ between two property maps (added, removed or changed). */
function changedPaths(before: unknown, after: unknown, path = ""): string[] {
  // A secret is one value at its path, wrapped or not.
  if (isWireSecret(before) || isWireSecret(after)) return changedPaths(isWireSecret(before) ? before.value : before, isWireSecret(after) ? after.value : after, path);
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changedPaths(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path || "."];
}
