import type { PackInfo, PolicyConfigInput, PolicyDiagnostic, PolicyPackSession, ResourceInput } from "../engine";

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

/** Stops a pack, whether or not it started. */
export async function closePack(pack: Promise<PolicyPackSession>): Promise<void> {
  const session = await pack.catch(() => undefined);
  await session?.close();
}

/**
 * The policy pack's side of a preview, as the engine drives it: `Analyze` for each resource as soon as it is
 * registered (several calls in flight, so the pack works on its own core while the program still runs), then
 * `AnalyzeStack` over every resource. Diagnostics come back in registration order, the stack's last.
 */
export class PackAnalysis {
  private readonly ready: Promise<PolicyPackSession>;
  private readonly resources: ResourceInput[] = [];
  private readonly results: Promise<readonly PolicyDiagnostic[]>[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly concurrency: number;
  private inFlight = 0;
  private done = 0;

  constructor(private readonly options: PackAnalysisOptions) {
    this.concurrency = options.concurrency ?? ANALYZE_CONCURRENCY;
    this.ready = options.pack.then(async (pack) => {
      const info = await pack.getAnalyzerInfo();
      await pack.configure(await options.config(info));
      return pack;
    });
    // Failures surface from `finish()`; until then (the program may fail first) they must not crash the process.
    this.ready.catch(() => undefined);
  }

  /** Queues `Analyze` for one resource. */
  add(resource: ResourceInput): void {
    this.resources.push(resource);
    const result = this.analyze(resource);
    result.catch(() => undefined);
    this.results.push(result);
  }

  /** Waits for every `Analyze`, runs `AnalyzeStack` over all the resources, and returns every diagnostic. */
  async finish(): Promise<PolicyDiagnostic[]> {
    const pack = await this.ready;
    const perResource = await Promise.all(this.results);
    const stack = await pack.analyzeStack(this.resources);
    return [...perResource.flat(), ...stack.diagnostics];
  }

  /** Stops the pack, whether or not it started. Safe to call twice. */
  async close(): Promise<void> {
    await closePack(this.options.pack);
  }

  private async analyze(resource: ResourceInput): Promise<readonly PolicyDiagnostic[]> {
    const pack = await this.ready;
    await this.acquire();
    try {
      return (await pack.analyze(resource)).diagnostics;
    } finally {
      this.release();
      if (++this.done % 500 === 0) this.options.progress?.(`  analysed ${this.done} resources`);
    }
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
