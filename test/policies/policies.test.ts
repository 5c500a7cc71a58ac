import test from "ava";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { allPolicies, policyOf } from "../../policies/allPolicies";
import { memberZeroAccessTokenMaxAge } from "../../policies/memberZeroAccessTokenMaxAge";
import { ruleOptions } from "../../policies/policyConfig";
import { registerPolicy } from "../../policies/registry";
import { NO_CLUSTER_REASON } from "../../policies/rulePolicy";
import { WARN_UNDECIDED_DURING_PREVIEW, warnUndecidedDuringPreview } from "../../policies/warnUndecidedDuringPreview";
import { sha256Hex } from "../../src/model/secretFacts";
import { UNKNOWN_VALUE } from "../../src/model/unknownValue";
import * as rules from "../../src/rules";
import { allRules } from "../../src/rules";
import { isResourcePolicy, isStackPolicy, kubernetesProvider, runPolicy, urnOf, type ResourceSpec } from "../helpers/args";
import { issueClientCertificate, kubeconfigFor, makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { apiserverDeployment, clusterConfigurationResource, compliantStack, configMapResource, ksCoreRelease, unrelatedResources } from "./stackFixtures";

const apiserverRedisCache = policyOf(rules.apiserverRedisCache.id);
const configParses = policyOf(rules.configParses.id);
const fleetConsistentClockSkew = policyOf(rules.fleetConsistentClockSkew.id);
const fleetSharedJwtSecret = policyOf(rules.fleetSharedJwtSecret.id);
const fleetSingleHost = policyOf(rules.fleetSingleHost.id);
const installerMemberRole = policyOf(rules.installerMemberRole.id);
const kubeconfigRenewCertificate = policyOf(rules.kubeconfigRenewCertificate.id);
const kubeconfigValidCertificate = policyOf(rules.kubeconfigValidCertificate.id);
const strongJwtSecret = policyOf(rules.strongJwtSecret.id);

const OTHER_SECRET = "anotherJwtSecretBBBBBBBBBBBBBBBBBB";
const DAY = 86_400_000;
const policies = allPolicies();

/** Every message of every policy over a stack: none may contain a secret. */
async function allMessages(specs: ResourceSpec[]): Promise<string[]> {
  const runs = await Promise.all(policies.map((p) => runPolicy(p, specs)));
  return runs.flatMap((r) => r.violations.map((v) => v.message));
}

let ca: CertificateAuthority;
test.before(() => {
  ca = makeCertificateAuthority();
});
test.after.always(() => ca?.dispose());

function providerWithCertificate(name: string, notAfter: Date): ResourceSpec {
  const cert = issueClientCertificate(ca, { commonName: `${name}-admin`, notBefore: new Date(Date.now() - 400 * DAY), notAfter });
  const kubeconfig = kubeconfigFor({ server: "https://127.0.0.1:6443", caPem: ca.certPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem, user: `${name}-admin`, context: name, cluster: name });
  return kubernetesProvider(name, { kubeconfig });
}

test("the pack has one policy per rule, with the rule's name and metadata, and one advisory for undecided checks", (t) => {
  const names = policies.map((p) => p.name);
  t.deepEqual(names, [...allRules().map((r) => r.id), WARN_UNDECIDED_DURING_PREVIEW]);
  for (const rule of allRules()) {
    const policy = policies.find((p) => p.name === rule.id)!;
    t.like(policy, { description: rule.description, severity: rule.severity, enforcementLevel: rule.enforcement, remediationSteps: rule.remediationSteps });
    t.is(policy.url, rule.url);
    t.deepEqual(Object.keys(policy.configSchema!.properties), ["namespace", "configMap", ...(rule.settings ?? [])], "a policy takes the settings its rule reads");
    // A rule about one resource is judged on each resource (Analyze), a fleet rule once over the stack, and a rule
    // with findings of both kinds in both, under its one name.
    t.is(isStackPolicy(policy), rule.scope !== "resource", rule.id);
    t.is(isResourcePolicy(policy), rule.scope !== "fleet", rule.id);
    if (isStackPolicy(policy)) t.is(typeof policy.validateStack, "function");
    if (isResourcePolicy(policy)) t.is(typeof (policy as ResourceValidationPolicy).validateResource, "function");
  }
  t.is(warnUndecidedDuringPreview.enforcementLevel, "advisory");
  t.regex(warnUndecidedDuringPreview.description, /^Checks whether .+\.$/);
});

test("the registry refuses a second policy of the same name and the reserved name", (t) => {
  t.throws(() => registerPolicy(fleetSharedJwtSecret), { message: /'kubesphere-fleet-configure-shared-jwt-secret' already exists/ });
  t.throws(() => registerPolicy({ ...fleetSharedJwtSecret, name: "all" }), { message: /reserved/ });
});

test("the compliant fixture stack passes every policy", async (t) => {
  for (const policy of policies) t.deepEqual((await runPolicy(policy, compliantStack())).violations, [], policy.name);
});

test("a stack with no Kubernetes provider and no KubeSphere resource is not applicable", async (t) => {
  const run = await runPolicy(fleetSharedJwtSecret, [{ type: "random:index/randomPassword:RandomPassword", name: "p", props: { length: 8 } }]);
  t.is(run.notApplicable, NO_CLUSTER_REASON);
});

test("unrelated resources beside the fleet change nothing", async (t) => {
  const specs = [...compliantStack(), ...unrelatedResources("host"), ...unrelatedResources("member-1")];
  t.deepEqual(await allMessages(specs), []);
});

test("fails when a 4.1 member's ks-core values carry another jwtSecret, on that resource, by fingerprint", async (t) => {
  const specs = [...compliantStack(), ksCoreRelease("member-2", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: OTHER_SECRET } } })];
  const { violations } = await runPolicy(fleetSharedJwtSecret, specs);
  t.is(violations.length, 1);
  t.regex(violations[0]!.message, new RegExp(`^Cluster 'member-2' jwtSecret \\(Helm release kubesphere-system/ks-core \\(ks-core\\) values: authentication.issuer.jwtSecret\\) is sha256:${sha256Hex(OTHER_SECRET).slice(0, 12)}; host 'host'`));
  t.is(violations[0]!.urn, urnOf("kubernetes:helm.sh/v3:Release", "member-2-ks-core"));
  t.false((await allMessages(specs)).some((m) => m.includes(OTHER_SECRET) || m.includes(FIXTURE_JWT_SECRET)));
});

