/**
 * One compiled policy pack per test file, spawned as the engine spawns it (`npm run build` first), and the engine's
 * calls over a stack: Analyze for each resource as it is registered, then AnalyzeStack once.
 */
import type { TestFn } from "ava";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startPolicyPack, type PolicyConfigInput, type PolicyDiagnostic, type PolicyPackSession } from "../../src/engine";
import type { ResourceSpec } from "./args";
import { wireResources } from "./wireStack";

export const PACK_DIR = join(__dirname, "..", "..", "policies");

export interface PackUnderTest {
  /** The running pack (after `test.before`). */
  readonly pack: () => PolicyPackSession;
  /** Every diagnostic of the stack, Analyze's and AnalyzeStack's. */
  analyzeStack(specs: readonly ResourceSpec[]): Promise<PolicyDiagnostic[]>;
  /** Every message and description returned so far, to check for secrets. */
  readonly seen: string[];
}

/** Starts the pack before the file's tests (configured with `config`) and closes it after them. */
export function packUnderTest(test: TestFn, config: Record<string, PolicyConfigInput> = {}): PackUnderTest {
  let pack: PolicyPackSession | undefined;
  const seen: string[] = [];
  test.before(async () => {
    if (!existsSync(join(PACK_DIR, "bin", "policies", "index.js"))) throw new Error("policies/bin is missing: run `npm run build` before the end-to-end tests.");
    pack = await startPolicyPack(PACK_DIR);
    await pack.configure(config);
  });
  test.after.always(async () => {
    await pack?.close();
  });
  return {
    pack: () => pack!,
    seen,
    async analyzeStack(specs) {
      const resources = wireResources(specs);
      const diagnostics: PolicyDiagnostic[] = [];
      for (const resource of resources) diagnostics.push(...(await pack!.analyze(resource)).diagnostics);
      diagnostics.push(...(await pack!.analyzeStack(resources)).diagnostics);
      seen.push(...diagnostics.flatMap((d) => [d.message, d.description]));
      return diagnostics;
    },
  };
}
