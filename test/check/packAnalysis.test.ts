/**
 * The check's side of the engine protocol: Analyze for each resource as it comes, several in flight, then
 * AnalyzeStack. Against the compiled pack (`npm run build`), compared with one call at a time on the same pack.
 */
import test from "ava";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/cli/exitCodes";
import { POLICY_PACK_DIR, PROJECT_DIR } from "../../src/cli/projectDir";
import { PackAnalysis } from "../../src/check/packAnalysis";
import { launchPolicyPack, startPolicyPack, type PolicyDiagnostic } from "../../src/engine";
import { wireResources } from "../helpers/wireStack";
import { compliantStack, configMapResource, unrelatedResources } from "../policies/stackFixtures";

/** A stack with findings from both kinds of call: a member's weak jwtSecret and a drifted accessTokenMaxAge (per resource), two secrets in the fleet (per stack). */
function stackWithFindings() {
  const drifted = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", {
    name: "member-1-drifted",
    edit: (text) => text.replace(/jwtSecret: .*/, 'jwtSecret: "short"').replace(/accessTokenMaxAge: .*/, "accessTokenMaxAge: 2h"),
  });
  return wireResources([...compliantStack(), drifted, ...unrelatedResources("member-2")]);
}

const key = (d: PolicyDiagnostic) => `${d.policyName} ${d.urn} ${d.message}`;

test("concurrent Analyze calls give the diagnostics of one call at a time, in the same order, then the stack's", async (t) => {
  const resources = stackWithFindings();
  const reference = await startPolicyPack(POLICY_PACK_DIR);
  let expected: PolicyDiagnostic[];
  try {
    await reference.configure();
    expected = [];
    for (const resource of resources) expected.push(...(await reference.analyze(resource)).diagnostics);
    expected.push(...(await reference.analyzeStack(resources)).diagnostics);
  } finally {
    await reference.close();
  }
  t.true(expected.length >= 3, `the stack has findings to order: ${expected.map(key).join("; ")}`);

  const analysis = new PackAnalysis({ pack: (await launchPolicyPack(POLICY_PACK_DIR)).ready, config: () => ({}), concurrency: 3 });
  try {
    for (const resource of resources) analysis.add(resource);
    t.deepEqual((await analysis.finish()).map(key), expected.map(key));
  } finally {
    await analysis.close();
  }
});

test("a pack that cannot start fails finish(), not the process, and close() still returns", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-unbuilt-pack-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "unbuilt", main: "bin/index.js" }));
  writeFileSync(join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(dir, "node_modules"), "dir");
  const analysis = new PackAnalysis({ pack: (await launchPolicyPack(dir, { startTimeoutMs: 60_000 })).ready, config: () => ({}) });
  for (const resource of stackWithFindings()) analysis.add(resource);
  await t.throwsAsync(analysis.finish(), { message: /Policy pack did not start/ });
  await t.notThrowsAsync(analysis.close());
});

test("bad policy config surfaces from finish() with its own error, and the pack is stopped", async (t) => {
  const analysis = new PackAnalysis({
    pack: (await launchPolicyPack(POLICY_PACK_DIR)).ready,
    config: (info) => {
      throw new InputError(`--policy-pack-config: 'nope' is not a policy of this pack. Known: ${info.policies.map((p) => p.name).join(", ")}.`);
    },
  });
  analysis.add(stackWithFindings()[0]!);
  await t.throwsAsync(analysis.finish(), { instanceOf: InputError, message: /'nope' is not a policy of this pack\. Known: kubesphere-/ });
  await analysis.close();
  await t.notThrowsAsync(analysis.close(), "a second close is harmless");
});
