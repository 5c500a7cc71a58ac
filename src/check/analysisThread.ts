import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { InputError } from "../cli/exitCodes";
import type { PolicyDiagnostic, ResourceInput } from "../engine/analyzerMessages";
import type { KubernetesObject } from "../model/kubernetesObjects";
import type { Remediation } from "./packAnalysis";
import type { FileLimits } from "./stackFile";

/** What the pack is configured from, once the stack's config is read (plain data: it crosses to the thread). */
export interface AnalysisSettings {
  readonly stack: string;
  /** `--policy-pack-config`: read on the thread once the pack says which policies it has. */
  readonly policyPackConfig?: string;
  readonly fileLimits?: FileLimits;
  /** A shard's `hostJwtSecretFingerprint`, given to the policies that take `expectedJwtSecretFingerprint`. */
  readonly hostPin?: string;
}

export type ToAnalysisThread =
  | { readonly kind: "configure"; readonly settings: AnalysisSettings }
  | { readonly kind: "add"; readonly resource: ResourceInput; readonly live?: KubernetesObject }
  | { readonly kind: "finish" }
  | { readonly kind: "close" };

export type FromAnalysisThread =
  | { readonly kind: "progress"; readonly message: string }
  | { readonly kind: "note"; readonly message: string }
  | { readonly kind: "finished"; readonly diagnostics: PolicyDiagnostic[]; readonly remediations: Remediation[] }
  | { readonly kind: "failed"; readonly message: string; readonly inputError: boolean }
  | { readonly kind: "closed" };

/**
 * The pack's side of the check (`PackAnalysis`) on a worker thread: the thread spawns the policy pack at once, talks
 * gRPC to it and sends `Analyze` for each resource as this thread hands it over, then `AnalyzeStack`.
 *
 * The program under Pulumi's mocks is mostly one long run of promise callbacks, during which this thread's event loop
 * reads no socket: with the client here, the pack got its first requests only when the program was done (at 1,000
 * clusters, 16 of 2,500 Analyze calls). On its own thread the conversation goes on while the program runs.
 * Failures (the pack did not start, a bad `--policy-pack-config`) surface from `finish()`.
 */
export class AnalysisThread {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private pending?: { resolve: (diagnostics: PolicyDiagnostic[]) => void; reject: (error: Error) => void };
  private crashed?: Error;
  private closing?: Promise<void>;
  /** What the report should say about the pack's config (a name `--policy-pack-config` gives that no policy has), before `finish()` settles. */
  readonly notes: string[] = [];
  /** What the pack's remediations changed before `Analyze`, once `finish()` settles. */
  readonly remediations: Remediation[] = [];

  /** Starts the thread, which spawns the pack of `packDir`; `progress` hears what the thread reports. */
  constructor(packDir: string, progress: (message: string) => void = () => undefined) {
    // Through `require`, so that the same line runs the build (.js) and the sources under tsx (the thread inherits
    // this process's `--require tsx/cjs`).
    const body = join(__dirname, `analysisThreadBody${extname(__filename)}`);
    this.worker = new Worker(`require(${JSON.stringify(body)});`, { eval: true, workerData: { packDir } });
    this.worker.on("message", (message: FromAnalysisThread) => {
      switch (message.kind) {
        case "progress":
          progress(message.message);
          break;
        case "note":
          this.notes.push(message.message);
          break;
        case "finished":
          this.remediations.push(...message.remediations);
          this.settle().resolve(message.diagnostics);
          break;
        case "failed":
          this.settle().reject(message.inputError ? new InputError(message.message) : new Error(message.message));
          break;
        case "closed":
          // The pack is stopped; whatever the thread still holds (a gRPC channel's timers) ends with it.
          void this.worker.terminate();
          break;
      }
    });
    this.worker.on("error", (error) => {
      this.crashed = new Error(`The policy pack's analysis thread failed: ${error.message}`);
      this.pending?.reject(this.crashed);
    });
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    void this.exited.then(() => {
      this.crashed ??= new Error("The policy pack's analysis thread stopped before it answered.");
      this.pending?.reject(this.crashed);
    });
  }

  /** The policy config, sent to the pack once it says which policies it has; no `Analyze` goes out before. */
  configure(settings: AnalysisSettings): void {
    this.post({ kind: "configure", settings });
  }

  /** Queues `Analyze` for one resource; `live` is the object it writes as the cluster holds it (for its outputs). */
  add(resource: ResourceInput, live?: KubernetesObject): void {
    this.post({ kind: "add", resource, ...(live ? { live } : {}) });
  }

  /** Waits for every `Analyze`, runs `AnalyzeStack`, and returns every diagnostic (the stack's last). */
  finish(): Promise<PolicyDiagnostic[]> {
    if (this.crashed) return Promise.reject(this.crashed);
    if (this.pending) return Promise.reject(new Error("finish() was already called"));
    const result = new Promise<PolicyDiagnostic[]>((resolve, reject) => (this.pending = { resolve, reject }));
    this.post({ kind: "finish" });
    return result;
  }

  /** Stops the pack and the thread, whether or not the pack started. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.post({ kind: "close" });
      // The thread says when the pack is stopped (then it is ended); past a bound (a thread stuck), end it anyway.
      const bound = setTimeout(() => void this.worker.terminate(), 10_000);
      await this.exited;
      clearTimeout(bound);
    })();
    return this.closing;
  }

  private post(message: ToAnalysisThread): void {
    if (!this.crashed) this.worker.postMessage(message);
  }

  private settle(): { resolve: (diagnostics: PolicyDiagnostic[]) => void; reject: (error: Error) => void } {
    const pending = this.pending;
    this.pending = undefined;
    return pending ?? { resolve: () => undefined, reject: () => undefined };
  }
}
