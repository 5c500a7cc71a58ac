import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BENCH_TMP, REPO_ROOT } from "./paths";

/**
 * The last commit whose `npm run check` compiled TypeScript with tsx at every start, started the policy pack after the
 * program and sent one Analyze at a time: the path issue 11 measures its speed-up against.
 */
export const PREVIOUS_CHECK_COMMIT = "9d6eccae2edfa20ad0f6d7043c1785b85564be1d";

/**
 * That commit's sources, extracted from this clone's git history into `.bench-tmp/previous-check/<commit>` with its
 * pack built and the repo's node_modules linked, so its `npm run check` runs as it did then. Throws a one-line reason
 * (the commit is not in a shallow clone, no git) for the bench to report instead of the row.
 */
export function previousCheckTree(): string {
  const dir = join(BENCH_TMP, "previous-check", PREVIOUS_CHECK_COMMIT.slice(0, 12));
  if (existsSync(join(dir, "policies", "bin", "policies", "index.js"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const archive = execFileSync("git", ["-C", REPO_ROOT, "archive", "--format=tar", PREVIOUS_CHECK_COMMIT, "package.json", "tsconfig.json", "tsconfig.build.json", "src", "policies"], {
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const why = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim().split("\n")[0];
    throw new Error(`commit ${PREVIOUS_CHECK_COMMIT.slice(0, 12)} is not readable from this clone's git history (${why})`);
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  execFileSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  return dir;
}
