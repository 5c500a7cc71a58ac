/**
 * `pulumi preview --policy-pack policies`, `pulumi up` and `pulumi destroy` of this repository's program, with the
 * real Pulumi CLI and engine, the real Kubernetes provider, and real API servers (kube-apiserver + etcd) holding
 * KubeSphere's objects as the installers leave them. What each test asserts is read back from the servers with kubectl
 * (bytes, resourceVersion, managedFields), never from Pulumi's own report.
 *
 * Fleet: a 3.4 host and a 3.4 member in installer mode (ClusterConfiguration ks-installer, applied client-side with
 * kubectl as ks-installer's users do), a 4.1 member installed with Helm (field manager `helm`), and a 3.2 member in
 * configmap mode whose ClusterConfiguration already carries the fleet's secret and whose kubesphere-config does not.
 */
import type { ExecutionContext } from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { secretFacts } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { PROJECT_ROOT } from "../helpers/mocksFleet";
import { kubeconfigWith, makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { contextArgs, PATIENT_TIMEOUT_ARGS, runAudit } from "../audit/liveFleet";
import { startRealClusters, stopRealClusters, type RealCluster } from "./helpers/cluster";
import { getObject, initToken, installV32Member, installV34, installV41Member, managers, type KubeObject } from "./helpers/kubesphere";
import { pulumiWorkspace, TEST_PASSPHRASE, type PulumiWorkspace } from "./helpers/pulumiCli";
import { runCli } from "../helpers/checkCli";
import { realTest, sharedFleet } from "./helpers/realTools";

const NEEDED = ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "openssl", "pulumi", "pulumi-resource-kubernetes"] as const;
const CLUSTERS = ["host", "member-1", "member-2", "member-3"] as const;
type ClusterName = (typeof CLUSTERS)[number];
/** The fleet's new secret: a test value, which must never appear in anything Pulumi prints. */
const FLEET_SECRET = "realToolsFleetJwtSecret0123456789abcdef";
const POLICY_PACK = join(PROJECT_ROOT, "policies");
const CC = "clusterconfiguration.installer.kubesphere.io";

interface Fleet {
  readonly ca: CertificateAuthority;
  readonly clusters: Readonly<Record<ClusterName, RealCluster>>;
  readonly workspace: PulumiWorkspace;
  /** Each object as the installers left it, before any pulumi command. */
  readonly before: Readonly<Record<string, KubeObject>>;
}

/** The fleet, started by the first test that needs it and stopped after the last. */
const fleet = sharedFleet<Fleet>(
  async () => {
    const ca = makeCertificateAuthority();
    const stopping: (() => Promise<void> | void)[] = [() => ca.dispose()];
    try {
      const clusters = (await startRealClusters(ca, CLUSTERS, { controllers: true })) as Fleet["clusters"];
      stopping.push(() => stopRealClusters(clusters));
      await Promise.all([
        installV34(clusters.host, "host"),
        installV34(clusters["member-1"], "member"),
        installV41Member(clusters["member-2"]),
        installV32Member(clusters["member-3"], FLEET_SECRET),
      ]);
      // No nodes here: ks-apiserver at 0 replicas, so the deployment controller completes a restart's rollout, which
      // the Kubernetes provider awaits.
      for (const name of CLUSTERS) await clusters[name].kubectlOk(["scale", "-n", "kubesphere-system", "deployment/ks-apiserver", "--replicas=0"]);
      const versions: Record<ClusterName, string> = { host: "3.4", "member-1": "3.4", "member-2": "4.1", "member-3": "3.2" };
      const workspace = await pulumiWorkspace("real", {
        "kubesphere-fleet:clusters": CLUSTERS.map((name) => ({
          name,
          role: name === "host" ? "host" : "member",
          version: versions[name],
          kubeconfig: { path: clusters[name].kubeconfig },
          ...(name === "member-3" ? { manage: "configmap" } : {}),
        })),
      });
      stopping.push(() => workspace.remove());
      await workspace.pulumiOk(["config", "set", "--secret", "jwtSecret", FLEET_SECRET]);
      return { ca, clusters, workspace, before: await snapshot(clusters) };
    } catch (error) {
      // Set-up failed half-way: stop what started, as the teardown would.
      for (const stop of stopping.reverse()) await stop();
      throw error;
    }
  },
  async (running) => {
    await stopRealClusters(running.clusters);
    running.ca.dispose();
    running.workspace.remove();
  },
);

