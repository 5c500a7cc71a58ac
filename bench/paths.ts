import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root (bench/ sits right under it). */
export const REPO_ROOT = resolve(__dirname, "..");

/** Scratch space for generated packs, stacks and snapshots; git-ignored, under the repo so packs share its node_modules. */
export const BENCH_TMP = join(REPO_ROOT, ".bench-tmp");

/** The KubeSphere fixtures inside the repository (test/fixtures/kubesphere); `KUBESPHERE_FIXTURES` overrides them. */
export const FIXTURES_DIR = process.env["KUBESPHERE_FIXTURES"] ?? resolve(REPO_ROOT, "test", "fixtures", "kubesphere");

/** `.bench-tmp/<parts…>`, created. */
export function benchDir(...parts: string[]): string {
  const dir = join(BENCH_TMP, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
