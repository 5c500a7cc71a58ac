import test from "ava";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { FIXTURES_DIR, FIXTURE_JWT_SECRET, fixtureText } from "../helpers/fixtures";
import { runCheckInProcess, scratchCopy, type CliRun } from "../helpers/checkCli";

// Issue 15's kinds of real fleet through `npm run check --live` (the program under mocks, then the policy pack over
// the engine protocol), on configs rendered from ks-installer's own templates (test/fixtures/kubesphere/README.md).

interface Change {
  readonly setting?: string;
  readonly key: string;
  readonly live: string;
  readonly desired: string;
}
interface Report {
  readonly clusters: {
    name: string;
    version: string;
    mode: string;
    restart: boolean;
    changes: { setting: string; live: string; desired: string }[];
    resources: { type: string; name: string; object: string; changes: Change[]; note?: string }[];
  }[];
  readonly violations: { policy: string; enforcementLevel: string; cluster?: string; message: string }[];
}

const report = (run: CliRun) => JSON.parse(run.stdout) as Report;
const clusterOf = (r: Report, name: string) => r.clusters.find((c) => c.name === name)!;
const mandatory = (r: Report) => r.violations.filter((v) => v.enforcementLevel === "mandatory");

function noSecret(t: { false(v: boolean, m?: string): void }, run: CliRun): void {
  for (const secret of [FIXTURE_JWT_SECRET, "fixtureLdapPassword"]) {
    t.false(run.stdout.includes(secret), "stdout holds a secret");
    t.false(run.stderr.includes(secret), "stderr holds a secret");
  }
}

/** A scratch project: the dev stack's kubeconfigs and snapshot, a stack file, and per-cluster live objects. */
function project(clusters: readonly Record<string, unknown>[], live: Record<string, Record<string, string>>): { dir: string; dispose(): void } {
  const scratch = scratchCopy("stacks");
  const dir = join(scratch.dir, "project");
  mkdirSync(join(dir, "stacks"), { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), "name: kubesphere-fleet\nruntime: nodejs\nstackConfigDir: stacks\n");
  writeFileSync(join(dir, "stacks", "Pulumi.t.yaml"), stringify({ config: { "kubesphere-fleet:clusters": clusters } }));
  for (const file of ["host.yaml", "member-1.yaml", "member-2.yaml"]) {
    mkdirSync(join(dir, "stacks", "dev", "kubeconfigs"), { recursive: true });
    copyFileSync(join(scratch.dir, "dev", "kubeconfigs", file), join(dir, "stacks", "dev", "kubeconfigs", file));
  }
  for (const [cluster, files] of Object.entries(live)) {
    mkdirSync(join(dir, "stacks", "t", "live", cluster), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, "stacks", "t", "live", cluster, file), text);
  }
  return { dir, dispose: scratch.dispose };
}

const devHost = { name: "host", role: "host", version: "3.4", kubeconfig: { path: "stacks/dev/kubeconfigs/host.yaml", context: "host-admin" } };
const devLiveFile = (cluster: string, file: string) => readFileSync(join(__dirname, "..", "..", "stacks", "dev", "live", cluster, file), "utf8");
const hostLive = { "cluster-configuration.yaml": devLiveFile("host", "cluster-configuration.yaml"), "kubesphere-config.yaml": devLiveFile("host", "kubesphere-config.yaml"), "kubesphere-secret.yaml": devLiveFile("host", "kubesphere-secret.yaml") };
const member = (name: string, version: string, manage?: string) => ({ name, role: "member", version, ...(manage ? { manage } : {}), kubeconfig: { path: "stacks/dev/kubeconfigs/member-1.yaml" } });
/** Situation 2 of issue 15: a 3.1 member whose ClusterConfiguration carries oauthOptions (accessTokenMaxAge: 1h). */
const oauthOptionsMember31 = (manage: string) =>
  project([devHost, member("member-1", "3.1", manage)], {
    host: hostLive,
    "member-1": {
      "cluster-configuration.yaml": fixtureText("v3.1/cluster-configuration.member-oauth-options.yaml"),
      "kubesphere-config.yaml": fixtureText("v3.1/kubesphere-config.member-oauth-options.yaml"),
    },
  });
