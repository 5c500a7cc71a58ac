import test from "ava";
import { validateFleetConfig, type FleetConfigInput } from "../../src/config/validateFleetConfig";
import type { FleetDeclaration } from "../../src/config/fleetDeclaration";
import type { KubernetesObject } from "../../src/model/kubernetesObjects";
import { secretFacts } from "../../src/model/secretFacts";
import type { LiveCluster } from "../../src/program/liveCluster";
import { planFleet } from "../../src/program/livePlan";
import { FIXTURE_SECRET, PROJECT_ROOT, changed, fixtureObject, stackInput } from "../helpers/mocksFleet";

const STACK_SECRET = "stackJwtSecretCCCCCCCCCCCCCCCCCCCCCC";
const clusterConfiguration = (role: string, version = "v3.4.1"): KubernetesObject =>
  changed(fixtureObject("v3.4/cluster-configuration.yaml"), (o) => ((o.spec.multicluster.clusterRole = role), (o.metadata.labels.version = version)));
const v3Host = fixtureObject("v3.4/kubesphere-config.host.yaml");
const v3Member = fixtureObject("v3.4/kubesphere-config.member.yaml");
const v4Host = fixtureObject("v4.1/kubesphere-config.host.yaml");
const v4Member = fixtureObject("v4.1/kubesphere-config.member.yaml");
const secret = fixtureObject("v3.4/kubesphere-secret.yaml");
const withText = (configMap: KubernetesObject, text: string) => changed(configMap, (o) => (o.data["kubesphere.yaml"] = text));

/** The dev fleet with one change, validated. */
function fleet(edit: (clusters: any[]) => void = () => undefined, extra: Partial<FleetConfigInput> = {}): FleetDeclaration {
  const input = stackInput("dev");
  const clusters = structuredClone(input.clusters) as any[];
  edit(clusters);
  const { fleet, errors } = validateFleetConfig({ ...input, clusters, ...extra }, { stack: "dev", projectRoot: PROJECT_ROOT });
  if (!fleet) throw new Error(errors.map((e) => e.message).join("; "));
  return fleet;
}

/** What the dev fleet's clusters hold before the program runs: the shared fixtures, with per-object overrides (`null`: not there). */
function devLive(overrides: Record<string, { [K in keyof LiveCluster]: LiveCluster[K] | null }> = {}): Map<string, LiveCluster> {
  const defaults: Record<string, LiveCluster> = {
    host: { clusterConfiguration: clusterConfiguration("host"), kubesphereSecret: secret, configMap: v3Host },
    "member-1": { clusterConfiguration: clusterConfiguration("member"), configMap: v3Member },
    "member-2": { configMap: v4Member },
  };
  const names = new Set([...Object.keys(defaults), ...Object.keys(overrides)]);
  return new Map(
    [...names].map((name) => [name, Object.fromEntries(Object.entries({ ...defaults[name], ...overrides[name] }).filter(([, v]) => v !== null && v !== undefined)) as LiveCluster]),
  );
}

const planOf = (plan: ReturnType<typeof planFleet>, name: string) => plan.plans.find((p) => p.cluster.name === name)!;

test("installer mode patches ks-installer with the adopted host secret and the role, and nothing else", (t) => {
  const plan = planFleet(fleet(), devLive());
  t.deepEqual(plan.errors, []);
  t.is(plan.jwtSecretSource, "adopted from the host's Secret kubesphere-system/kubesphere-secret");
  t.deepEqual(planOf(plan, "host").installerPatch, { spec: { authentication: { jwtSecret: FIXTURE_SECRET }, multicluster: { clusterRole: "host" } } });
  t.deepEqual(planOf(plan, "member-1").installerPatch, { spec: { authentication: { jwtSecret: FIXTURE_SECRET }, multicluster: { clusterRole: "member" } } });
  t.is(planOf(plan, "host").configMapPatch, undefined);
  t.is(planOf(plan, "host").restart, undefined);
  t.is(planOf(plan, "member-1").restart, undefined, "3.3+ reloads the file; ks-installer restarts what it renders");
});

