/**
 * End to end: the compiled pack (run `npm run build` first) spawned exactly as the Pulumi engine spawns it, driven
 * over gRPC with engine-shaped requests: secret-wrapped values, unknown sentinels, provider inputs with real client
 * certificates. One pack process for the whole file; tests are serial because Configure changes the pack's state.
 */
import test from "ava";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isWireSecret } from "../../src/engine/wire";
import { startPolicyPack, WIRE_UNKNOWN, type AnalyzeResult, type PolicyPackSession } from "../../src/engine";
import { sha256Hex } from "../../src/model/secretFacts";
import { allRules } from "../../src/rules";
import { kubernetesProvider, type ResourceSpec } from "../helpers/args";
import { timeScale } from "../helpers/checkCli";
import { issueClientCertificate, kubeconfigFor, makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { FIXTURE_JWT_SECRET, fixtureKubesphereYaml } from "../helpers/fixtures";
import { wireResources } from "../helpers/wireStack";
import { apiserverDeployment, clusterConfigurationResource, compliantStack, configMapResource, ksCoreRelease, unrelatedResources } from "../policies/stackFixtures";

const PACK_DIR = join(__dirname, "..", "..", "policies");
const OTHER_SECRET = "anotherJwtSecretBBBBBBBBBBBBBBBBBB";
const DAY = 86_400_000;
const SHARED = "kubesphere-fleet-configure-shared-jwt-secret";
const UNDECIDED = "kubesphere-fleet-warn-undecided-during-preview";
const MAX_AGE = "kubesphere-member-configure-zero-access-token-max-age";

let pack: PolicyPackSession;
let ca: CertificateAuthority;
/** Every message the pack returned in this file, checked for secrets at the end. */
const seen: string[] = [];

test.before(async () => {
  if (!existsSync(join(PACK_DIR, "bin", "policies", "index.js"))) throw new Error("policies/bin is missing: run `npm run build` before the end-to-end tests.");
  ca = makeCertificateAuthority();
  pack = await startPolicyPack(PACK_DIR, { startTimeoutMs: Math.round(60_000 * timeScale()) });
  await pack.configure();
});
test.after.always(async () => {
  await pack?.close();
  ca?.dispose();
});

/**
 * What the engine asks of the pack over a stack: Analyze for each resource as it is registered, providers included,
 * then AnalyzeStack once. The diagnostics of all calls, and what AnalyzeStack found not applicable.
 */
async function analyzeStack(specs: ResourceSpec[]): Promise<AnalyzeResult> {
  const resources = wireResources(specs);
  const diagnostics = [];
  for (const resource of resources) diagnostics.push(...(await pack.analyze(resource)).diagnostics);
  const stack = await pack.analyzeStack(resources);
  const result = { diagnostics: [...diagnostics, ...stack.diagnostics], notApplicable: stack.notApplicable };
  seen.push(...result.diagnostics.flatMap((d) => [d.message, d.description]));
  return result;
}

const kubeconfigs = new Map<string, string>();
const START = Date.now();

/** A provider whose kubeconfig's client certificate expires `days` from now (negative: expired). Issued once per name and days. */
function providerWithCertificate(name: string, days: number): ResourceSpec {
  const key = `${name}:${days}`;
  if (!kubeconfigs.has(key)) {
    const notAfter = new Date(START + days * DAY);
    const cert = issueClientCertificate(ca, { commonName: `${name}-admin`, organization: "system:masters", notBefore: new Date(START - 400 * DAY), notAfter });
    kubeconfigs.set(key, kubeconfigFor({ server: "https://127.0.0.1:6443", caPem: ca.certPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem, user: `${name}-admin`, context: name, cluster: name }));
  }
  return kubernetesProvider(name, { kubeconfig: kubeconfigs.get(key)! });
}

/** The compliant 3.4 + 3.4 + 4.1 fleet, reached with valid client certificates. */
function certifiedStack(): ResourceSpec[] {
  return [...["host", "member-1", "member-2"].map((name) => providerWithCertificate(name, 300)), ...compliantStack().slice(3)];
}

test.serial("GetAnalyzerInfo lists every policy with its metadata and config schema, and the version from package.json", async (t) => {
  const info = await pack.getAnalyzerInfo();
  t.like(info, { name: "kubesphere-fleet", version: "0.1.0", supportsConfig: true });
  t.deepEqual(info.policies.map((p) => p.name), [...allRules().map((r) => r.id), UNDECIDED]);
  for (const rule of allRules()) {
    const policy = info.policies.find((p) => p.name === rule.id)!;
    t.like(policy, { description: rule.description, enforcementLevel: rule.enforcement, severity: rule.severity, remediationSteps: rule.remediationSteps });
    // A rule about one resource is a resource policy; the SDK lists a policy with both a resource and a stack part as
    // a resource policy, and AnalyzeStack still runs its stack part.
    t.is(policy.type, rule.scope === "fleet" ? "stack" : "resource", rule.id);
    // The names are an optional narrowing: no default, so an unset name narrows nothing.
    t.like(policy.configSchema?.properties, { namespace: { type: "string" }, configMap: { type: "string" } });
    const props = policy.configSchema!.properties as Record<string, Record<string, unknown>>;
    t.is(props["namespace"]!["default"], undefined);
    t.is(props["configMap"]!["default"], undefined);
  }
  t.like(info.policies.find((p) => p.name === "kubesphere-kubeconfig-renew-expiring-certificate")!.configSchema!.properties, { certificateExpiryWindowDays: { default: 30 } });
  t.truthy(info.policies.find((p) => p.name === SHARED)!.configSchema!.properties["expectedJwtSecretFingerprint"]);
  t.true(pack.startMs > 0);
});

test.serial("a compliant 3.4/4.1 fleet with secret-wrapped config and valid certificates passes every policy", async (t) => {
  const { diagnostics } = await analyzeStack(certifiedStack());
  t.deepEqual(diagnostics, []);
});

test.serial("a 4.1 member whose ks-core values carry another secret is a mandatory violation on that release, by fingerprint", async (t) => {
  const specs = [...certifiedStack(), ksCoreRelease("member-2", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: OTHER_SECRET } } })];
  const { diagnostics } = await analyzeStack(specs);
  t.is(diagnostics.length, 1);
  t.like(diagnostics[0], {
    policyName: SHARED,
    policyPackName: "kubesphere-fleet",
    policyPackVersion: "0.1.0",
    enforcementLevel: "mandatory",
    severity: "critical",
    urn: "urn:pulumi:dev::kubesphere-fleet::kubernetes:helm.sh/v3:Release::member-2-ks-core",
  });
  t.true(diagnostics[0]!.message.includes(`sha256:${sha256Hex(OTHER_SECRET).slice(0, 12)}`));
});