/** Runs the check on a scratch project (removed afterwards), asserts no secret is printed, and gives the run. */
async function checkProject(t: { teardown(f: () => void): void; false(v: boolean, m?: string): void }, p: { dir: string; dispose(): void }): Promise<CliRun> {
  t.teardown(p.dispose);
  const run = await runCheckInProcess(["--stack", "t", "--project-dir", p.dir, "--json"]);
  noSecret(t, run);
  return run;
}

test("3.4, installer: a hand-edited member whose ClusterConfiguration is already right gets the edit undone by a kubesphere-config patch in this update", async (t) => {
  const p = project([devHost, member("member-1", "3.4")], {
    host: hostLive,
    "member-1": { "cluster-configuration.yaml": fixtureText("v3.4/cluster-configuration.member.yaml"), "kubesphere-config.yaml": fixtureText("v3.4/kubesphere-config.member-hand-edited.yaml") },
  });
  const run = await checkProject(t, p);
  t.is(run.code, 0, run.stderr + run.stdout);
  const plan = clusterOf(report(run), "member-1");
  t.deepEqual(plan.changes, [{ setting: "accessTokenMaxAge", live: "2h", desired: "0" }]);
  const [installer, configMap] = [plan.resources.find((r) => r.type.endsWith("ClusterConfigurationPatch"))!, plan.resources.find((r) => r.type.endsWith("ConfigMapPatch"))!];
  t.deepEqual(installer.changes, [], "the ClusterConfiguration already says member with the host's secret: ks-installer does not run again");
  t.regex(installer.note!, /changes nothing under \.spec/);
  t.deepEqual(configMap.changes, [{ setting: "accessTokenMaxAge", key: "authentication.oauthOptions.accessTokenMaxAge", live: "2h", desired: "0" }]);
  t.is(configMap.object, "ConfigMap kubesphere-system/kubesphere-config");
  t.deepEqual(mandatory(report(run)), []);
});

