import test from "ava";
import {
  allRules,
  apiserverRedisCache,
  configParses,
  evaluateFleet,
  defaultRuleOptions,
  fleetConsistentClockSkew,
  fleetSharedJwtSecret,
  fleetSingleHost,
  installerMemberRole,
  kubeconfigRenewCertificate,
  kubeconfigValidCertificate,
  memberZeroAccessTokenMaxAge,
  registerRule,
  RuleScope,
  strongJwtSecret,
} from "../../src/rules";
import type { ClusterView } from "../../src/model/fleet";
import { clusterViewFromObjects } from "../../src/model/kubernetesObjects";
import { UNKNOWN_VALUE } from "../../src/model/unknownValue";
import { sha256Hex } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET, fixtureObject } from "../helpers/fixtures";
import { NOW, compliantFleet, configMap, fixtureCluster, memberClusterConfiguration, run } from "../helpers/fleet";
import { changed } from "../helpers/mocksFleet";

const OTHER_SECRET = "anotherJwtSecretBBBBBBBBBBBBBBBBBB";
const otherSecret = (text: string) => text.replace(FIXTURE_JWT_SECRET, OTHER_SECRET);

test("the compliant fixture fleet has no finding from any rule", (t) => {
  t.deepEqual(evaluateFleet({ clusters: compliantFleet() }, defaultRuleOptions(NOW)), []);
});

test("every rule has a unique kebab-case id, a sentence description, severity and remediation", (t) => {
  const ids = new Set<string>();
  for (const rule of allRules()) {
    t.regex(rule.id, /^kubesphere-[a-z]+-(configure|disallow|enable|renew)-[a-z0-9-]+$/, rule.id);
    t.regex(rule.description, /^Checks whether .+\.$/, rule.id);
    t.true(["low", "medium", "high", "critical"].includes(rule.severity), rule.id);
    t.true(rule.remediationSteps.length > 20, rule.id);
    t.false(ids.has(rule.id));
    ids.add(rule.id);
  }
  t.throws(() => registerRule(allRules()[0]!), { message: /already exists/ });
});

test("fails when a member's jwtSecret differs from the host's, naming both fingerprints", (t) => {
  const clusters = compliantFleet();
  clusters[2] = fixtureCluster("member-2", "v4.1/kubesphere-config.member.yaml", otherSecret);
  const findings = run(fleetSharedJwtSecret, clusters);
  t.is(findings.length, 1);
  t.like(findings[0], { cluster: "member-2", enforcement: "mandatory" });
  t.true(findings[0]!.message.includes(`sha256:${sha256Hex(OTHER_SECRET).slice(0, 12)}`));
  t.true(findings[0]!.message.includes(`host 'host'`));
  t.false(findings[0]!.message.includes(OTHER_SECRET));
});

test("holds every stack to the expected fingerprint from policy config", (t) => {
  t.deepEqual(run(fleetSharedJwtSecret, compliantFleet(), { expectedJwtSecretFingerprint: sha256Hex(FIXTURE_JWT_SECRET) }), []);
  const findings = run(fleetSharedJwtSecret, compliantFleet(), { expectedJwtSecretFingerprint: sha256Hex(OTHER_SECRET).slice(0, 16) });
  t.is(findings.length, 3);
});

test("without a host, the minority secret is the one that diverges", (t) => {
  const clusters = [
    fixtureCluster("a", "v3.4/kubesphere-config.member.yaml"),
    fixtureCluster("b", "v3.4/kubesphere-config.member.yaml"),
    fixtureCluster("c", "v3.4/kubesphere-config.member.yaml", otherSecret),
  ];
  t.deepEqual(run(fleetSharedJwtSecret, clusters).map((f) => f.cluster), ["c"]);
});

