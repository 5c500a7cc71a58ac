/**
 * End to end over gRPC: a rebranded distribution (its own namespace and ConfigMap name, taken from the stack example
 * of docs/policy-pack.md) with the pack configured exactly by that doc's policy-config.json. Every invariant must be
 * enforced on it, one broken at a time. Run `npm run build` first.
 */
import test from "ava";
import { parse } from "yaml";
import type { PolicyConfigInput, PolicyDiagnostic } from "../../src/engine";
import { sha256Hex } from "../../src/model/secretFacts";
import { onCluster, urnOf, type ResourceSpec } from "../helpers/args";
import { FIXTURE_JWT_SECRET, fixtureObject } from "../helpers/fixtures";
import { docBlock } from "../helpers/docs";
import { packUnderTest } from "../helpers/packSession";
import { apiserverDeployment, clusterConfigurationResource, compliantStack, configMapResource } from "../policies/stackFixtures";

const OTHER_SECRET = "anotherJwtSecretBBBBBBBBBBBBBBBBBB";
const SHARED = "kubesphere-fleet-configure-shared-jwt-secret";
const MAX_AGE = "kubesphere-member-configure-zero-access-token-max-age";
const SINGLE_HOST = "kubesphere-fleet-disallow-multiple-hosts";
const INSTALLER_ROLE = "kubesphere-installer-configure-member-role";
const WEAK = "kubesphere-auth-disallow-weak-jwt-secret";
const MALFORMED = "kubesphere-config-disallow-malformed-yaml";
const CLOCK_SKEW = "kubesphere-fleet-configure-consistent-clock-skew";
const REDIS = "kubesphere-apiserver-enable-redis-cache";

/** docs/policy-pack.md's policy config and the names of its rebranded-distribution stack example, exactly as written there. */
const DOC_POLICY_CONFIG = JSON.parse(docBlock("docs/policy-pack.md", "Policy config (`--policy-pack-config policy-config.json`)", "json")) as Record<string, PolicyConfigInput>;
const DOC_STACK = (parse(docBlock("docs/policy-pack.md", "**Rebranded distributions**", "yaml")) as { config: Record<string, string> }).config;
const NAMES = { namespace: DOC_STACK["kubesphere-fleet:namespace"]!, configMap: DOC_STACK["kubesphere-fleet:configMap"]! };

const { pack, analyzeStack, seen } = packUnderTest(test, DOC_POLICY_CONFIG);

/** Moves an object into the rebranded namespace, and a kubesphere-config into the rebranded ConfigMap name. */
function rebranded(spec: ResourceSpec): ResourceSpec {
  const metadata = spec.props["metadata"] as { name?: string } | undefined;
  if (!metadata) return spec;
  const name = metadata.name === "kubesphere-config" ? NAMES.configMap : metadata.name;
  return { ...spec, props: { ...spec.props, metadata: { ...metadata, name, namespace: NAMES.namespace } } };
}

/**
 * The compliant fleet (3.4 host, 3.4 member, 4.1 member) in the rebranded names, with what else such a fleet holds:
 * the installers' ClusterConfigurations, the host's Secret kubesphere-secret and its ks-apiserver Deployment.
 */
function fleet(change: { configs?: Partial<Record<"host" | "member-1" | "member-2", (text: string) => string>>; installer?: string; replicas?: number; hostSecret?: string } = {}): ResourceSpec[] {
  const specs = compliantStack();
  const edit = (cluster: "host" | "member-1" | "member-2", index: number, fixture: Parameters<typeof configMapResource>[1], patch = false) => {
    const changeText = change.configs?.[cluster];
    if (changeText) specs[index] = configMapResource(cluster, fixture, { edit: changeText, patch });
  };
  edit("host", 3, "v3.4/kubesphere-config.host.yaml");
  edit("member-1", 4, "v3.4/kubesphere-config.member.yaml");
  edit("member-2", 5, "v4.1/kubesphere-config.member.yaml", true);
  const secret = fixtureObject("v3.4/kubesphere-secret.yaml") as Record<string, any>;
  if (change.hostSecret) secret.data.secret = Buffer.from(change.hostSecret).toString("base64");
  specs.push(
    clusterConfigurationResource("host", (cc) => (cc.spec.multicluster.clusterRole = "host")),
    clusterConfigurationResource("member-1", (cc) => (cc.spec.multicluster.clusterRole = change.installer ?? "member")),
    onCluster("host", "kubernetes:core/v1:Secret", "host-kubesphere-secret", { apiVersion: "v1", kind: "Secret", metadata: secret.metadata, type: secret.type, data: secret.data }),
    apiserverDeployment("host", change.replicas ?? 1, true),
  );
  return specs.map(rebranded);
}

const mandatory = (diagnostics: PolicyDiagnostic[]) => diagnostics.filter((d) => d.enforcementLevel === "mandatory");
const CONFIG_URN = (cluster: string) => urnOf(cluster === "member-2" ? "kubernetes:core/v1:ConfigMapPatch" : "kubernetes:core/v1:ConfigMap", `${cluster}-kubesphere-config`);