test.serial("a 4.1-only fleet (host ConfigMap, member via Helm release) is judged the same way", async (t) => {
  const specs: ResourceSpec[] = [
    providerWithCertificate("hub", 300),
    providerWithCertificate("spoke", 300),
    configMapResource("hub", "v4.1/kubesphere-config.host.yaml"),
    ksCoreRelease("spoke", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: FIXTURE_JWT_SECRET, accessTokenMaxAge: "2h" } } }),
  ];
  t.deepEqual((await analyzeStack(specs)).diagnostics, []);
  specs[2] = configMapResource("hub", "v4.1/kubesphere-config.member.yaml", { edit: (s) => s.replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h") });
  const { diagnostics } = await analyzeStack(specs);
  t.deepEqual(diagnostics.map((d) => [d.policyName, d.enforcementLevel]), [["kubesphere-member-configure-zero-access-token-max-age", "mandatory"]]);
});

test.serial("an expired client certificate in the provider inputs is mandatory; one inside the window is advisory", async (t) => {
  const expiredOn = new Date(START - 3 * DAY);
  const specs = [...certifiedStack().slice(1), providerWithCertificate("host", -3)];
  specs.splice(0, 1, providerWithCertificate("member-1", 10));
  const { diagnostics } = await analyzeStack(specs);
  const expired = diagnostics.find((d) => d.policyName === "kubesphere-kubeconfig-disallow-expired-certificate")!;
  t.like(expired, { enforcementLevel: "mandatory", severity: "critical", urn: "urn:pulumi:dev::kubesphere-fleet::pulumi:providers:kubernetes::host" });
  t.regex(expired.message, /kubeconfig user 'host-admin' \(provider 'host' kubeconfig\) client certificate expired on /);
  t.true(expired.message.includes(expiredOn.toISOString().slice(0, 10)));
  t.regex(expired.message, /K3s: .*minikube.*EKS.*GKE/s);
  const renew = diagnostics.find((d) => d.policyName === "kubesphere-kubeconfig-renew-expiring-certificate")!;
  t.like(renew, { enforcementLevel: "advisory" });
  t.regex(renew.message, /'member-1'.*window 30 days/);
  t.is(diagnostics.length, 2);

  await pack.configure({ "kubesphere-kubeconfig-renew-expiring-certificate": { certificateExpiryWindowDays: 5 } });
  try {
    t.deepEqual((await analyzeStack(specs)).diagnostics.map((d) => d.policyName), ["kubesphere-kubeconfig-disallow-expired-certificate"]);
  } finally {
    await pack.configure();
  }
});

