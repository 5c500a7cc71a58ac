/**
 * A violation at level "remediate" from Analyze or AnalyzeStack is mandatory, as the engine reports it (pulumi
 * v3.248.0 analyze_snapshot.go:70, step_generator.go:3335), whichever SDK the pack is written in. The pack here is a
 * raw gRPC Analyzer with no policy SDK (test/fixtures/remediate-level-pack), started as the engine starts a Node pack.
 */
import test from "ava";
import { join } from "node:path";
import { PROJECT_DIR } from "../../src/cli/projectDir";
import { PackAnalysis } from "../../src/check/packAnalysis";
import { runCheck } from "../../src/check/runCheck";
import { launchPolicyPack } from "../../src/engine";
import { wireResources } from "../helpers/wireStack";
import { compliantStack } from "../policies/stackFixtures";

const PACK_DIR = join(PROJECT_DIR, "test", "fixtures", "remediate-level-pack");

test("the pack's remediate-level violations of Analyze and AnalyzeStack come out of the check's pack machinery as mandatory", async (t) => {
  const resources = wireResources(compliantStack());
  const analysis = new PackAnalysis({ pack: (await launchPolicyPack(PACK_DIR)).ready, config: () => ({}) });
  try {
    for (const resource of resources) analysis.add(resource);
    const diagnostics = await analysis.finish();
    const levels = (policy: string) => [...new Set(diagnostics.filter((d) => d.policyName === policy).map((d) => d.enforcementLevel))];
    t.is(diagnostics.filter((d) => d.policyName === "fixture-remediate-resource").length, resources.length);
    t.deepEqual(levels("fixture-remediate-resource"), ["mandatory"]);
    t.deepEqual(levels("fixture-remediate-stack"), ["mandatory"]);
  } finally {
    await analysis.close();
  }
});

test("the check reports them as mandatory violations: what stops pulumi preview stops the check", async (t) => {
  const report = await runCheck({ stack: "dev", projectDir: PROJECT_DIR, liveDir: join(PROJECT_DIR, "stacks", "dev", "live"), packDir: PACK_DIR, env: {} });
  const stack = report.violations.filter((v) => v.policy === "fixture-remediate-stack");
  t.deepEqual(stack.map((v) => v.enforcementLevel), ["mandatory"]);
  t.regex(stack[0]!.message, /the stack of \d+ resources is violated/);
  const perResource = report.violations.filter((v) => v.policy === "fixture-remediate-resource");
  t.true(perResource.length > 0);
  t.deepEqual([...new Set(perResource.map((v) => v.enforcementLevel))], ["mandatory"]);
});