/** The seed's fleet with its host unread: a 3.4 member that drifted (its secret in three objects) and two healthy 4.1 members. */
function hostUnreadFleet(host: ClusterView[] = []): ClusterView[] {
  const drifted = fixtureCluster("drifted", "v3.4/kubesphere-config.member.yaml", otherSecret, {
    objects: [memberClusterConfiguration((cc) => (cc.spec.authentication.jwtSecret = OTHER_SECRET)), kubesphereSecretWith(OTHER_SECRET)],
  });
  return [...host, drifted, fixtureCluster("edge-1", "v4.1/kubesphere-config.member.yaml"), fixtureCluster("edge-2", "v4.1/kubesphere-config.member.yaml")];
}

function kubesphereSecretWith(secret: string) {
  const object = fixtureObject("v3.4/kubesphere-secret.yaml") as { data: Record<string, string> };
  return { ...object, data: { ...object.data, secret: Buffer.from(secret).toString("base64") } };
}

test("without the host, clusters are counted, not objects: one drifted 3.4 member does not outvote two 4.1 members", (t) => {
  const findings = run(fleetSharedJwtSecret, hostUnreadFleet());
  t.true(findings.length > 0);
  t.deepEqual([...new Set(findings.map((f) => f.cluster))], ["drifted"], "the healthy members are not blamed");
  t.true(findings.every((f) => f.enforcement === "advisory"), "a verdict that rests on a guess is not mandatory");
  t.regex(findings[0]!.message, /no cluster here is known to be the host, so this compares with a guess: the secret held by the most clusters \(2 of 3: 'edge-1', 'edge-2'\)/);
});

test("a host that could not be read is named, and the stack's declared jwtSecret is the reference when known", (t) => {
  // The audit's view of an unreadable host: the stack's role, nothing read.
  const unread: ClusterView = { name: "host", declaredRole: "host", settings: [], apiserver: [], credentials: [] };
  const guessed = run(fleetSharedJwtSecret, hostUnreadFleet([unread]));
  t.regex(guessed[0]!.message, /the jwtSecret of host 'host' could not be read, so this compares with a guess/);
  const declared = run(fleetSharedJwtSecret, hostUnreadFleet([unread]), { declaredJwtSecretFingerprint: sha256Hex(FIXTURE_JWT_SECRET) });
  t.deepEqual([...new Set(declared.map((f) => `${f.cluster} ${f.enforcement}`))], ["drifted mandatory"]);
  t.regex(declared[0]!.message, new RegExp(`the jwtSecret of host 'host' could not be read; the stack's jwtSecret is sha256:${sha256Hex(FIXTURE_JWT_SECRET).slice(0, 12)}\\.`));
});

test("secrets split evenly with no host: one advisory naming every cluster, and no cluster blamed", (t) => {
  const clusters = [fixtureCluster("a", "v4.1/kubesphere-config.member.yaml"), fixtureCluster("b", "v4.1/kubesphere-config.member.yaml", otherSecret)];
  const findings = run(fleetSharedJwtSecret, clusters);
  t.is(findings.length, 1);
  t.like(findings[0], { enforcement: "advisory", clusters: ["a", "b"] });
  t.regex(findings[0]!.message, /hold 2 different jwtSecrets .* so which one is right is not known/);
});

test("an unknown secret is an advisory note, never a mandatory violation", (t) => {
  const clusters = compliantFleet();
  clusters[1] = { ...clusters[1]!, settings: [{ ...clusters[1]!.settings[0]!, jwtSecret: { state: "unknown", source: "x", reason: "not known until the deployment runs" } }] };
  const findings = run(fleetSharedJwtSecret, clusters);
  t.deepEqual(findings.map((f) => f.enforcement), ["advisory"]);
});

test("fails when a member keeps a non-zero accessTokenMaxAge", (t) => {
  const clusters = compliantFleet();
  clusters[1] = fixtureCluster("member-1", "v3.4/kubesphere-config.member.yaml", (x) => x.replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h"));
  const findings = run(memberZeroAccessTokenMaxAge, clusters);
  t.is(findings.length, 1);
  t.regex(findings[0]!.message, /Member 'member-1' .*accessTokenMaxAge\) is 2h; members need 0/);
});