test.serial("preview unknowns give no mandatory violation, only the undecided advisory", async (t) => {
  const specs = certifiedStack();
  specs.push(kubernetesProvider("edge", { kubeconfig: WIRE_UNKNOWN }));
  specs.push(configMapResource("edge", "v3.4/kubesphere-config.member.yaml"));
  (specs[specs.length - 1]!.props as Record<string, unknown>)["data"] = WIRE_UNKNOWN;
  specs.push(ksCoreRelease("member-2", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: WIRE_UNKNOWN } } }));
  specs.push(apiserverDeployment("host", WIRE_UNKNOWN));
  const { diagnostics } = await analyzeStack(specs);
  t.true(diagnostics.length >= 2);
  t.true(diagnostics.every((d) => d.policyName === UNDECIDED && d.enforcementLevel === "advisory"), JSON.stringify(diagnostics.map((d) => d.policyName)));
  t.true(diagnostics.some((d) => /Cluster 'edge' jwtSecret .* not known until the deployment runs/.test(d.message)));
  t.true(diagnostics.some((d) => d.urn.endsWith("::member-2-ks-core")));
});

test.serial("a malformed kubesphere.yaml is a mandatory violation that says where", async (t) => {
  const specs = certifiedStack();
  specs[4] = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { edit: (s) => s.replace("  jwtSecret:", "jwtSecret: [") });
  const { diagnostics } = await analyzeStack(specs);
  const broken = diagnostics.find((d) => d.policyName === "kubesphere-config-disallow-malformed-yaml")!;
  t.like(broken, { enforcementLevel: "mandatory", urn: "urn:pulumi:dev::kubesphere-fleet::kubernetes:core/v1:ConfigMap::member-1-kubesphere-config" });
  t.regex(broken.message, /kubesphere.yaml line \d+, column \d+ does not parse/);
  t.false(diagnostics.some((d) => d.enforcementLevel === "mandatory" && d.policyName !== broken.policyName && /member-1/.test(d.message) && /jwtSecret/.test(d.message)));
});

test.serial("unrelated resources are ignored, and a stack of only those is not applicable", async (t) => {
  t.deepEqual((await analyzeStack([...certifiedStack(), ...unrelatedResources("host")])).diagnostics, []);
  const unrelated = await analyzeStack([{ type: "random:index/randomPassword:RandomPassword", name: "p", props: { length: 16 } }]);
  t.deepEqual(unrelated.diagnostics, []);
  t.is(unrelated.notApplicable.length, allRules().filter((r) => r.scope !== "resource").length);
  t.true(unrelated.notApplicable.every((n) => n.reason === "no Kubernetes provider or KubeSphere resource in this stack"));
});

