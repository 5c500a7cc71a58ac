/**
 * How a real test is declared, and the real clusters a test file shares.
 *
 * A test that needs a tool that is missing is listed as skipped with the tool's name, never as passed; in CI
 * (`process.env.CI` set) it fails instead, so CI cannot pass without running the real tests.
 */
import test, { type ExecutionContext } from "ava";
import { testNeeding } from "../../helpers/realTools";
import { missingTools, type CacheTool, type PathTool } from "./tools";

/** `test.serial(title, fn)` when every tool of `needed` is here; else skipped with their names, or failed in CI. */
export function realTest(title: string, needed: readonly (CacheTool | PathTool)[], fn: (t: ExecutionContext) => Promise<void>): void {
  const missing = missingTools(needed);
  testNeeding(title, missing === undefined ? undefined : `missing ${missing}`, fn, { serial: true });
}

/**
 * What a test file's real clusters are, started by the first test that asks (`fleet()`) and stopped with `stop` after
 * the file's last test, whatever happened; a `start` that fails stops what it started itself.
 */
export function sharedFleet<T>(start: () => Promise<T>, stop: (fleet: T) => Promise<void>): () => Promise<T> {
  let started: Promise<T> | undefined;
  test.after.always(async () => {
    const running = await started?.catch(() => undefined);
    if (running) await stop(running);
  });
  return () => (started ??= start());
}
