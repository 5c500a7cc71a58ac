/**
 * Child process of the program benchmark: runs the fleet program under Pulumi's mocks for one generated stack and
 * prints one JSON line `{ ms, maxRssBytes, resources, dependencyEdges, error? }`: `dependencyEdges` counts the
 * dependencies every RegisterResource request carried, what the engine receives. Usage: `tsx bench/programChild.ts <projectDir> <stack>`.
 * One run per process: the SDK's mocks and config are process-global, and peak RSS is per process.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { readLiveSnapshot } from "../src/check/liveSnapshot";
import { runFleetUnderMocks, stackConfigOf } from "../src/mocks/runUnderMocks";

async function main(): Promise<void> {
  const [projectDir, stack] = process.argv.slice(2);
  if (!projectDir || !stack) throw new Error("usage: programChild <projectDir> <stack>");
  const file = parse(readFileSync(join(projectDir, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const config = stackConfigOf({ clusters: file.config["kubesphere-fleet:clusters"], jwtSecret: file.config["kubesphere-fleet:jwtSecret"] });
  const objects = readLiveSnapshot(join(projectDir, "live"));
  const start = process.hrtime.bigint();
  const result = await runFleetUnderMocks({ stack, config, objects, projectRoot: projectDir });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  // Only the error's first line: a program error names keys and clusters, never values.
  const error = result.error ? result.error.message.split("\n")[0] : undefined;
  const dependencyEdges = result.resources.reduce((sum, r) => sum + r.dependencies.length, 0);
  process.stdout.write(`${JSON.stringify({ ms, maxRssBytes, resources: result.resources.length, dependencyEdges, ...(error ? { error } : {}) })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