test.serial("Configure sets enforcement levels, names and the expected fingerprint", async (t) => {
  const diverging = [...certifiedStack(), ksCoreRelease("member-2", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: OTHER_SECRET } } })];
  try {
    await pack.configure({ [SHARED]: { enforcementLevel: "advisory" } });
    t.deepEqual((await analyzeStack(diverging)).diagnostics.map((d) => [d.policyName, d.enforcementLevel]), [[SHARED, "advisory"]]);
    await pack.configure({ [SHARED]: { enforcementLevel: "disabled" } });
    t.deepEqual((await analyzeStack(diverging)).diagnostics, []);
    await pack.configure({ [SHARED]: { expectedJwtSecretFingerprint: sha256Hex(OTHER_SECRET).slice(0, 16) } });
    t.is((await analyzeStack(certifiedStack())).diagnostics.filter((d) => d.policyName === SHARED).length, 3);
    const renamed = certifiedStack().map((s) => (s.type.includes("ConfigMap") ? { ...s, props: { ...s.props, metadata: { name: "acme-config", namespace: "acme-system" } } } : s));
    renamed[4] = { ...renamed[4]!, props: { ...renamed[4]!.props, data: { "kubesphere.yaml": "authentication: [" } } };
    // Renamed configs are recognised by what they hold, with no names configured, and with them.
    await pack.configure();
    t.deepEqual((await analyzeStack(renamed)).diagnostics.map((d) => d.policyName), ["kubesphere-config-disallow-malformed-yaml"]);
    const names = { namespace: "acme-system", configMap: "acme-config" };
    await pack.configure(Object.fromEntries(allRules().map((r) => [r.id, names])));
    t.deepEqual((await analyzeStack(renamed)).diagnostics.map((d) => d.policyName), ["kubesphere-config-disallow-malformed-yaml"]);
    // Names are a narrowing: every policy narrowed to other names sees none of them.
    await pack.configure(Object.fromEntries(allRules().map((r) => [r.id, { namespace: "acme-system", configMap: "other-config" }])));
    t.deepEqual((await analyzeStack(renamed)).diagnostics, []);
  } finally {
    await pack.configure();
  }
  await t.throwsAsync(pack.configure({ "no-such-policy": {} }), { message: /does not have/ });
});

test.serial("Analyze of a single resource runs no stack policy", async (t) => {
  const [resource] = wireResources([configMapResource("host", "v3.4/kubesphere-config.host.yaml")]);
  const { diagnostics, notApplicable } = await pack.analyze(resource!);
  t.deepEqual(diagnostics, []);
  t.deepEqual(notApplicable, []);
});

test.serial("Analyze judges a provider's certificate and a resource's own kubesphere.yaml as they are registered", async (t) => {
  const [provider, configMap] = wireResources([
    providerWithCertificate("host", -3),
    configMapResource("host", "v3.4/kubesphere-config.host.yaml", { edit: (s) => s.replace(FIXTURE_JWT_SECRET, "tooShortSecret") }),
  ]);
  const onProvider = await pack.analyze(provider!);
  t.deepEqual(onProvider.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn]), [
    ["kubesphere-kubeconfig-disallow-expired-certificate", "mandatory", "urn:pulumi:dev::kubesphere-fleet::pulumi:providers:kubernetes::host"],
  ]);
  // The ConfigMap carries the same provider: its certificate is judged on the provider only, not again here.
  const onConfigMap = await pack.analyze(configMap!);
  t.deepEqual(onConfigMap.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn]), [
    ["kubesphere-auth-disallow-weak-jwt-secret", "mandatory", "urn:pulumi:dev::kubesphere-fleet::kubernetes:core/v1:ConfigMap::host-kubesphere-config"],
  ]);
  seen.push(...[...onProvider.diagnostics, ...onConfigMap.diagnostics].flatMap((d) => [d.message, d.description]));
  t.false(onConfigMap.diagnostics[0]!.message.includes("tooShortSecret"));
});

/** What Analyze alone (no AnalyzeStack: `pulumi up --skip-preview`, one registration at a time) says of each resource. */
async function analyzeOnly(specs: ResourceSpec[]): Promise<AnalyzeResult["diagnostics"]> {
  const diagnostics = [];
  for (const resource of wireResources(specs)) diagnostics.push(...(await pack.analyze(resource)).diagnostics);
  seen.push(...diagnostics.flatMap((d) => [d.message, d.description]));
  return diagnostics;
}

const mandatory = (diagnostics: AnalyzeResult["diagnostics"]) => diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => [d.policyName, d.urn]);