test("fails when a member has no accessTokenMaxAge at all", (t) => {
  const clusters = [fixtureCluster("member-2", "v4.1/kubesphere-config.member.yaml", (x) => x.replace("    accessTokenMaxAge: 0s\n", ""))];
  const findings = run(memberZeroAccessTokenMaxAge, clusters);
  t.regex(findings[0]!.message, /is not set .*authentication\.issuer\.accessTokenMaxAge: 0s/);
});

test("a host may keep a non-zero accessTokenMaxAge", (t) => {
  t.deepEqual(run(memberZeroAccessTokenMaxAge, [fixtureCluster("host", "v4.1/kubesphere-config.host.yaml")]), []);
});

test("fails on two hosts and on one cluster declared with two roles", (t) => {
  const clusters = [...compliantFleet(), fixtureCluster("host-2", "v4.1/kubesphere-config.host.yaml")];
  t.deepEqual(run(fleetSingleHost, clusters).map((f) => f.cluster), ["host-2"]);
  const split = fixtureCluster("x", "v3.4/kubesphere-config.member.yaml", (y) => y, { objects: [memberClusterConfiguration((cc) => (cc.spec.multicluster.clusterRole = "host"))] });
  t.regex(run(fleetSingleHost, [split])[0]!.message, /conflicting roles/);
});

test("fails when a member's ClusterConfiguration does not declare clusterRole: member", (t) => {
  const cluster = clusterViewFromObjects("member-1", [memberClusterConfiguration((cc) => delete cc.spec.multicluster)], { declaredRole: "member" });
  const findings = run(installerMemberRole, [cluster]);
  t.is(findings.length, 1);
  t.regex(findings[0]!.message, /is not set; ks-installer re-renders .* Set spec\.multicluster\.clusterRole: member/);
  t.deepEqual(run(installerMemberRole, [fixtureCluster("m", "v3.4/kubesphere-config.member.yaml", (x) => x, { objects: [memberClusterConfiguration()] })]), []);
});

test("points out the 3.3/3.4 repeated key as advisory (the member's 0 is rendered last and wins) and fails on the 3.1 oauthOptions trap", (t) => {
  const duplicate = fixtureCluster("m", "v3.4/kubesphere-config.member-ldap.yaml", (x) => x, {
    objects: [fixtureObject("v3.4/cluster-configuration.member-ldap.yaml")],
  });
  const findings = run(installerMemberRole, [duplicate]);
  t.deepEqual(findings.map((f) => f.enforcement), ["advisory"]);
  t.regex(findings[0]!.message, /renders authentication\.oauthOptions\.accessTokenMaxAge twice in kubesphere\.yaml, that value and then 0\. ks-apiserver 3\.4 reads the last one \(0\), so the member works/);
  t.deepEqual(run(memberZeroAccessTokenMaxAge, [duplicate]), []);
  const v31 = clusterViewFromObjects("m", [v31ClusterConfiguration()]);
  t.regex(run(installerMemberRole, [v31])[0]!.message, /3\.1\) sets spec\.authentication\.oauthOptions without accessTokenMaxAge/);
});

test("an unversioned member ClusterConfiguration with oauthOptions says 3.1 would break it (undecided: version), and stays silent when the 0 is set", (t) => {
  const unversioned = (maxAge: string | number | undefined) =>
    clusterViewFromObjects("m", [
      memberClusterConfiguration((cc) => {
        delete cc.metadata.labels?.version;
        cc.spec.authentication.oauthOptions = maxAge === undefined ? { accessTokenInactivityTimeout: "30m" } : { accessTokenMaxAge: maxAge };
      }),
    ]);
  for (const maxAge of ["2h", undefined]) {
    const findings = run(installerMemberRole, [unversioned(maxAge)]);
    t.deepEqual(findings.map((f) => f.enforcement), ["advisory"], String(maxAge));
    t.regex(findings[0]!.message, /sets spec\.authentication\.oauthOptions .*its KubeSphere version is not known here \(undecided: version\)\. On 3\.1 ks-installer renders the spec's oauthOptions instead of the member's accessTokenMaxAge: 0/);
  }
  t.deepEqual(run(installerMemberRole, [unversioned(0)]), []);
});

