/**
 * What the engine receives grows linearly with the fleet: the dependencies every RegisterResource request carries,
 * counted on generated fleets of two sizes (one host, members of 3.4 and 4.1: every 4.1 member has a restart). With
 * every restart depending on every config patch directly they grew as clusters² (639,200 at 800 clusters).
 */
import test from "ava";
import { makeClientCertificate } from "../../bench/certificate";
import { EDGES_PER_CLUSTER_TARGET, runProgramOnce } from "../../bench/program";
import { writeBenchStack } from "../../bench/stackFiles";

test("dependency edges sent to the engine grow linearly: 4 times the clusters, at most about 4 times the edges", async (t) => {
  const certificate = makeClientCertificate();
  const edges: number[] = [];
  for (const size of [40, 160]) {
    const stack = writeBenchStack(size, certificate);
    const run = await runProgramOnce(stack.projectDir, stack.stack);
    t.true(run.dependencyEdges <= EDGES_PER_CLUSTER_TARGET * size, `${run.dependencyEdges} edges at ${size} clusters`);
    edges.push(run.dependencyEdges);
  }
  t.true(edges[0]! > 0, "restarts wait for the config patches");
  t.true(edges[1]! / edges[0]! <= 4.5, `${edges[0]} edges at 40 clusters, ${edges[1]} at 160`);
});
