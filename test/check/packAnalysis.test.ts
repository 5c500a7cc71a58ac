/**
 * The check's side of the engine protocol: Analyze for each resource as it comes, several in flight, then
 * AnalyzeStack. Against the compiled pack (`npm run build`), compared with one call at a time on the same pack.
 */
import test from "ava";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/cli/exitCodes";
import { POLICY_PACK_DIR, PROJECT_DIR } from "../../src/cli/projectDir";
import { AnalysisThread } from "../../src/check/analysisThread";
import { PackAnalysis } from "../../src/check/packAnalysis";
import { launchPolicyPack, startPolicyPack, type PolicyDiagnostic } from "../../src/engine";
import { timeScale } from "../helpers/checkCli";
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

/** The reference: Analyze of each resource, one call at a time, then AnalyzeStack, on a fresh pack. */
async function oneCallAtATime(resources: ReturnType<typeof stackWithFindings>): Promise<PolicyDiagnostic[]> {
  const reference = await startPolicyPack(POLICY_PACK_DIR);
  try {
    await reference.configure();
    const expected: PolicyDiagnostic[] = [];
    for (const resource of resources) expected.push(...(await reference.analyze(resource)).diagnostics);
    expected.push(...(await reference.analyzeStack(resources)).diagnostics);
    return expected;
  } finally {
    await reference.close();
  }
}

/** The reference of `stackWithFindings()`, computed once for the tests that compare with it (plain data: nothing is shared but the answer). */
let referenceOfStackWithFindings: Promise<PolicyDiagnostic[]> | undefined;
const expectedOfStackWithFindings = (): Promise<PolicyDiagnostic[]> => (referenceOfStackWithFindings ??= oneCallAtATime(stackWithFindings()));

test("concurrent Analyze calls give the diagnostics of one call at a time, in the same order, then the stack's", async (t) => {
  const resources = stackWithFindings();
  const expected = await expectedOfStackWithFindings();
  t.true(expected.length >= 3, `the stack has findings to order: ${expected.map(key).join("; ")}`);

  const analysis = new PackAnalysis({ pack: (await launchPolicyPack(POLICY_PACK_DIR)).ready, config: () => ({}), concurrency: 3 });
  try {
    for (const resource of resources) analysis.add(resource);
    t.deepEqual((await analysis.finish()).map(key), expected.map(key));
  } finally {
    await analysis.close();
  }
});

/** Far below the 60 s a pack has to print its port: a pack whose entry fails exits, and that is heard at once. */
const EXITED_PACK_HEARD_WITHIN_MS = 20_000;

test("a pack that cannot start fails finish() as soon as it exits, not at the start time limit, not the process, and close() still returns", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-unbuilt-pack-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "unbuilt", main: "bin/index.js" }));
  writeFileSync(join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(dir, "node_modules"), "dir");
  const started = Date.now();
  const analysis = new PackAnalysis({ pack: (await launchPolicyPack(dir, { startTimeoutMs: 60_000 })).ready, config: () => ({}) });
  for (const resource of stackWithFindings()) analysis.add(resource);
  await t.throwsAsync(analysis.finish(), { message: /Policy pack did not start: the process exited \(code 32\) before printing its port\.\n[^]*Cannot find module/ });
  t.true(Date.now() - started < EXITED_PACK_HEARD_WITHIN_MS * timeScale(), `${Date.now() - started} ms`);
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

test("on its own thread (AnalysisThread, as the check runs it) the diagnostics are those of one call at a time", async (t) => {
  const resources = stackWithFindings();
  const expected = await expectedOfStackWithFindings();
  const analysis = new AnalysisThread(POLICY_PACK_DIR);
  analysis.configure({ stack: "dev" });
  try {
    for (const resource of resources) analysis.add(resource);
    t.deepEqual((await analysis.finish()).map(key), expected.map(key));
  } finally {
    await analysis.close();
  }
  await t.notThrowsAsync(analysis.close(), "a second close is harmless");
});

test("on its own thread, a bad --policy-pack-config surfaces from finish() as the InputError it is, and a pack that cannot start as its failure", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-thread-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ all: 5 }));
  const badConfig = new AnalysisThread(POLICY_PACK_DIR);
  badConfig.configure({ stack: "dev", policyPackConfig: config });
  badConfig.add(stackWithFindings()[0]!);
  await t.throwsAsync(badConfig.finish(), { instanceOf: InputError, message: /config\.json: parsing "all": \/all \(line 1, column \d+\) is not a valid value; must be a string or object/ });
  await badConfig.close();

  // A name the pack does not have is what pulumi preview runs with: the thread finishes, and says so in its notes.
  writeFileSync(config, JSON.stringify({ nope: "advisory" }));
  const unknownName = new AnalysisThread(POLICY_PACK_DIR);
  unknownName.configure({ stack: "dev", policyPackConfig: config });
  unknownName.add(stackWithFindings()[0]!);
  try {
    await t.notThrowsAsync(unknownName.finish());
    t.is(unknownName.notes.length, 1);
    t.regex(unknownName.notes[0]!, /config\.json: "nope" is not a policy of this pack; pulumi preview passes it to the pack, where no policy reads it/);
  } finally {
    await unknownName.close();
  }

  const unbuilt = join(dir, "unbuilt");
  mkdirSync(unbuilt);
  writeFileSync(join(unbuilt, "package.json"), JSON.stringify({ name: "unbuilt", main: "bin/index.js" }));
  writeFileSync(join(unbuilt, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(unbuilt, "node_modules"), "dir");
  const started = Date.now();
  const notStarted = new AnalysisThread(unbuilt);
  notStarted.configure({ stack: "dev" });
  notStarted.add(stackWithFindings()[0]!);
  const error = await t.throwsAsync(notStarted.finish(), { message: /Policy pack did not start: the process exited \(code 32\)/ });
  t.true(Date.now() - started < EXITED_PACK_HEARD_WITHIN_MS * timeScale(), `${Date.now() - started} ms`);
  t.false(error instanceof InputError, "a pack that does not start is not the user's input");
  await t.notThrowsAsync(notStarted.close());
});

test("a policy configured remediate fixes the resource first, and Analyze and AnalyzeStack judge the fixed one, as the engine runs them", async (t) => {
  const MAX_AGE = "kubesphere-member-configure-zero-access-token-max-age";
  const drifted = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { name: "member-1-drifted", edit: (text) => text.replace(/accessTokenMaxAge: .*/, "accessTokenMaxAge: 2h") });
  const resources = wireResources([...compliantStack(), drifted]);
  const analysis = new PackAnalysis({ pack: (await launchPolicyPack(POLICY_PACK_DIR)).ready, config: () => ({ [MAX_AGE]: { enforcementLevel: "remediate" } }) });
  try {
    for (const resource of resources) analysis.add(resource);
    const diagnostics = await analysis.finish();
    t.deepEqual(diagnostics.filter((d) => d.policyName === MAX_AGE).map(key), [], "nothing left to report once remediated");
    t.deepEqual(
      analysis.remediations.map(({ name, policyName, changed }) => ({ name, policyName, changed })),
      [{ name: "member-1-drifted", policyName: MAX_AGE, changed: ["data.kubesphere.yaml"] }],
    );
  } finally {
    await analysis.close();
  }
});