function v31ClusterConfiguration() {
  return memberClusterConfiguration((cc) => {
    cc.metadata.labels.version = "v3.1.1";
    cc.spec.authentication.oauthOptions = { accessTokenInactivityTimeout: "30m" };
  });
}

test("fails before apply when a config the stack writes would be reverted by ks-installer, naming the keys and both fixes", (t) => {
  // Situation 2 of issue 15: a 3.1 member whose ClusterConfiguration carries oauthOptions (1h), its kubesphere-config patched to 0.
  const patched = fixtureCluster("member-1", "v3.1/kubesphere-config.member-oauth-options.yaml", (x) => x.replace("accessTokenMaxAge: 1h", "accessTokenMaxAge: 0"), {
    objects: [fixtureObject("v3.1/cluster-configuration.member-oauth-options.yaml")],
  });
  const findings = run(installerMemberRole, [patched]);
  t.deepEqual(findings.map((f) => [f.enforcement, f.source]), [["mandatory", "ClusterConfiguration kubesphere-system/ks-installer"]]);
  t.is(
    findings[0]!.message,
    "Member 'member-1' ConfigMap kubesphere-system/kubesphere-config is reverted by ks-installer's next run (its pod restarting, any change to the ClusterConfiguration's .spec, an upgrade), " +
      "which renders it from ClusterConfiguration kubesphere-system/ks-installer: authentication.oauthOptions.accessTokenMaxAge 0 -> 1h (ClusterConfiguration kubesphere-system/ks-installer: spec.authentication.oauthOptions.accessTokenMaxAge). " +
      "Fix: manage this cluster through the ClusterConfiguration (kubesphere-fleet: manage: installer), or correct the spec: set spec.authentication.oauthOptions.accessTokenMaxAge: 0 (3.1 renders the spec's oauthOptions instead of the member's 0).",
  );
  // A jwtSecret and a clusterRole the spec says otherwise are named too; a ClusterConfiguration that renders the same is fine.
  const other = fixtureCluster("member-1", "v3.4/kubesphere-config.member.yaml", (x) => x.replace(FIXTURE_JWT_SECRET, OTHER_SECRET), {
    objects: [memberClusterConfiguration((cc) => ((cc.spec.authentication.jwtSecret = FIXTURE_JWT_SECRET), (cc.spec.multicluster.clusterRole = "none")))],
  });
  t.regex(run(installerMemberRole, [other])[0]!.message, /accessTokenMaxAge 0 -> not set .*authentication\.jwtSecret sha256:[0-9a-f]{12} -> sha256:[0-9a-f]{12} .*multicluster\.clusterRole member -> none .*set spec\.multicluster\.clusterRole: member; set spec\.authentication\.jwtSecret to the fleet's jwtSecret/);
  t.false(JSON.stringify(run(installerMemberRole, [other])).includes(OTHER_SECRET));
  const agreeing = fixtureCluster("m", "v3.4/kubesphere-config.member.yaml", (x) => x, { objects: [fixtureObject("v3.4/cluster-configuration.member.yaml")] });
  t.deepEqual(run(installerMemberRole, [agreeing]), []);
});

test("a hand-edited member whose ClusterConfiguration renders the 0 is judged on the edit, not as a revert (ks-installer's next run would repair it)", (t) => {
  const edited = fixtureCluster("member-1", "v3.4/kubesphere-config.member-hand-edited.yaml", (x) => x, { objects: [fixtureObject("v3.4/cluster-configuration.member.yaml")] });
  t.deepEqual(run(installerMemberRole, [edited]), []);
  t.deepEqual(run(memberZeroAccessTokenMaxAge, [edited]).map((f) => [f.enforcement, f.source]), [["mandatory", "ConfigMap kubesphere-system/kubesphere-config: kubesphere.yaml: authentication.oauthOptions.accessTokenMaxAge"]]);
});

test("a joined host's re-marshalled accessTokenMaxAge: 0s that ks-installer would drop is only advisory", (t) => {
  const host = fixtureCluster("host", "v3.4/kubesphere-config.host-joined.yaml", (x) => x, {
    objects: [changed(fixtureObject("v3.4/cluster-configuration.yaml"), (cc) => ((cc.spec.multicluster.clusterRole = "host"), (cc.spec.authentication.jwtSecret = FIXTURE_JWT_SECRET)))],
  });
  const findings = run(installerMemberRole, [host]);
  t.deepEqual(findings.map((f) => f.enforcement), ["advisory"]);
  t.regex(findings[0]!.message, /^Cluster 'host' .*oauthOptions\.accessTokenMaxAge 0 -> not set/);
});

test("fails on a short or known-default jwtSecret without printing it", (t) => {
  const short = [fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => x.replace(FIXTURE_JWT_SECRET, "tooShortSecret"))];
  t.regex(run(strongJwtSecret, short)[0]!.message, /has 14 characters; the minimum is 32/);
  const published = [fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => x.replace(FIXTURE_JWT_SECRET, "gfIwilcc0WjNGKJ5DLeksf2JKfcLgTZU"))];
  const message = run(strongJwtSecret, published)[0]!.message;
  t.regex(message, /documentation/);
  t.false(message.includes("gfIwilcc0WjNGKJ5DLeksf2JKfcLgTZU"));
});