test("the summaries give role, version, mode, fingerprint and effective max age, never the secret", (t) => {
  const plan = planFleet(fleet(), devLive());
  const fingerprint = secretFacts(FIXTURE_SECRET).fingerprint;
  t.deepEqual(plan.plans.map((p) => p.summary), [
    { role: "host", version: "3.4", mode: "installer", jwtSecretFingerprint: fingerprint, accessTokenMaxAge: "2h (ks-apiserver default)" },
    { role: "member", version: "3.4", mode: "installer", jwtSecretFingerprint: fingerprint, accessTokenMaxAge: "0" },
    { role: "member", version: "4.1", mode: "configmap", jwtSecretFingerprint: fingerprint, accessTokenMaxAge: "0" },
  ]);
  t.false(JSON.stringify(plan.plans.map((p) => p.summary)).includes(FIXTURE_SECRET));
});

test("a secret set in the stack wins over the host's and is written everywhere", (t) => {
  const plan = planFleet(fleet(undefined, { jwtSecret: STACK_SECRET }), devLive());
  t.is(plan.jwtSecretSource, "stack config kubesphere-fleet:jwtSecret");
  t.is(planOf(plan, "member-1").installerPatch!.spec.authentication.jwtSecret, STACK_SECRET);
  t.regex(planOf(plan, "member-2").configMapPatch!.kubesphereYaml, new RegExp(`\n {4}jwtSecret: "${STACK_SECRET}"\n`));
  t.deepEqual(planOf(plan, "member-2").configMapPatch!.changedKeys, ["authentication.issuer.jwtSecret"]);
});

test("a 3.1 member whose ClusterConfiguration sets oauthOptions gets accessTokenMaxAge: 0 explicitly", (t) => {
  const withOauth = changed(clusterConfiguration("member", "v3.1.1"), (o) => (o.spec.authentication.oauthOptions = { accessTokenInactivityTimeout: "30m" }));
  const plan = planFleet(fleet((c) => (c[1].version = "3.1")), devLive({ "member-1": { clusterConfiguration: withOauth } }));
  t.deepEqual(plan.errors, []);
  t.deepEqual(planOf(plan, "member-1").installerPatch!.spec.authentication.oauthOptions, { accessTokenMaxAge: 0 });
  t.is(planOf(plan, "member-1").summary.accessTokenMaxAge, "0");
});

test("installer mode whose spec is already right patches a hand-edited kubesphere-config to what ks-installer renders, with the 3.0–3.2 restart", (t) => {
  for (const version of ["3.2", "3.4"]) {
    const right = changed(fixtureObject("v3.4/cluster-configuration.member.yaml"), (o) => (o.metadata.labels.version = `v${version}.0`));
    const edited = fixtureObject("v3.4/kubesphere-config.member-hand-edited.yaml");
    const plan = planFleet(fleet((c) => (c[1].version = version)), devLive({ "member-1": { clusterConfiguration: right, configMap: edited } }));
    t.deepEqual(plan.errors, []);
    const p = planOf(plan, "member-1");
    t.deepEqual(p.configMapPatch!.changedKeys, ["authentication.oauthOptions.accessTokenMaxAge"], version);
    t.is(p.restart !== undefined, version === "3.2", version);
    // Nothing to correct: no config patch, and ks-installer is not woken either.
    const agreeing = planFleet(fleet((c) => (c[1].version = version)), devLive({ "member-1": { clusterConfiguration: right } }));
    t.is(planOf(agreeing, "member-1").configMapPatch, undefined, version);
  }
});

test("a 3.1 member without oauthOptions keeps ks-installer's automatic 0", (t) => {
  const plan = planFleet(fleet((c) => (c[1].version = "3.1")), devLive({ "member-1": { clusterConfiguration: clusterConfiguration("member", "v3.1.1") } }));
  t.is(planOf(plan, "member-1").installerPatch!.spec.authentication.oauthOptions, undefined);
  t.is(planOf(plan, "member-1").summary.accessTokenMaxAge, "0");
});