test("3.1, configmap: a member whose ClusterConfiguration carries oauthOptions (1h) is refused before apply, naming the keys, the revert and both fixes", async (t) => {
  const run = await checkProject(t, oauthOptionsMember31("configmap"));
  t.is(run.code, 1, run.stderr + run.stdout);
  const revert = mandatory(report(run)).filter((v) => v.cluster === "member-1" && v.policy === "kubesphere-installer-configure-member-role");
  t.is(revert.length, 1, JSON.stringify(report(run).violations, null, 1));
  t.regex(revert[0]!.message, /reverted by ks-installer's next run .*authentication\.oauthOptions\.accessTokenMaxAge 0 -> 1h .*spec.*accessTokenMaxAge.*manage: installer.*set spec\.authentication\.oauthOptions\.accessTokenMaxAge: 0/s);
  const plan = clusterOf(report(run), "member-1");
  t.deepEqual(plan.changes, [{ setting: "accessTokenMaxAge", live: "1h", desired: "0" }, { setting: "restart", live: "running", desired: "ks-apiserver restarted" }]);
  t.deepEqual(plan.resources.find((r) => r.type.endsWith("ClusterConfigurationPatch"))!.changes, [], "the ClusterConfiguration is handed over as it is");
});

test("3.1, installer: the same member is repaired through its ClusterConfiguration, with an explicit 0", async (t) => {
  const run = await checkProject(t, oauthOptionsMember31("installer"));
  t.is(run.code, 0, run.stderr + run.stdout);
  const plan = clusterOf(report(run), "member-1");
  t.like(plan.resources.find((r) => r.type.endsWith("ClusterConfigurationPatch"))!.changes[0], { key: "spec.authentication.oauthOptions.accessTokenMaxAge", live: "1h", desired: "0" });
  // The spec changes, so ks-installer renders the config and, on 3.1, restarts ks-apiserver itself: nothing else is declared.
  t.deepEqual(plan.changes.map((c) => [c.setting, c.desired]), [["accessTokenMaxAge", "0"]]);
  t.deepEqual(plan.resources.map((r) => r.type.split(":").pop()), ["ClusterConfigurationPatch"]);
});

test("for every version and mode, the plan promises only changes that a declared resource makes", async (t) => {
  const versions = ["3.0", "3.1", "3.2", "3.3", "3.4", "4.0", "4.1"];
  const clusters: Record<string, unknown>[] = [devHost];
  const live: Record<string, Record<string, string>> = { host: hostLive };
  const drifted = fixtureText("v3.4/kubesphere-config.member-hand-edited.yaml");
  const ccFor = (version: string, role: string) =>
    fixtureText("v3.4/cluster-configuration.member.yaml").replace("version: v3.4.1", `version: v${version}.0`).replace("clusterRole: member ", `clusterRole: ${role} `);
  for (const version of versions) {
    if (version.startsWith("4.")) {
      const name = `v${version.replace(".", "")}`;
      clusters.push(member(name, version));
      live[name] = { "kubesphere-config.yaml": fixtureText("v4.1/kubesphere-config.member.yaml").replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h") };
      continue;
    }
    for (const [manage, role] of [["installer", "member"], ["installer", "none"], ["configmap", "member"]] as const) {
      const name = `v${version.replace(".", "")}-${manage}-${role}`;
      clusters.push(member(name, version, manage));
      live[name] = { "cluster-configuration.yaml": ccFor(version, role), "kubesphere-config.yaml": drifted };
    }
  }
  const run = await checkProject(t, project(clusters, live));
  t.true(run.code === 0 || run.code === 1, run.stderr);
  const { clusters: plans } = report(run);
  t.is(plans.length, clusters.length);
  for (const plan of plans) {
    const made = plan.resources.flatMap((r) => r.changes).filter((c) => c.setting);
    for (const change of plan.changes) {
      t.true(made.some((c) => c.setting === change.setting && c.desired === change.desired), `${plan.name} (${plan.version}, ${plan.mode}): ${change.setting} ${change.live} → ${change.desired} is made by no declared resource`);
    }
    if (plan.name === "host") continue;
    // Every member is drifted to 2h: each plan sets it to 0, whatever the version and mode.
    t.like(plan.changes.find((c) => c.setting === "accessTokenMaxAge"), { live: "2h", desired: "0" }, plan.name);
  }
});

test("a working 3.4 member whose ks-installer rendered accessTokenMaxAge twice (1h, then 0) passes: the last value counts", async (t) => {
  const live = scratchCopy("stacks/dev/live");
  t.teardown(live.dispose);
  copyFileSync(join(FIXTURES_DIR, "v3.4/cluster-configuration.member-ldap.yaml"), join(live.dir, "member-1", "cluster-configuration.yaml"));
  copyFileSync(join(FIXTURES_DIR, "v3.4/kubesphere-config.member-ldap.yaml"), join(live.dir, "member-1", "kubesphere-config.yaml"));
  const run = await runCheckInProcess(["--stack", "dev", "--live", live.dir, "--json"]);
  t.is(run.code, 0, run.stderr + run.stdout);
  t.deepEqual(mandatory(report(run)), []);
  t.deepEqual(clusterOf(report(run), "member-1").changes, []);
  noSecret(t, run);
});

test("the same repeated key in a 4.x member's kubesphere.yaml stays refused, with its line and the fix", async (t) => {
  const live = scratchCopy("stacks/dev/live");
  t.teardown(live.dispose);
  const file = join(live.dir, "member-2", "kubesphere-config.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(/^( +)accessTokenMaxAge: (.*)\n/m, "$1accessTokenMaxAge: $2\n$1accessTokenMaxAge: 2h\n"));
  const run = await runCheckInProcess(["--stack", "dev", "--live", live.dir]);
  t.is(run.code, 2, run.stdout);
  t.regex(run.stderr, /member-2.*line \d+, column \d+ writes authentication\.issuer\.accessTokenMaxAge again \(first at line \d+\).*keep one accessTokenMaxAge line/s);
  noSecret(t, run);
});
