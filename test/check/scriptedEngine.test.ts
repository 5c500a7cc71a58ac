/**
 * The check against a scripted engine (issue 21, "Tests and proof"): the compiled pack (`npm run build`) driven in the
 * engine's own order and shapes, GetAnalyzerInfo, Configure with the merged config map, then per resource in
 * registration order Remediate and Analyze on the remediated properties, then AnalyzeStack over every resource's
 * outputs in no fixed order (pulumi v3.248.0 pkg/resource/deploy/step_generator.go: 1284–1358, 3244–3305). Several
 * shuffles of the stack must give the same verdicts, and those must be the check's, per cluster.
 */
import test from "ava";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { POLICY_PACK_DIR } from "../../src/cli/projectDir";
import { asTheEngineTakesIt } from "../../src/check/packAnalysis";
import { liveTargetOf, previewOutputs } from "../../src/check/previewOutputs";
import { readLiveSnapshot } from "../../src/check/liveSnapshot";
import { runCheck } from "../../src/check/runCheck";
import { readStackInput } from "../../src/check/stackInput";
import { toEngineResources } from "../../src/check/toEngineResources";
import { startPolicyPack, type PolicyConfigInput, type PolicyDiagnostic, type ResourceInput } from "../../src/engine";
import { runFleetUnderMocks, stackConfigOf } from "../../src/mocks/runUnderMocks";
import { sha256Hex } from "../../src/model/secretFacts";
import { APISERVER_REDIS_CACHE } from "../../src/rules/apiserverRedisCache";
import { ksApiserverDeployment, projectWith } from "../helpers/stackProject";

const STACK = "engine";
const SHUFFLES = 6;

/** `level policy cluster: message`, the way the check reports a verdict. */
type Verdict = string;
const verdict = (level: string, policy: string, cluster: string | undefined, message: string): Verdict => `${level} ${policy} ${cluster ?? "-"}: ${message}`;

/** A deterministic shuffle (Fisher–Yates over a linear congruential generator), so a failure names its seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test("the compiled pack driven in the engine's order and shapes, with the stack's outputs shuffled, gives the check's mandatory and advisory verdicts per cluster", async (t) => {
  // The dev fleet, deployed (member-2's ks-apiserver at 3 replicas with the in-memory cache: an advisory from the
  // outputs only), held to another fleet's fingerprint (a mandatory verdict for every cluster).
  const dir = projectWith(STACK, () => undefined);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const liveDir = join(dir, "stacks", STACK, "live");
  writeFileSync(join(liveDir, "member-2", "ks-apiserver.yaml"), stringify(ksApiserverDeployment(3)));
  const policyConfig: Record<string, PolicyConfigInput> = { "kubesphere-fleet-configure-shared-jwt-secret": { expectedJwtSecretFingerprint: sha256Hex("anotherFleetsJwtSecretCCCCCCCCCCCC") } };
  const policyConfigFile = join(dir, "policy-config.json");
  writeFileSync(policyConfigFile, JSON.stringify(policyConfig));

  const report = await runCheck({ stack: STACK, projectDir: dir, liveDir, policyPackConfig: policyConfigFile, env: {} });
  const fromCheck = [...new Set(report.violations.map((v) => verdict(v.enforcementLevel, v.policy, v.cluster, v.message)))].sort();
  t.true(fromCheck.some((v) => v.startsWith("mandatory ")), fromCheck.join("\n"));
  t.true(fromCheck.some((v) => v.startsWith(`advisory ${APISERVER_REDIS_CACHE} member-2:`)), fromCheck.join("\n"));

  // The program as the language host runs it, with the same config and live objects.
  const options = { stack: STACK, projectDir: dir, liveDir, env: {} };
  const live = readLiveSnapshot(liveDir);
  const run = await runFleetUnderMocks({ stack: STACK, config: stackConfigOf(readStackInput(options).input), objects: live, projectRoot: dir, preview: true });
  t.is(run.error, undefined);
  const { resources, clusterOfUrn } = toEngineResources(run.resources, STACK);

  const pack = await startPolicyPack(POLICY_PACK_DIR);
  t.teardown(() => pack.close());
  const info = await pack.getAnalyzerInfo();
  await pack.configure(policyConfig);
  const perResource: PolicyDiagnostic[] = [];
  const outputs: ResourceInput[] = [];
  for (const resource of resources) {
    let properties = resource.properties;
    for (const r of (await pack.remediate(resource)).remediations) {
      if (r.diagnostic) perResource.push({ policyName: r.policyName, policyPackName: info.name, policyPackVersion: info.version, description: r.description, message: r.diagnostic, enforcementLevel: "advisory", severity: "unspecified", urn: resource.urn ?? "" });
      else if (r.properties) properties = r.properties;
    }
    const remediated = { ...resource, properties };
    perResource.push(...(await pack.analyze(remediated)).diagnostics);
    const cluster = clusterOfUrn.get(resource.urn ?? "");
    outputs.push(previewOutputs(remediated, liveTargetOf(remediated, cluster === undefined ? undefined : live.get(cluster))));
  }
  const verdicts = (diagnostics: readonly PolicyDiagnostic[]) =>
    [...new Set(diagnostics.map(asTheEngineTakesIt).map((d) => verdict(d.enforcementLevel === "mandatory" ? "mandatory" : "advisory", d.policyName, clusterOfUrn.get(d.urn), d.message)))].sort();

  for (let seed = 1; seed <= SHUFFLES; seed++) {
    const stack = await pack.analyzeStack(shuffled(outputs, seed));
    t.deepEqual(verdicts([...perResource, ...stack.diagnostics]), fromCheck, `AnalyzeStack order of seed ${seed}`);
  }
});