for (const version of ["3.3", "3.4"]) {
  test(`a ${version} member whose ClusterConfiguration sets oauthOptions.accessTokenMaxAge is planned: ks-installer renders the member's 0 last, and it wins`, (t) => {
    const live = changed(clusterConfiguration("member", `v${version}.0`), (o) => (o.spec.authentication.oauthOptions = { accessTokenMaxAge: "1h" }));
    const plan = planFleet(fleet((c) => (c[1].version = version)), devLive({ "member-1": { clusterConfiguration: live } }));
    t.deepEqual(plan.errors, []);
    t.is(planOf(plan, "member-1").installerPatch!.spec.authentication.oauthOptions, undefined);
    t.is(planOf(plan, "member-1").summary.accessTokenMaxAge, "0");
  });
}

test("a declared version that the ClusterConfiguration contradicts is refused", (t) => {
  const plan = planFleet(fleet((c) => (c[1].version = "3.3")), devLive());
  t.deepEqual(plan.errors, [`Stack 'dev', clusters[1] (member-1): version is "3.3" but ClusterConfiguration kubesphere-system/ks-installer says 3.4. Fix: set version: "3.4" (the per-version ks-installer quirks depend on it).`]);
});

test("a 4.x declaration over a 3.x kubesphere.yaml is refused", (t) => {
  const plan = planFleet(fleet(), devLive({ "member-2": { configMap: v3Member } }));
  t.regex(plan.errors.join("\n"), /clusters\[2\] \(member-2\): version is "4\.1" but ConfigMap kubesphere-system\/kubesphere-config uses the 3\.x layout/);
});

test("configmap mode on a 3.x host adopts the secret from kubesphere-config and edits only jwtSecret", (t) => {
  const plan = planFleet(fleet((c) => (c[0].manage = "configmap")), devLive());
  t.deepEqual(plan.errors, []);
  t.is(plan.jwtSecretSource, "adopted from the host's ConfigMap kubesphere-system/kubesphere-config");
  t.is(planOf(plan, "host").configMapPatch!.kubesphereYaml, (v3Host.data as Record<string, string>)["kubesphere.yaml"]);
  t.is(planOf(plan, "host").restart, undefined, "3.4 ks-apiserver reloads kubesphere.yaml itself");
});

test("a 3.2 configmap-mode member gets accessTokenMaxAge: 0 and a ks-apiserver restart; a 4.1 member a restart too", (t) => {
  const member32 = withText(v3Member, (v3Host.data as Record<string, string>)["kubesphere.yaml"]!);
  const plan = planFleet(fleet((c) => ((c[1].version = "3.2"), (c[1].manage = "configmap"))), devLive({ "member-1": { configMap: member32 }, "member-2": { configMap: v4Host } }));
  t.deepEqual(plan.errors, []);
  t.deepEqual(planOf(plan, "member-1").configMapPatch!.changedKeys, ["authentication.oauthOptions.accessTokenMaxAge", "multicluster.clusterRole"]);
  t.regex(planOf(plan, "member-1").restart!.annotation, /^[0-9a-f]{32}$/);
  t.deepEqual(planOf(plan, "member-2").configMapPatch!.changedKeys, ["authentication.issuer.accessTokenMaxAge", "multicluster.clusterRole"]);
  t.truthy(planOf(plan, "member-2").restart);
});

test("planning again over what the first plan wrote gives the same text and holds the restart annotation", (t) => {
  const declared = fleet((c) => ((c[1].version = "3.2"), (c[1].manage = "configmap")), { jwtSecret: STACK_SECRET });
  const first = planFleet(declared, devLive({ "member-2": { configMap: v4Host } }));
  const applied = (name: string, base: KubernetesObject) => withText(base, planOf(first, name).configMapPatch!.kubesphereYaml);
  const second = planFleet(declared, devLive({ "member-1": { configMap: applied("member-1", v3Member) }, "member-2": { configMap: applied("member-2", v4Host) } }));
  // The first plan corrects both configs, so it restarts; the second changes nothing and keeps the annotation the
  // first one applied (declared with ignoreChanges), so nothing restarts again.
  t.deepEqual(first.plans.filter((p) => p.restart).map((p) => [p.cluster.name, p.restart!.keepCurrent]), [["member-1", false], ["member-2", false]]);
  t.deepEqual(second.plans.filter((p) => p.restart).map((p) => [p.cluster.name, p.restart!.keepCurrent]), [["member-1", true], ["member-2", true]]);
  // The installer-mode host's spec changes (the new secret), so ks-installer renders its config: no config patch.
  t.is(planOf(first, "host").configMapPatch, undefined);
  const members = (plan: typeof first) => ["member-1", "member-2"].map((name) => planOf(plan, name).configMapPatch?.kubesphereYaml);
  t.deepEqual(members(second), members(first));
  t.deepEqual(second.plans.map((p) => p.configMapPatch?.changedKeys ?? []).flat(), []);
});