test("holds the stack to the expected fingerprint from policy config", async (t) => {
  t.deepEqual((await runPolicy(fleetSharedJwtSecret, compliantStack(), { expectedJwtSecretFingerprint: `sha256:${sha256Hex(FIXTURE_JWT_SECRET).slice(0, 12)}` })).violations, []);
  const { violations } = await runPolicy(fleetSharedJwtSecret, compliantStack(), { expectedJwtSecretFingerprint: sha256Hex(OTHER_SECRET) });
  t.is(violations.length, 3);
  t.true(violations.every((v) => v.message.includes("the fleet's expected jwtSecret (policy config)")));
});

test("fails when a 3.4 member's ConfigMapPatch sets accessTokenMaxAge to 2h, and when it leaves it out", async (t) => {
  const twoHours = compliantStack();
  twoHours[4] = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { patch: true, edit: (s) => s.replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h") });
  const { violations } = await runPolicy(memberZeroAccessTokenMaxAge, twoHours);
  t.is(violations.length, 1);
  t.regex(violations[0]!.message, /^Member 'member-1' accessTokenMaxAge .* is 2h; members need 0/);
  t.is(violations[0]!.urn, urnOf("kubernetes:core/v1:ConfigMapPatch", "member-1-kubesphere-config"));
  const absent = compliantStack();
  absent[4] = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { edit: (s) => s.replace(/\n\s*accessTokenMaxAge: 0/, "") });
  t.regex((await runPolicy(memberZeroAccessTokenMaxAge, absent)).violations[0]!.message, /not set \(ks-apiserver then uses 2h\)/);
});