const cert = (notAfter: string, notBefore = "2025-01-01T00:00:00.000Z") =>
  ({ user: "k3s-admin", source: "stacks/dev/kubeconfigs/host.yaml", kind: "client-certificate", notAfter, notBefore }) as const;

test("fails on an expired client certificate with user, date and refresh steps", (t) => {
  const clusters = [fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => x, { credentials: [cert("2026-05-01T00:00:00.000Z")] })];
  const [finding] = run(kubeconfigValidCertificate, clusters);
  t.like(finding, { enforcement: "mandatory", cluster: "host" });
  t.regex(finding!.message, /user 'k3s-admin' \(stacks\/dev\/kubeconfigs\/host\.yaml\) client certificate expired on 2026-05-01T00:00:00\.000Z \(31 days ago/);
  t.regex(finding!.message, /\/etc\/rancher\/k3s\/k3s\.yaml.*minikube update-context.*aws eks update-kubeconfig.*gcloud container clusters get-credentials/);
  t.deepEqual(run(kubeconfigRenewCertificate, clusters), [], "an expired certificate is not also 'expiring'");
});

test("warns about a certificate inside the expiry window, and not outside it", (t) => {
  const soon = [fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => x, { credentials: [cert("2026-06-11T00:00:00.000Z")] })];
  t.like(run(kubeconfigRenewCertificate, soon)[0], { enforcement: "advisory" });
  t.deepEqual(run(kubeconfigRenewCertificate, soon, { certificateExpiryWindowDays: 5 }), []);
  t.deepEqual(run(kubeconfigValidCertificate, soon), []);
});

test("exec and token users have nothing to expire", (t) => {
  const clusters = [fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => x, { credentials: [{ user: "eks", source: "f", kind: "exec" }] })];
  t.deepEqual(run(kubeconfigValidCertificate, clusters), []);
});

test("advises when clusters use different maximumClockSkew", (t) => {
  const clusters = compliantFleet();
  clusters[2] = fixtureCluster("member-2", "v4.1/kubesphere-config.member.yaml", (x) => x.replace("maximumClockSkew: 10s", "maximumClockSkew: 1m"));
  const findings = run(fleetConsistentClockSkew, clusters);
  t.true(findings.every((f) => f.enforcement === "advisory"));
  t.regex(findings[0]!.message, /10s on 'host', 'member-1'; 1m on 'member-2'/);
});