/** Every object the fleet may touch, read back from the servers: `<cluster>/<kind>`. */
async function snapshot(clusters: Fleet["clusters"]): Promise<Record<string, KubeObject>> {
  const objects: Record<string, KubeObject> = {};
  for (const name of CLUSTERS) {
    const cluster = clusters[name];
    objects[`${name}/configmap`] = await getObject(cluster, "configmap", "kubesphere-config");
    objects[`${name}/deployment`] = await getObject(cluster, "deployment", "ks-apiserver");
    if (name !== "member-2") objects[`${name}/cc`] = await getObject(cluster, CC, "ks-installer");
  }
  return objects;
}

const resourceVersions = (objects: Record<string, KubeObject>) => Object.fromEntries(Object.entries(objects).map(([k, o]) => [k, o.metadata.resourceVersion]));

/** Nothing Pulumi printed holds a secret: not the fleet's, not the fixtures'. */
function noSecrets(t: ExecutionContext, output: string): void {
  for (const secret of [FLEET_SECRET, FIXTURE_JWT_SECRET]) t.false(output.includes(secret), `the output holds ${secret.slice(0, 6)}…`);
}

/** `npm run check --json` on a snapshot of the servers as they are now (`npm run audit -- --save` into `dir`). */
async function checkOnSnapshot(t: ExecutionContext, clusters: Fleet["clusters"], workspace: PulumiWorkspace, dir: string) {
  const kubeconfig = join(dir, "fleet.kubeconfig");
  writeFileSync(kubeconfig, kubeconfigWith(CLUSTERS.map((name) => clusters[name].admin)), { mode: 0o600 });
  const snapshot = join(dir, "live");
  const saved = await runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", kubeconfig, ...contextArgs(CLUSTERS), "--save", snapshot]);
  t.true(saved.code === 0 || saved.code === 1, saved.stderr);
  const check = await runCli("check", ["--stack", workspace.stack, "--project-dir", workspace.projectDir, "--live", snapshot, "--json"], { PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE });
  noSecrets(t, `${check.stdout}\n${check.stderr}`);
  return check;
}