test.serial("Analyze alone blocks a 4.1 member kubesphere-config with accessTokenMaxAge: 2h, before it is applied", async (t) => {
  const member = configMapResource("member-2", "v4.1/kubesphere-config.member.yaml", { patch: true, edit: (s) => s.replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h") });
  const diagnostics = await analyzeOnly([providerWithCertificate("member-2", 300), member]);
  t.deepEqual(mandatory(diagnostics), [[MAX_AGE, "urn:pulumi:dev::kubesphere-fleet::kubernetes:core/v1:ConfigMapPatch::member-2-kubesphere-config"]]);
  t.regex(diagnostics[0]!.message, /Member 'member-2' accessTokenMaxAge \(.*authentication\.issuer\.accessTokenMaxAge\) is 2h; .*token not found in cache/);
});

// 3.1 renders the spec's oauthOptions instead of a member's 0 (ks-installer v3.1.1 kubesphere-config.yaml.j2); 3.3/3.4
// would render the member's 0 after the 2h, and that last value is the one ks-apiserver 3.x reads.
test.serial("Analyze alone blocks a 3.1 ClusterConfiguration patch that says clusterRole: member with oauthOptions.accessTokenMaxAge: 2h", async (t) => {
  const patch = clusterConfigurationResource(
    "member-1",
    (cc) => {
      cc.metadata.labels.version = "v3.1.1";
      cc.spec.multicluster.clusterRole = "member";
      cc.spec.authentication.jwtSecret = FIXTURE_JWT_SECRET;
      cc.spec.authentication.oauthOptions = { accessTokenMaxAge: "2h" };
    },
    true,
  );
  const diagnostics = await analyzeOnly([providerWithCertificate("member-1", 300), patch]);
  const urn = "urn:pulumi:dev::kubesphere-fleet::kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch::member-1-ks-installer";
  t.true(mandatory(diagnostics).some(([policy, at]) => policy === MAX_AGE && at === urn), JSON.stringify(mandatory(diagnostics)));
  t.regex(diagnostics.find((d) => d.policyName === MAX_AGE)!.message, /ClusterConfiguration .*authentication\.oauthOptions\.accessTokenMaxAge\) is 2h/);
});

test.serial("Analyze alone blocks a ConfigMap whose jwtSecret is not the configured expectedJwtSecretFingerprint", async (t) => {
  await pack.configure({ [SHARED]: { expectedJwtSecretFingerprint: `sha256:${sha256Hex(OTHER_SECRET).slice(0, 12)}` } });
  try {
    const diagnostics = await analyzeOnly([providerWithCertificate("host", 300), configMapResource("host", "v3.4/kubesphere-config.host.yaml")]);
    t.deepEqual(mandatory(diagnostics), [[SHARED, "urn:pulumi:dev::kubesphere-fleet::kubernetes:core/v1:ConfigMap::host-kubesphere-config"]]);
    t.regex(diagnostics[0]!.message, new RegExp(`is sha256:${sha256Hex(FIXTURE_JWT_SECRET).slice(0, 12)}; the fleet's expected jwtSecret \\(policy config\\) is sha256:${sha256Hex(OTHER_SECRET).slice(0, 12)}`));
    // The same fleet with its own fingerprint configured passes, resource by resource.
    await pack.configure({ [SHARED]: { expectedJwtSecretFingerprint: sha256Hex(FIXTURE_JWT_SECRET) } });
    t.deepEqual(await analyzeOnly(certifiedStack()), []);
  } finally {
    await pack.configure();
  }
});

test.serial("Analyze alone passes a compliant fleet, and gives no mandatory violation for a role or secret unknown during preview", async (t) => {
  t.deepEqual(await analyzeOnly(certifiedStack()), []);
  const unknownData = configMapResource("edge", "v3.4/kubesphere-config.member.yaml");
  (unknownData.props as Record<string, unknown>)["data"] = WIRE_UNKNOWN;
  const unknownRoleConfig = configMapResource("edge-2", "v4.1/kubesphere-config.member.yaml", { edit: (s) => s.replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h") });
  const unknownRole = (text: string) => text.replace(/clusterRole: "member"/, `clusterRole: ${WIRE_UNKNOWN}`);
  const unknownRoleCc = clusterConfigurationResource(
    "edge-3",
    (cc) => {
      cc.spec.multicluster.clusterRole = WIRE_UNKNOWN;
      cc.spec.authentication.jwtSecret = WIRE_UNKNOWN;
      cc.spec.authentication.oauthOptions = { accessTokenMaxAge: "2h" };
    },
    true,
  );
  await pack.configure({ [SHARED]: { expectedJwtSecretFingerprint: sha256Hex(FIXTURE_JWT_SECRET) } });
  try {
    const diagnostics = await analyzeOnly([
      unknownData,
      configMapResource("edge-2", "v4.1/kubesphere-config.member.yaml", { edit: (s) => unknownRole(s.replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h")) }),
      { ...unknownRoleConfig, props: { ...unknownRoleConfig.props, data: { "kubesphere.yaml": WIRE_UNKNOWN } } },
      unknownRoleCc,
      ksCoreRelease("edge-4", { multicluster: { role: WIRE_UNKNOWN }, authentication: { issuer: { jwtSecret: WIRE_UNKNOWN, accessTokenMaxAge: "2h" } } }),
    ]);
    t.deepEqual(mandatory(diagnostics), []);
    // What could not be decided is said on the resource that holds the unknown, as an advisory.
    const undecided = diagnostics.filter((d) => d.policyName === UNDECIDED);
    t.true(undecided.every((d) => d.enforcementLevel === "advisory"));
    t.true(undecided.some((d) => d.urn.endsWith("::edge-3-ks-installer") && /role \(.*clusterRole\) is not known until the deployment runs/.test(d.message)), JSON.stringify(undecided.map((d) => d.message)));
    t.true(undecided.some((d) => d.urn.endsWith("::edge-4-ks-core") && /jwtSecret .* not known until the deployment runs/.test(d.message)));
  } finally {
    await pack.configure();
  }
});

test.serial("each violation is reported once, by Analyze when the resource decides it, else by AnalyzeStack", async (t) => {
  const specs = certifiedStack();
  specs[4] = configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { edit: (s) => s.replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h") });
  specs.push(ksCoreRelease("member-2", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: OTHER_SECRET } } }));
  const resources = wireResources(specs);
  const perResource = [];
  for (const resource of resources) perResource.push(...(await pack.analyze(resource)).diagnostics);
  const stack = (await pack.analyzeStack(resources)).diagnostics;
  seen.push(...[...perResource, ...stack].flatMap((d) => [d.message, d.description]));
  t.deepEqual(perResource.map((d) => d.policyName), [MAX_AGE], "the member's own config says member: decided on its resource");
  t.deepEqual(stack.map((d) => d.policyName), [SHARED], "equality with the host needs the fleet");
  await pack.configure({ [SHARED]: { expectedJwtSecretFingerprint: sha256Hex(FIXTURE_JWT_SECRET) } });
  try {
    const again = [];
    for (const resource of resources) again.push(...(await pack.analyze(resource)).diagnostics);
    t.deepEqual(again.map((d) => d.policyName).sort(), [SHARED, MAX_AGE].sort(), "with a fingerprint configured, the secret is decided on its resource");
    t.deepEqual((await pack.analyzeStack(resources)).diagnostics, [], "and AnalyzeStack does not report either again");
  } finally {
    await pack.configure();
  }
});

test.serial("Remediate, when configured, sets a member's accessTokenMaxAge to 0 and keeps the data secret", async (t) => {
  const original = fixtureKubesphereYaml("v3.4/kubesphere-config.member.yaml");
  const [resource] = wireResources([
    configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { patch: true, edit: (text) => text.replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h") }),
  ]);
  t.deepEqual((await pack.remediate(resource!)).remediations, []);
  await pack.configure({ [MAX_AGE]: { enforcementLevel: "remediate" } });
  try {
    const { remediations } = await pack.remediate(resource!);
    t.is(remediations.length, 1);
    t.like(remediations[0], { policyName: MAX_AGE, diagnostic: "" });
    const data = remediations[0]!.properties!["data"];
    t.true(isWireSecret(data));
    t.deepEqual((data as { value: unknown }).value, { "kubesphere.yaml": original });
    const [host] = wireResources([configMapResource("host", "v3.4/kubesphere-config.host.yaml")]);
    t.deepEqual((await pack.remediate(host!)).remediations, []);
    const [unknown] = wireResources([{ ...configMapResource("member-1", "v3.4/kubesphere-config.member.yaml"), props: { metadata: { name: "kubesphere-config" }, data: WIRE_UNKNOWN } }]);
    t.deepEqual((await pack.remediate(unknown!)).remediations, []);
  } finally {
    await pack.configure();
  }
});

test.serial("no diagnostic, stderr line or engine log contains the fixture secret", (t) => {
  t.true(seen.length > 10);
  for (const text of [...seen, pack.stderr(), ...pack.engineLogs().map((l) => l.message)]) {
    t.false(text.includes(FIXTURE_JWT_SECRET));
    t.false(text.includes(OTHER_SECRET));
    t.false(text.includes("BEGIN CERTIFICATE") || text.includes("PRIVATE KEY"));
  }
});