test.serial("docs/policy-pack.md's examples: a rebranded namespace and ConfigMap, and a policy config that names neither", (t) => {
  t.not(NAMES.namespace, "kubesphere-system");
  t.not(NAMES.configMap, "kubesphere-config");
  t.true(Object.keys(DOC_POLICY_CONFIG).length >= 2);
  // docs/policy-pack.md's fingerprint is this fleet's secret's, so the fleet is held to it.
  const expected = (DOC_POLICY_CONFIG[SHARED] as { expectedJwtSecretFingerprint: string }).expectedJwtSecretFingerprint;
  t.true(sha256Hex(FIXTURE_JWT_SECRET).startsWith(expected.replace(/^sha256:/, "")));
  const objects = fleet().flatMap((s) => (s.props["metadata"] ? [s.props["metadata"] as { name: string; namespace: string }] : []));
  t.true(objects.every((m) => m.namespace === NAMES.namespace));
  t.is(objects.filter((m) => m.name === NAMES.configMap).length, 3);
});

test.serial("a compliant rebranded fleet passes every policy", async (t) => {
  t.deepEqual(await analyzeStack(fleet()), []);
});

const CASES: { title: string; specs: () => ResourceSpec[]; policy: string; level: "mandatory" | "advisory"; urn?: string }[] = [
  {
    title: "a member on another jwtSecret",
    specs: () => fleet({ configs: { "member-2": (s) => s.replace(FIXTURE_JWT_SECRET, OTHER_SECRET) } }),
    policy: SHARED,
    level: "mandatory",
    urn: CONFIG_URN("member-2"),
  },
  {
    title: "the host's kubesphere-secret on another jwtSecret",
    specs: () => fleet({ hostSecret: OTHER_SECRET }),
    policy: SHARED,
    level: "mandatory",
    urn: urnOf("kubernetes:core/v1:Secret", "host-kubesphere-secret"),
  },
  {
    title: "a member with accessTokenMaxAge 2h",
    specs: () => fleet({ configs: { "member-1": (s) => s.replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h") } }),
    policy: MAX_AGE,
    level: "mandatory",
    urn: CONFIG_URN("member-1"),
  },
  {
    title: "a 4.x member with accessTokenMaxAge 2h",
    specs: () => fleet({ configs: { "member-2": (s) => s.replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h") } }),
    policy: MAX_AGE,
    level: "mandatory",
    urn: CONFIG_URN("member-2"),
  },
  { title: "a second host", specs: () => fleet({ configs: { "member-2": (s) => s.replace('clusterRole: "member"', 'clusterRole: "host"') } }), policy: SINGLE_HOST, level: "mandatory" },
  { title: "a 3.x member whose ClusterConfiguration says none", specs: () => fleet({ installer: "none" }), policy: INSTALLER_ROLE, level: "mandatory" },
  {
    title: "a weak jwtSecret",
    specs: () => fleet({ configs: { host: (s) => s.replace(FIXTURE_JWT_SECRET, "tooShortSecret") } }),
    policy: WEAK,
    level: "mandatory",
    urn: CONFIG_URN("host"),
  },
  {
    title: "a kubesphere.yaml that does not parse",
    specs: () => fleet({ configs: { "member-1": (s) => s.replace("  jwtSecret:", "jwtSecret: [") } }),
    policy: MALFORMED,
    level: "mandatory",
    urn: CONFIG_URN("member-1"),
  },
  { title: "a different maximumClockSkew", specs: () => fleet({ configs: { "member-2": (s) => s.replace("maximumClockSkew: 10s", "maximumClockSkew: 30s") } }), policy: CLOCK_SKEW, level: "advisory" },
  { title: "three ks-apiserver replicas on the in-memory cache", specs: () => fleet({ replicas: 3 }), policy: REDIS, level: "advisory" },
];

for (const { title, specs, policy, level, urn } of CASES) {
  test.serial(`configured as docs/policy-pack.md shows, a rebranded fleet with ${title} is stopped by ${policy}`, async (t) => {
    const diagnostics = await analyzeStack(specs());
    const found = diagnostics.filter((d) => d.policyName === policy);
    t.true(found.length > 0, JSON.stringify(diagnostics.map((d) => [d.policyName, d.urn])));
    t.true(found.every((d) => d.enforcementLevel === level));
    if (urn) t.true(found.some((d) => d.urn === urn), JSON.stringify(found.map((d) => d.urn)));
    // Nothing mandatory but the broken invariant (a weak secret also differs from the fleet's).
    t.deepEqual([...new Set(mandatory(diagnostics).map((d) => d.policyName))].filter((p) => p !== policy && !(policy === WEAK && p === SHARED)), []);
  });
}

test.serial("names set on one policy only (the issue's copy of the old README) narrow that policy and blind no other", async (t) => {
  try {
    await pack().configure({ ...DOC_POLICY_CONFIG, [MAX_AGE]: { namespace: NAMES.namespace, configMap: NAMES.configMap } });
    const diagnostics = await analyzeStack(fleet({ configs: { "member-2": (s) => s.replace(FIXTURE_JWT_SECRET, OTHER_SECRET).replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h") } }));
    t.deepEqual([...new Set(mandatory(diagnostics).map((d) => [d.policyName, d.urn].join(" ")))].sort(), [`${MAX_AGE} ${CONFIG_URN("member-2")}`, `${SHARED} ${CONFIG_URN("member-2")}`].sort());
  } finally {
    await pack().configure(DOC_POLICY_CONFIG);
  }
});

test.serial("no diagnostic or stderr line contains a secret", (t) => {
  t.true(seen.length > 10);
  for (const text of [...seen, pack().stderr()]) {
    t.false(text.includes(FIXTURE_JWT_SECRET));
    t.false(text.includes(OTHER_SECRET));
  }
});
