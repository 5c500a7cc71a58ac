import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { benchAnalyze } from "../../bench/analyze";
import { benchAnalyzeStack } from "../../bench/analyzeStack";
import { makeClientCertificate } from "../../bench/certificate";
import { BENCH_JWT_SECRET, generateFleet, PROVIDER_TYPE, stackResources } from "../../bench/fleet";
import { QUICK_PLAN, runBench } from "../../bench/index";
import { benchDir } from "../../bench/paths";
import { writeBenchStack } from "../../bench/stackFiles";

// The bench harness on trivially small fleets. Nothing here times anything: it checks that the harness measures the
// fleet it means to (realistic, compliant) and that its report holds no secret.

const certificate = makeClientCertificate();

test("a generated fleet has one 3.4 host, members of 3.4 and 4.1, and a distinct kubesphere.yaml per cluster", (t) => {
  const fleet = generateFleet(4, certificate);
  t.deepEqual(fleet.map((c) => [c.name, c.role, c.version]), [
    ["host", "host", "3.4"],
    ["member-00001", "member", "3.4"],
    ["member-00002", "member", "4.1"],
    ["member-00003", "member", "3.4"],
  ]);
  t.is(new Set(fleet.map((c) => c.kubesphereYaml)).size, 4);
  t.true(fleet.every((c) => c.kubesphereYaml.includes(`jwtSecret: "${BENCH_JWT_SECRET}"`) && !c.kubesphereYaml.includes("fixtureJwtSecret")));
});

test("stack resources give each cluster a provider with its kubeconfig, and every config resource that provider", (t) => {
  const resources = stackResources(generateFleet(3, certificate));
  t.deepEqual(resources.map((r) => r.type).filter((type) => type !== "pulumi:pulumi:Stack").slice(0, 4), [
    PROVIDER_TYPE,
    "kubernetes:core/v1:ConfigMapPatch",
    "kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch",
    "kubernetes:apps/v1:DeploymentPatch",
  ]);
  const member2 = resources.filter((r) => r.provider?.name === "member-00002").map((r) => r.type);
  t.deepEqual(member2, ["kubernetes:core/v1:ConfigMapPatch", "kubernetes:apps/v1:DeploymentPatch"]);
});

test("the real pack finds nothing wrong with a generated fleet, so the bench times the compliant path", async (t) => {
  const { times } = await benchAnalyzeStack([3], 1, certificate);
  t.is(times.length, 1);
  t.is(times[0]!.resources, stackResources(generateFleet(3, certificate)).length);
  t.is(times[0]!.realDiagnostics, 0);
  t.true(times[0]!.stackPolicies > 1);
});

test("Analyze of every generated resource finds nothing either, on a fresh pack per round", async (t) => {
  const { rows, realDiagnostics } = await benchAnalyze([3], 1, certificate);
  t.deepEqual(realDiagnostics, [0]);
  t.regex(rows[0]!.size, new RegExp(`^3 clusters \\(${stackResources(generateFleet(3, certificate)).length} calls\\)$`));
});

test("a generated stack's live snapshot holds each cluster's objects, the host's secret only on the host", (t) => {
  const stack = writeBenchStack(3, certificate);
  const stackFile = readFileSync(join(stack.projectDir, "stacks", `Pulumi.${stack.stack}.yaml`), "utf8");
  t.regex(stackFile, /path: kubeconfigs\/member-00002\.yaml/);
  t.regex(readFileSync(join(stack.liveDir, "member-00001", "cluster-configuration.yaml"), "utf8"), /clusterRole: member/);
  t.regex(readFileSync(join(stack.liveDir, "host", "kubesphere-secret.yaml"), "utf8"), /kind: Secret/);
  t.throws(() => readFileSync(join(stack.liveDir, "member-00002", "cluster-configuration.yaml")));
});

test("the quick bench writes its rows as a table with its ratio and target", async (t) => {
  const out = join(benchDir("test"), "BENCHMARKS.md");
  const { rows, markdown } = await runBench({
    plan: QUICK_PLAN,
    sections: ["start"],
    out,
    command: "npm run bench -- --quick",
    log: () => {},
  });
  t.is(rows.length, 1);
  t.like(rows[0], { size: "real pack", target: "≤ 1.2×" });
  t.true(rows[0]!.ratio! > 0);
  t.is(readFileSync(out, "utf8"), markdown);
  t.regex(markdown, /\| Measure \| Size \| Value \| Baseline \| Ratio \| Target \| Result \|/);
  t.regex(markdown, /Machine: CPU: .+ cores/);
  // Times print as ms, or as s once above a second (a loaded machine): the shape is checked, not the speed.
  t.regex(markdown, /\| Policy pack cold start .* \| real pack \| [\d.,]+ m?s \| [\d.,]+ m?s \(one-policy pack\) \| \d+\.\d\d× \| ≤ 1\.2× \| (pass|\*\*FAIL\*\*) \|/);
});