test("the restart annotation changes with the secret and never contains it", (t) => {
  const a = planFleet(fleet(), devLive());
  const b = planFleet(fleet(undefined, { jwtSecret: STACK_SECRET }), devLive());
  const annotationA = planOf(a, "member-2").restart!.annotation;
  t.not(annotationA, planOf(b, "member-2").restart!.annotation);
  t.false(annotationA.includes(secretFacts(FIXTURE_SECRET).digest.slice(0, 12)));
});

test("no host value to adopt is a clear error, and nothing is planned", (t) => {
  const empty = changed(secret, (o) => delete o.data.secret);
  const plan = planFleet(fleet(), devLive({ host: { clusterConfiguration: clusterConfiguration("host"), kubesphereSecret: empty } }));
  t.deepEqual(plan.plans, []);
  t.deepEqual(plan.errors, [
    `Stack 'dev', clusters[0] (host): Secret kubesphere-system/kubesphere-secret has no key 'secret', so there is no host jwtSecret to adopt. Fix: set the fleet's secret with: pulumi config set --secret jwtSecret "$(openssl rand -hex 16)".`,
  ]);
});

test("an empty jwtSecret in a configmap-mode host's kubesphere.yaml is nothing to adopt", (t) => {
  const text = (v3Host.data as Record<string, string>)["kubesphere.yaml"]!.replace(`"${FIXTURE_SECRET}"`, '""');
  const plan = planFleet(fleet((c) => (c[0].manage = "configmap")), devLive({ host: { configMap: withText(v3Host, text) } }));
  t.regex(plan.errors.join("\n"), /clusters\[0\] \(host\): ConfigMap kubesphere-system\/kubesphere-config kubesphere\.yaml has no jwtSecret, so there is no host jwtSecret to adopt\. Fix: set the fleet's secret/);
});

test("a weak host secret is not adopted, and the message shows its fingerprint only", (t) => {
  const weak = changed(secret, (o) => (o.data.secret = Buffer.from("changeme").toString("base64")));
  const plan = planFleet(fleet(), devLive({ host: { clusterConfiguration: clusterConfiguration("host"), kubesphereSecret: weak } }));
  t.is(plan.errors.length, 1);
  t.regex(plan.errors[0]!, /clusters\[0\] \(host\): the host's jwtSecret \(sha256:[0-9a-f]{12}, in Secret kubesphere-system\/kubesphere-secret\) is a placeholder, so the fleet must not adopt it\. Fix:/);
  t.false(plan.errors[0]!.includes("changeme"));
});

test("a live kubesphere.yaml that does not parse is an error naming the cluster, the ConfigMap and the line", (t) => {
  const broken = `authentication:\n  jwtSecret: "${FIXTURE_SECRET}"\n  oauthOptions: [\n`;
  const plan = planFleet(fleet(), devLive({ "member-2": { configMap: withText(v4Member, broken) } }));
  t.deepEqual(plan.plans, []);
  t.is(plan.errors.length, 1);
  t.regex(plan.errors[0]!, /^Stack 'dev', clusters\[2\] \(member-2\): ConfigMap kubesphere-system\/kubesphere-config: kubesphere\.yaml line \d+, column \d+ does not parse: .* Fix: repair kubesphere\.yaml in that ConfigMap \(kubectl -n kubesphere-system edit configmap kubesphere-config\)/);
  t.false(plan.errors[0]!.includes(FIXTURE_SECRET));
});

test("a missing ConfigMap or ClusterConfiguration is named with the fix", (t) => {
  const plan = planFleet(fleet(), devLive({ "member-1": { clusterConfiguration: null }, "member-2": { configMap: null } }));
  t.deepEqual(plan.errors, [
    `Stack 'dev', clusters[1] (member-1): ClusterConfiguration kubesphere-system/ks-installer was not found. Fix: check that KubeSphere 3.4 is installed with ks-installer, or set manage: configmap.`,
    `Stack 'dev', clusters[2] (member-2): ConfigMap kubesphere-system/kubesphere-config was not found. Fix: check the KubeSphere installation, or set kubesphere-fleet:namespace / kubesphere-fleet:configMap for a rebranded distribution.`,
  ]);
});

for (const version of ["3.0", "3.1", "3.2", "3.3", "3.4", "4.0", "4.1"]) {
  const v4 = version.startsWith("4.");
  for (const manage of v4 ? [undefined] : ["installer", "configmap"]) {
    // In installer mode the spec changes (none -> member), so ks-installer renders the config (and restarts 3.0–3.2 itself).
    const restarts = v4 || (manage === "configmap" && ["3.0", "3.1", "3.2"].includes(version));
    const what = manage === "installer" ? "a ks-installer patch (ks-installer renders the rest)" : manage === "configmap" ? "a kubesphere-config patch and its ClusterConfiguration handed over as it is" : "a kubesphere-config patch";
    test(`KubeSphere ${version}${manage ? ` (${manage})` : ""}: a member gets ${what}${restarts ? ", and a ks-apiserver restart" : ", no restart"}`, (t) => {
      const member: LiveCluster = v4
        ? { configMap: v4Host }
        : { clusterConfiguration: clusterConfiguration("none", `v${version}.0`), configMap: withText(v3Member, (v3Host.data as Record<string, string>)["kubesphere.yaml"]!) };
      const plan = planFleet(fleet((c) => ((c[1].version = version), manage ? (c[1].manage = manage) : undefined)), devLive({ "member-1": member }));
      t.deepEqual(plan.errors, []);
      const p = planOf(plan, "member-1");
      t.is(p.installerPatch?.spec.multicluster.clusterRole, manage === "installer" ? "member" : undefined);
      t.deepEqual(p.installerObservation, manage === "configmap" ? { labels: { version: `v${version}.0` }, spec: { authentication: { jwtSecret: "" }, multicluster: { clusterRole: "none" } } } : undefined);
      // The config said host: its accessTokenMaxAge and, where the file has it, its clusterRole change.
      t.deepEqual(p.configMapPatch?.changedKeys, manage === "installer" ? undefined : [v4 ? "authentication.issuer.accessTokenMaxAge" : "authentication.oauthOptions.accessTokenMaxAge", "multicluster.clusterRole"]);
      t.is(p.restart !== undefined, restarts);
      t.is(p.summary.accessTokenMaxAge, "0");
    });
  }
}

test("every problem of the fleet is reported at once: nothing to adopt on the host and an unparsable member config", (t) => {
  const empty = changed(secret, (o) => delete o.data.secret);
  const plan = planFleet(fleet(), devLive({ host: { clusterConfiguration: clusterConfiguration("host"), kubesphereSecret: empty }, "member-2": { configMap: withText(v4Member, "a: [\n") } }));
  t.deepEqual(plan.plans, []);
  t.is(plan.errors.length, 2);
  t.regex(plan.errors[0]!, /clusters\[0\] \(host\): Secret kubesphere-system\/kubesphere-secret has no key 'secret'/);
  t.regex(plan.errors[1]!, /clusters\[2\] \(member-2\): ConfigMap kubesphere-system\/kubesphere-config: kubesphere\.yaml line 2, column 1 does not parse/);
});

test("clusters whose reads failed are skipped, and nothing is planned", (t) => {
  const plan = planFleet(fleet(), devLive(), new Set(["member-1"]));
  t.deepEqual(plan.errors, []);
  t.deepEqual(plan.plans, []);
});