test("advises on several ks-apiserver replicas with the in-memory cache, not with Redis", (t) => {
  const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ks-apiserver", namespace: "kubesphere-system" }, spec: { replicas: 3 } };
  const inMemory = [fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => x, { objects: [deployment] })];
  t.regex(run(apiserverRedisCache, inMemory)[0]!.message, /3 replicas with the in-memory token cache/);
  const redis = [fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => `${x}cache:\n  type: redis\n`, { objects: [deployment] })];
  t.deepEqual(run(apiserverRedisCache, redis), []);
});

test("fails on a kubesphere.yaml that does not parse, saying where", (t) => {
  const broken = [fixtureCluster("member-1", "v3.4/kubesphere-config.member.yaml", (x) => x.replace("network:\n", "network:\n   - broken\n  x"))];
  const [finding] = run(configParses, broken);
  t.regex(finding!.message, /Cluster 'member-1' .*kubesphere\.yaml line \d+, column \d+ does not parse/);
});

/** A fleet where every rule of scope `resource` finds something: weak, malformed, expired, expiring, unknown. */
function resourceFindingsFleet(): ClusterView[] {
  return [
    fixtureCluster("host", "v3.4/kubesphere-config.host.yaml", (x) => x.replace(FIXTURE_JWT_SECRET, "tooShortSecret"), { credentials: [cert("2026-05-01T00:00:00.000Z")] }),
    fixtureCluster("member-1", "v3.4/kubesphere-config.member.yaml", (x) => x.replace("network:\n", "network:\n   - broken\n  x"), { credentials: [cert("2026-06-11T00:00:00.000Z")] }),
    clusterViewFromObjects("member-2", [configMap(UNKNOWN_VALUE)], { credentials: [{ user: "eks", source: "f", kind: "exec" }] }),
  ];
}

test("a rule of scope resource finds on each object alone exactly what it finds over the fleet", (t) => {
  const resourceRules = allRules().filter((rule) => rule.scope === RuleScope.resource);
  t.deepEqual(resourceRules.map((r) => r.id).sort(), [configParses.id, kubeconfigRenewCertificate.id, kubeconfigValidCertificate.id, strongJwtSecret.id].sort());
  const clusters = resourceFindingsFleet();
  // What the pack sees on one resource: a provider's credentials, or one object's settings, of one cluster.
  const alone = clusters.flatMap((cluster) => [
    ...cluster.settings.map((settings): ClusterView => ({ ...cluster, settings: [settings], credentials: [], apiserver: [] })),
    ...cluster.credentials.map((credential): ClusterView => ({ ...cluster, settings: [], credentials: [credential], apiserver: [] })),
  ]);
  for (const rule of resourceRules) {
    const overFleet = run(rule, clusters);
    t.true(overFleet.length > 0, rule.id);
    t.deepEqual(alone.flatMap((view) => run(rule, [view])), overFleet, rule.id);
    // The pack's resource policies report only at the rule's own level: nothing may be left undecided.
    t.true(overFleet.every((f) => f.enforcement === rule.enforcement), rule.id);
  }
});

test("the rules of scope fleet never read credentials, which the pack's stack policies leave out", (t) => {
  const withCredentials = resourceFindingsFleet();
  const without = withCredentials.map((cluster) => ({ ...cluster, credentials: [] }));
  for (const rule of allRules().filter((r) => r.scope === RuleScope.fleet)) t.deepEqual(run(rule, withCredentials), run(rule, without), rule.id);
});

test("rules scale linearly: a 5,000-cluster fleet is evaluated", (t) => {
  const host = fixtureCluster("host", "v3.4/kubesphere-config.host.yaml");
  const member = fixtureCluster("m", "v3.4/kubesphere-config.member.yaml");
  const clusters = [host, ...Array.from({ length: 5000 }, (_, i) => ({ ...member, name: `m-${i}` }))];
  t.deepEqual(evaluateFleet({ clusters }, defaultRuleOptions(NOW)), []);
});