realTest("preview with the policy pack passes the fleet, plans its patches, and sends nothing to the servers", NEEDED, async (t) => {
  const { workspace, clusters, before } = await fleet();
  const run = await workspace.pulumi(["preview", "--policy-pack", POLICY_PACK, "--diff"]);
  const output = `${run.stdout}\n${run.stderr}`;
  t.is(run.code, 0, output);
  noSecrets(t, output);
  t.regex(output, /kubesphere-fleet(@v[\d.]+ \(local: |\|local\|)/, "the pack ran");
  t.regex(output, /ClusterConfigurationPatch/);
  t.regex(output, /ConfigMapPatch/);
  t.deepEqual(resourceVersions(await snapshot(clusters)), resourceVersions(before));
});

realTest("differential: npm run check on a snapshot of the same servers gives the preview's verdicts and plans the same patches", NEEDED, async (t) => {
  const { workspace, clusters } = await fleet();
  const dir = mkdtempSync(join(tmpdir(), "ksf-real-differential-"));
  try {
    const check = await checkOnSnapshot(t, clusters, workspace, dir);
    const report = JSON.parse(check.stdout) as { clusters: { name: string; resources: { type: string; name: string }[] }[]; violations: { policy?: string; ruleId?: string; enforcement?: string; level?: string }[] };
    const preview = await workspace.pulumi(["preview", "--policy-pack", POLICY_PACK, "--json"]);
    noSecrets(t, `${preview.stdout}\n${preview.stderr}`);
    t.is(preview.code, 0, preview.stderr);
    const engine = JSON.parse(preview.stdout) as { steps?: { op: string; urn: string }[] };
    // Parent-qualified: `…::kubesphere-fleet:index:KubeSphereFleet$kubernetes:core/v1:ConfigMapPatch::<name>`.
    const patchOf = (urn: string) => /[:$](kubernetes:[^:$]+:[^:$]*Patch)::([^:]+)$/.exec(urn);
    const previewPatches = (engine.steps ?? []).flatMap((step) => {
      const match = patchOf(step.urn);
      return match && step.op !== "read" ? [`${match[1]} ${match[2]}`] : [];
    });
    const checkPatches = report.clusters.flatMap((c) => c.resources.filter((r) => r.type.endsWith("Patch")).map((r) => `${r.type} ${r.name}`));
    t.deepEqual(checkPatches.sort(), previewPatches.sort(), "the same patches, by type and name");
    t.is(check.code, 0, "no mandatory violation, as the preview passed");
    t.deepEqual(report.violations.filter((v) => (v.enforcement ?? v.level) === "mandatory"), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

realTest("up patches ClusterConfiguration ks-installer's jwtSecret and clusterRole only: every other key of its spec is kept", NEEDED, async (t) => {
  const { workspace, clusters, before } = await fleet();
  const run = await workspace.pulumi(["up", "--yes", "--policy-pack", POLICY_PACK]);
  const output = `${run.stdout}\n${run.stderr}`;
  t.is(run.code, 0, output);
  noSecrets(t, output);
  for (const name of ["host", "member-1"] as const) {
    const was = before[`${name}/cc`]!;
    const now = await getObject(clusters[name], CC, "ks-installer");
    const spec = structuredClone(now.spec) as { authentication: { jwtSecret: string }; multicluster: { clusterRole: string } };
    t.is(spec.authentication.jwtSecret, FLEET_SECRET, name);
    t.is(spec.multicluster.clusterRole, name === "host" ? "host" : "member", name);
    // Put back the two keys the fleet owns: what is left must be the installer's spec, key for key.
    const expected = structuredClone(was.spec) as typeof spec;
    expected.authentication.jwtSecret = FLEET_SECRET;
    expected.multicluster.clusterRole = spec.multicluster.clusterRole;
    t.deepEqual(spec, expected, `${name}: the rest of the spec is what the installer wrote`);
    t.true(managers(now).some((m) => /^pulumi/.test(m)), `${name}: ${managers(now).join(", ")}`);
    t.true(managers(now).includes("kubectl-client-side-apply/Update"), `${name}: the installer's manager keeps its other fields`);
  }
});

realTest("up writes the 4.1 member's kubesphere.yaml over Helm's ownership: the secret and accessTokenMaxAge change, every other line stays", NEEDED, async (t) => {
  const { clusters, before } = await fleet();
  const was = before["member-2/configmap"]!.data!["kubesphere.yaml"]!;
  const now = await getObject(clusters["member-2"], "configmap", "kubesphere-config");
  const text = now.data!["kubesphere.yaml"]!;
  const config = parse(text) as { authentication: { issuer: { jwtSecret: string; accessTokenMaxAge: string } } };
  t.is(config.authentication.issuer.jwtSecret, FLEET_SECRET);
  t.is(config.authentication.issuer.accessTokenMaxAge, "0s");
  const changed = text.split("\n").filter((line, i) => line !== was.split("\n")[i]);
  t.true(changed.length >= 1 && changed.length <= 2, `changed lines: ${changed.length}`);
  t.is(text.split("\n").length, was.split("\n").length, "no line added or lost");
  t.true(managers(now).some((m) => /^pulumi/.test(m) && m.endsWith("/Apply")), managers(now).join(", "));
  const restarted = await getObject(clusters["member-2"], "deployment", "ks-apiserver");
  t.not(restarted.metadata.resourceVersion, before["member-2/deployment"]!.metadata.resourceVersion, "ks-apiserver restarted (4.1 does not reload)");
});

realTest("up on the 3.2 configmap-mode member: kubesphere.yaml's secret line over kubectl's ownership, a restart, and the ClusterConfiguration observation (no patchForce) changes nothing in its spec", NEEDED, async (t) => {
  const { clusters, before } = await fleet();
  const member = clusters["member-3"];
  const was = before["member-3/configmap"]!.data!["kubesphere.yaml"]!.split("\n");
  const now = await getObject(member, "configmap", "kubesphere-config");
  const lines = now.data!["kubesphere.yaml"]!.split("\n");
  t.is(lines.length, was.length, "no line added or lost");
  const changed = lines.filter((line, i) => line !== was[i]);
  t.true(changed.length === 1 && changed[0]!.includes("jwtSecret"), `only the jwtSecret line changed (${changed.length} lines)`);
  t.is((parse(lines.join("\n")) as { authentication: { jwtSecret: string } }).authentication.jwtSecret, FLEET_SECRET);
  t.true(managers(now).some((m) => /^pulumi/.test(m) && m.endsWith("/Apply")), managers(now).join(", "));
  const restarted = await getObject(member, "deployment", "ks-apiserver");
  t.not(restarted.metadata.resourceVersion, before["member-3/deployment"]!.metadata.resourceVersion, "ks-apiserver restarted (3.2 does not reload)");
  const cc = await getObject(member, CC, "ks-installer");
  t.deepEqual(cc.spec, before["member-3/cc"]!.spec, "the observation wrote the values the spec already had");
  t.true(managers(cc).includes("kubectl-client-side-apply/Update"), managers(cc).join(", "));
  t.true(managers(cc).some((m) => /^pulumi/.test(m) && m.endsWith("/Apply")), `shared ownership: ${managers(cc).join(", ")}`);
});

realTest("the next up writes on 3.4 installer clusters only what ks-installer would have rendered; the one after changes nothing", NEEDED, async (t) => {
  // No ks-installer runs on these API servers. On a real 3.x cluster it re-renders kubesphere-config once the first up
  // changed the ClusterConfiguration's spec; here it never does, so the next up finds the spec right and the file not
  // (as after a hand edit) and writes exactly what ks-installer renders: the new secret, nothing else.
  const { workspace, clusters } = await fleet();
  const after = await snapshot(clusters);
  const second = await workspace.pulumi(["up", "--yes", "--policy-pack", POLICY_PACK]);
  t.is(second.code, 0, `${second.stdout}\n${second.stderr}`);
  noSecrets(t, `${second.stdout}\n${second.stderr}`);
  const rendered = await snapshot(clusters);
  const changed = Object.keys(after).filter((key) => after[key]!.metadata.resourceVersion !== rendered[key]!.metadata.resourceVersion);
  t.deepEqual(changed.sort(), ["host/configmap", "member-1/configmap"]);
  for (const name of ["host", "member-1"] as const) {
    const was = after[`${name}/configmap`]!.data!["kubesphere.yaml"]!.split("\n");
    const now = rendered[`${name}/configmap`]!.data!["kubesphere.yaml"]!.split("\n");
    t.is(now.length, was.length, `${name}: no line added or lost`);
    const lines = now.filter((line, i) => line !== was[i]);
    t.true(lines.length === 1 && lines[0]!.includes("jwtSecret"), `${name}: only the jwtSecret line changed (${lines.length} lines)`);
    t.is((parse(now.join("\n")) as { authentication: { jwtSecret: string } }).authentication.jwtSecret, FLEET_SECRET, name);
  }
  const third = await workspace.pulumi(["up", "--yes", "--policy-pack", POLICY_PACK]);
  t.is(third.code, 0, `${third.stdout}\n${third.stderr}`);
  t.deepEqual(resourceVersions(await snapshot(clusters)), resourceVersions(rendered), "nothing changed, nothing restarted");
});

realTest("differential after up: ks-apiserver scaled to 3 replicas with the in-memory cache gets the Redis advisory from the check as from pulumi preview --refresh, which reads the outputs AnalyzeStack judges", NEEDED, async (t) => {
  const { workspace, clusters } = await fleet();
  const member = clusters["member-2"];
  const dir = mkdtempSync(join(tmpdir(), "ksf-real-outputs-"));
  const redisClusters = (text: string) => [...text.matchAll(/Cluster '([^']+)' ks-apiserver \([^)]*\) has 3 replicas with the in-memory token cache/g)].map((m) => m[1]!);
  try {
    await member.kubectlOk(["scale", "-n", "kubesphere-system", "deployment/ks-apiserver", "--replicas=3"]);
    // Without --refresh, AnalyzeStack gets the outputs the state holds (a patch whose inputs did not change is a same
    // step, which keeps its old outputs: pulumi step.go SameStep.Apply), read at the last up, before the scale.
    const plain = await workspace.pulumi(["preview", "--policy-pack", POLICY_PACK]);
    t.is(plain.code, 0, `${plain.stdout}\n${plain.stderr}`);
    t.deepEqual(redisClusters(`${plain.stdout}\n${plain.stderr}`), [], "a plain preview judges the state's outputs");
    const preview = await workspace.pulumi(["preview", "--refresh", "--policy-pack", POLICY_PACK]);
    const output = `${preview.stdout}\n${preview.stderr}`;
    t.is(preview.code, 0, output);
    noSecrets(t, output);
    t.regex(output, /kubesphere-apiserver-enable-redis-cache/);
    t.deepEqual([...new Set(redisClusters(output))], ["member-2"], output);
    const check = await checkOnSnapshot(t, clusters, workspace, dir);
    t.is(check.code, 0, check.stderr);
    const report = JSON.parse(check.stdout) as { violations: { policy: string; enforcementLevel: string; cluster?: string; message: string }[] };
    const redis = report.violations.filter((v) => v.policy === "kubesphere-apiserver-enable-redis-cache");
    t.deepEqual(redis.map((v) => [v.cluster, v.enforcementLevel]), [["member-2", "advisory"]], JSON.stringify(report.violations));
    t.deepEqual(redisClusters(redis.map((v) => v.message).join("\n")), ["member-2"]);
  } finally {
    // Back to no pods: the later ups restart ks-apiserver and await its rollout, which needs nodes at 3 replicas.
    await member.kubectlOk(["scale", "-n", "kubesphere-system", "deployment/ks-apiserver", "--replicas=0"]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Any Pulumi program, not only this one: a user's program that writes member-2's kubesphere.yaml with another
 * jwtSecret than the fleet's (ConfigMapPatch over Helm's ownership, as this project does).
 */
const DIVERGING_PROGRAM = {
  "Pulumi.yaml": "name: own-fleet\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\nstackConfigDir: stacks\n",
  "index.js": [
    'const fs = require("node:fs");',
    'const pulumi = require("@pulumi/pulumi");',
    'const k8s = require("@pulumi/kubernetes");',
    "const config = new pulumi.Config();",
    'const provider = new k8s.Provider("member-2", { kubeconfig: fs.readFileSync(config.require("kubeconfig"), "utf8") });',
    'new k8s.core.v1.ConfigMapPatch("member-2-kubesphere-config", {',
    '  metadata: { name: "kubesphere-config", namespace: "kubesphere-system", annotations: { "pulumi.com/patchForce": "true" } },',
    '  data: { "kubesphere.yaml": config.requireSecret("kubesphereYaml") },',
    "}, { provider });",
    "",
  ].join("\n"),
};

const OTHER_SECRET = "realToolsOtherJwtSecret0123456789abcdef";

realTest("a member on another secret is stopped before anything reaches its server: preview, up and up --skip-preview, with the fleet's fingerprint in policy config", NEEDED, async (t) => {
  const { clusters } = await fleet();
  const live = await getObject(clusters["member-2"], "configmap", "kubesphere-config");
  const own = await pulumiWorkspace("own", { "own-fleet:kubeconfig": clusters["member-2"].kubeconfig }, { files: DIVERGING_PROGRAM });
  try {
    await own.pulumiOk(["config", "set", "--secret", "kubesphereYaml", live.data!["kubesphere.yaml"]!.replace(FLEET_SECRET, OTHER_SECRET)]);
    const policyConfig = join(own.projectDir, "policy-config.json");
    writeFileSync(policyConfig, JSON.stringify({ "kubesphere-fleet-configure-shared-jwt-secret": { expectedJwtSecretFingerprint: secretFacts(FLEET_SECRET).fingerprint } }));
    const withPin = ["--policy-pack", POLICY_PACK, "--policy-pack-config", policyConfig];
    for (const command of [["preview"], ["up", "--yes"], ["up", "--yes", "--skip-preview"]]) {
      const run = await own.pulumi([...command, ...withPin]);
      const output = `${run.stdout}\n${run.stderr}`;
      // docs/development.md's transcript is this preview's output: KSF_TRANSCRIPT=<file> npm run test:real -- --match '*another secret*'
      if (command[0] === "preview" && process.env.KSF_TRANSCRIPT) writeFileSync(process.env.KSF_TRANSCRIPT, output);
      t.not(run.code, 0, `${command.join(" ")}: ${output}`);
      t.regex(output, /kubesphere-fleet-configure-shared-jwt-secret/, command.join(" "));
      t.regex(output, /mandatory/, command.join(" "));
      noSecrets(t, output.replace(OTHER_SECRET, ""));
      t.false(output.includes(OTHER_SECRET), `${command.join(" ")}: the other secret is not printed`);
      const now = await getObject(clusters["member-2"], "configmap", "kubesphere-config");
      t.is(now.metadata.resourceVersion, live.metadata.resourceVersion, `${command.join(" ")}: nothing was sent to member-2`);
    }
  } finally {
    own.remove();
  }
});

realTest("a member drifted by hand (kubectl) is repaired by up --refresh (a plain up compares inputs with the state and sees nothing), and the live audit then finds the fleet healthy", NEEDED, async (t) => {
  const { workspace, clusters } = await fleet();
  const member = clusters["member-2"];
  const text = (await getObject(member, "configmap", "kubesphere-config")).data!["kubesphere.yaml"]!;
  t.regex(text, /accessTokenMaxAge: "?0s"?/);
  const drifted = text.replace(/accessTokenMaxAge: "?0s"?/, "accessTokenMaxAge: 2h");
  await member.kubectlOk(["patch", "-n", "kubesphere-system", "configmap", "kubesphere-config", "--type", "merge", "-p", JSON.stringify({ data: { "kubesphere.yaml": drifted } })]);
  // A patch's inputs have not changed, so a plain up, which compares them with the state, sees nothing to do;
  // --refresh reads the live object first (as the Kubernetes Operator's spec.refresh and Deployments' drift runs do).
  const plain = await workspace.pulumi(["up", "--yes", "--policy-pack", POLICY_PACK]);
  t.is(plain.code, 0, `${plain.stdout}\n${plain.stderr}`);
  const afterPlain = (await getObject(member, "configmap", "kubesphere-config")).data!["kubesphere.yaml"]!;
  t.true(afterPlain === drifted, "a plain up leaves the drift: the patch's inputs did not change");
  const run = await workspace.pulumi(["up", "--refresh", "--yes", "--policy-pack", POLICY_PACK]);
  t.is(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const repaired = (await getObject(member, "configmap", "kubesphere-config")).data!["kubesphere.yaml"]!;
  // Compared without printing: the text holds the fleet's secret.
  t.true(repaired === text, `up --refresh writes back what the fleet declares, byte for byte (${repaired.split("\n").filter((l, i) => l !== text.split("\n")[i]).length} lines differ)`);

  // No ks-installer runs here. On a real 3.x cluster, once the spec's jwtSecret changed, its init-token task deletes
  // Secret kubesphere-secret and creates it again from that secret, with the admin token signed by it
  // (kubesphere/ks-installer release-3.4 roles/ks-core/init-token/tasks/main.yaml): done here as that task does.
  for (const name of ["host", "member-1"] as const) await initToken(clusters[name], FLEET_SECRET);
  const kubeconfig = join(member.dir, "..", `fleet-${process.pid}.kubeconfig`);
  writeFileSync(kubeconfig, kubeconfigWith(CLUSTERS.map((name) => clusters[name].admin)), { mode: 0o600 });
  try {
    const audit = await runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", kubeconfig, ...contextArgs(CLUSTERS), "--json"]);
    noSecrets(t, `${audit.stdout}\n${audit.stderr}`);
    const report = JSON.parse(audit.stdout) as { healthy: boolean; findings: { ruleId: string; enforcement: string; cluster?: string; message: string }[] };
    t.deepEqual(report.findings.filter((f) => f.enforcement === "mandatory"), [], "no mandatory finding after up");
    t.true(report.healthy);
    t.is(audit.code, 0, audit.stderr);
  } finally {
    rmSync(kubeconfig, { force: true });
  }
});

realTest("destroy leaves every patched setting in place (retainOnDelete)", NEEDED, async (t) => {
  const { workspace, clusters } = await fleet();
  const run = await workspace.pulumi(["destroy", "--yes"]);
  t.is(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const member = await getObject(clusters["member-1"], CC, "ks-installer");
  t.is((member.spec as { authentication: { jwtSecret: string } }).authentication.jwtSecret, FLEET_SECRET);
  const config = parse((await getObject(clusters["member-2"], "configmap", "kubesphere-config")).data!["kubesphere.yaml"]!) as { authentication: { issuer: { jwtSecret: string } } };
  t.is(secretFacts(config.authentication.issuer.jwtSecret).fingerprint, secretFacts(FLEET_SECRET).fingerprint);
});