test("fails on a second host", async (t) => {
  const specs = compliantStack();
  specs[4] = configMapResource("member-1", "v3.4/kubesphere-config.host.yaml");
  const { violations } = await runPolicy(fleetSingleHost, specs);
  t.is(violations.length, 1);
  t.regex(violations[0]!.message, /2 host clusters \('host', 'member-1'\)/);
});

test("fails when a member's ClusterConfiguration does not declare clusterRole: member", async (t) => {
  const specs = [...compliantStack(), clusterConfigurationResource("member-1", (cc) => (cc.spec.multicluster.clusterRole = "none"))];
  const { violations } = await runPolicy(installerMemberRole, specs);
  t.true(violations.length >= 1);
  t.true(violations.some((v) => v.urn === urnOf("kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfiguration", "member-1-ks-installer")));
  t.deepEqual((await runPolicy(installerMemberRole, [...compliantStack(), clusterConfigurationResource("member-1", (cc) => (cc.spec.multicluster.clusterRole = "member"))])).violations, []);
});

test("fails on a weak jwtSecret without printing it", async (t) => {
  const weak = "changeme";
  const specs = compliantStack().map((s) =>
    s.type === "kubernetes:core/v1:ConfigMap" || s.type === "kubernetes:core/v1:ConfigMapPatch"
      ? configMapResource(s.provider!, fixtureOf(s), { patch: s.type.endsWith("Patch"), edit: (text) => text.replace(FIXTURE_JWT_SECRET, weak) })
      : s,
  );
  const { violations } = await runPolicy(strongJwtSecret, specs);
  t.is(violations.length, 3);
  t.true(violations.every((v) => /is a placeholder/.test(v.message) && !v.message.includes(`"${weak}"`) && !v.message.includes(` ${weak} `)));
});

test("fails on an expired provider client certificate, naming user, date and how to refresh; warns within the window", async (t) => {
  const expiredOn = new Date(Date.now() - 10 * DAY);
  const specs = [
    ...compliantStack().slice(3),
    providerWithCertificate("host", expiredOn),
    providerWithCertificate("member-1", new Date(Date.now() + 20 * DAY)),
    providerWithCertificate("member-2", new Date(Date.now() + 300 * DAY)),
  ];
  const expired = await runPolicy(kubeconfigValidCertificate, specs);
  t.is(expired.violations.length, 1);
  t.regex(expired.violations[0]!.message, /^Cluster 'host' kubeconfig user 'host-admin' \(provider 'host' kubeconfig\) client certificate expired on /);
  t.true(expired.violations[0]!.message.includes(expiredOn.toISOString().slice(0, 10)));
  t.regex(expired.violations[0]!.message, /K3s: .*minikube.*EKS.*GKE/);
  t.is(expired.violations[0]!.urn, urnOf("pulumi:providers:kubernetes", "host"));
  const renew = await runPolicy(kubeconfigRenewCertificate, specs);
  t.is(renew.violations.length, 1);
  t.regex(renew.violations[0]!.message, /'member-1'.*window 30 days/);
  t.deepEqual((await runPolicy(kubeconfigRenewCertificate, specs, { certificateExpiryWindowDays: 7 })).violations, []);
});

test("advises on differing maximumClockSkew and on replicated ks-apiserver without Redis", async (t) => {
  const skew = compliantStack();
  skew[4] = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { edit: (s) => s.replace("maximumClockSkew: 10s", "maximumClockSkew: 60s") });
  t.true((await runPolicy(fleetConsistentClockSkew, skew)).violations.length > 0);
  const replicated = [...compliantStack(), apiserverDeployment("host", 3)];
  const { violations } = await runPolicy(apiserverRedisCache, replicated);
  t.is(violations.length, 1);
  t.is(violations[0]!.urn, urnOf("kubernetes:apps/v1:Deployment", "host-ks-apiserver"));
});

test("fails on a malformed kubesphere.yaml saying where, without quoting it", async (t) => {
  const specs = compliantStack();
  specs[4] = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { edit: (s) => s.replace("  jwtSecret:", "jwtSecret: [") });
  const { violations } = await runPolicy(configParses, specs);
  t.is(violations.length, 1);
  t.regex(violations[0]!.message, /^Cluster 'member-1' ConfigMap kubesphere-system\/kubesphere-config: kubesphere.yaml line \d+, column \d+ does not parse/);
  t.false(violations[0]!.message.includes(FIXTURE_JWT_SECRET));
  t.false((await allMessages(specs)).some((m) => m.includes(FIXTURE_JWT_SECRET)));
});

test("preview unknowns give no mandatory violation, only the undecided advisory", async (t) => {
  const specs = compliantStack();
  (specs[4]!.props as any).data = UNKNOWN_VALUE;
  specs.push(ksCoreRelease("member-2", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: UNKNOWN_VALUE } } }));
  specs.push(clusterConfigurationResource("member-1", (cc) => (cc.spec.multicluster.clusterRole = UNKNOWN_VALUE)));
  for (const policy of policies.filter((p) => p.enforcementLevel === "mandatory")) {
    t.deepEqual((await runPolicy(policy, specs)).violations, [], policy.name);
  }
  const undecided = await runPolicy(warnUndecidedDuringPreview, specs);
  t.true(undecided.violations.length >= 2);
  t.true(undecided.violations.every((v) => /not known until the deployment runs/.test(v.message)));
  t.true(undecided.violations.some((v) => v.message.startsWith("kubesphere-fleet-configure-shared-jwt-secret: Cluster 'member-2'")));
});

test("an unknown kubeconfig or provider input never crashes a policy", async (t) => {
  const specs = [...compliantStack().slice(3), kubernetesProvider("host", { kubeconfig: UNKNOWN_VALUE, context: UNKNOWN_VALUE }), kubernetesProvider("member-1", { kubeconfig: "not: [yaml" })];
  t.deepEqual(await allMessages(specs), []);
});

test("rule options come from the policy config with defaults", (t) => {
  const now = new Date("2026-01-01T00:00:00Z");
  t.deepEqual(ruleOptions({}, now), { now, certificateExpiryWindowDays: 30 });
  t.deepEqual(ruleOptions({ certificateExpiryWindowDays: 5, expectedJwtSecretFingerprint: " sha256:abcdef123456 " }, now), { now, certificateExpiryWindowDays: 5, expectedJwtSecretFingerprint: "sha256:abcdef123456" });
  t.is(ruleOptions({ certificateExpiryWindowDays: -1 }, now).certificateExpiryWindowDays, 30);
});

function fixtureOf(spec: ResourceSpec) {
  return spec.provider === "host" ? "v3.4/kubesphere-config.host.yaml" : spec.provider === "member-1" ? "v3.4/kubesphere-config.member.yaml" : "v4.1/kubesphere-config.member.yaml";
}

test("stack policies give the same messages for any order of the same resources (the engine's AnalyzeStack order is a Go map's)", async (t) => {
  // Two hosts on different secrets and a member: which host is "the" host must not depend on the order.
  const stack = [
    kubernetesProvider("host-a"),
    kubernetesProvider("host-b"),
    kubernetesProvider("member-1"),
    configMapResource("host-a", "v3.4/kubesphere-config.host.yaml"),
    configMapResource("host-b", "v3.4/kubesphere-config.host.yaml", { edit: (text) => text.replace(FIXTURE_JWT_SECRET, OTHER_SECRET) }),
    configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { edit: (text) => text.replace(FIXTURE_JWT_SECRET, OTHER_SECRET) }),
  ];
  const messagesOf = async (specs: ResourceSpec[]) => (await allMessages(specs)).sort();
  const expected = await messagesOf(stack);
  t.true(expected.some((m) => /jwtSecret/.test(m)), expected.join("\n"));
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 30; round++) {
    const shuffled = [...stack];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    t.deepEqual(await messagesOf(shuffled), expected, `order: ${shuffled.map((s) => s.name).join(", ")}`);
  }
});
