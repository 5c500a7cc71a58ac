import test from "ava";
import { ClusterRole } from "../../src/model/fleet";
import { roleOf } from "../../src/model/clusterView";
import { sha256Hex } from "../../src/model/secretFacts";
import { isUnknownValue, UNKNOWN_VALUE } from "../../src/model/unknownValue";
import { fleetFromResources, NO_PROVIDER_CLUSTER, type StackResource } from "../../src/pack/fleetFromResources";
import { TextMemo } from "../../src/model/memo";
import { allRules } from "../../src/rules";
import { pickInputs, plainInputs, plainProps } from "../../src/pack/plainInputs";
import { isKsCoreChart, kindOfType } from "../../src/pack/resourceTypes";
import { kubernetesProvider, stackArgs, urnOf, type ResourceSpec } from "../helpers/args";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { apiserverDeployment, clusterConfigurationResource, compliantStack, configMapResource, ksCoreRelease, unrelatedResources } from "./stackFixtures";

const fleetOf = (specs: ResourceSpec[], names?: { namespace?: string; configMap?: string }) =>
  fleetFromResources(stackArgs(specs).resources as unknown as StackResource[], names);
const cluster = (specs: ResourceSpec[], name: string) => fleetOf(specs).fleet.clusters.find((c) => c.name === name)!;

test("groups resources by provider: one cluster per provider, named like it", (t) => {
  const { fleet } = fleetOf(compliantStack());
  t.deepEqual(fleet.clusters.map((c) => c.name).sort(), ["host", "member-1", "member-2"]);
  t.deepEqual(fleet.clusters.map((c) => roleOf(c)).sort(), [ClusterRole.host, ClusterRole.member, ClusterRole.member]);
  for (const c of fleet.clusters) {
    t.is(c.settings.length, 1);
    const secret = c.settings[0]!.jwtSecret;
    t.true(secret.state === "known" && secret.value.digest === sha256Hex(FIXTURE_JWT_SECRET));
  }
});

test("recognises typed resources by their type token when the inputs carry no kind", (t) => {
  const member = cluster([configMapResource("edge", "v4.1/kubesphere-config.member.yaml", { patch: true, withoutKind: true })], "edge");
  t.like(member.settings[0], { kind: "config", layout: "v4", accessTokenMaxAge: { state: "known", value: 0 } });
});

test("maps every recognised type token to its kind, and nothing else", (t) => {
  t.is(kindOfType("kubernetes:core/v1:ConfigMap"), "ConfigMap");
  t.is(kindOfType("kubernetes:core/v1:ConfigMapPatch"), "ConfigMap");
  t.is(kindOfType("kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfiguration"), "ClusterConfiguration");
  t.is(kindOfType("kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch"), "ClusterConfiguration");
  t.is(kindOfType("kubernetes:core/v1:SecretPatch"), "Secret");
  t.is(kindOfType("kubernetes:apps/v1:DeploymentPatch"), "Deployment");
  t.is(kindOfType("kubernetes:core/v1:Namespace"), undefined);
  t.is(kindOfType("kubernetes:core/v1:ConfigMapList"), undefined);
  t.is(kindOfType("aws:s3/bucket:Bucket"), undefined);
});

test("reads ClusterConfiguration, Secret kubesphere-secret and the ks-apiserver Deployment of a cluster", (t) => {
  const encoded = Buffer.from(FIXTURE_JWT_SECRET).toString("base64");
  const c = cluster(
    [
      clusterConfigurationResource("edge", (cc) => (cc.spec.multicluster.clusterRole = "member"), true),
      { type: "kubernetes:core/v1:Secret", name: "s", provider: "edge", props: { metadata: { name: "kubesphere-secret", namespace: "kubesphere-system" }, data: { secret: encoded } } },
      apiserverDeployment("edge", 3, true),
    ],
    "edge",
  );
  t.is(c.version, "3.4");
  // In URN order: the engine's order is not fixed, so the model's is the URNs'.
  t.deepEqual(c.settings.map((s) => s.kind), ["secret", "installer"]);
  t.is(roleOf(c), ClusterRole.member);
  t.like(c.apiserver[0], { replicas: { state: "known", value: 3 } });
});

test("reads a ks-core Helm release's values; other charts are ignored", (t) => {
  const values = { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: FIXTURE_JWT_SECRET } } };
  const c = cluster([ksCoreRelease("edge", values), ksCoreRelease("edge", values, "bitnami/redis")], "edge");
  t.is(c.settings.length, 1);
  t.like(c.settings[0], { kind: "helm-values", role: { state: "known", value: "member" }, accessTokenMaxAge: { state: "known", value: 0 } });
  t.true(c.settings[0]!.source.startsWith("Helm release kubesphere-system/ks-core"));
  for (const chart of ["ks-core", "kubesphere/ks-core", "oci://hub.kubesphere.com.cn/kse/ks-core", "https://charts.example.com/ks-core-1.1.3.tgz"]) t.true(isKsCoreChart(chart), chart);
  for (const chart of ["ks-core-extra", "redis", "./charts/ks-console"]) t.false(isKsCoreChart(chart), chart);
});

test("ignores unrelated resources, including a ConfigMap of another name", (t) => {
  const { fleet } = fleetOf([kubernetesProvider("host"), ...unrelatedResources("host")]);
  t.is(fleet.clusters.length, 1);
  t.deepEqual(fleet.clusters[0]!.settings, []);
  t.deepEqual(fleet.clusters[0]!.apiserver, []);
});

test("recognises a rebranded distribution's config by what it holds; configured names narrow", (t) => {
  const spec = configMapResource("host", "v3.4/kubesphere-config.host.yaml");
  (spec.props as any).metadata = { name: "acme-config", namespace: "acme-system" };
  t.is(fleetOf([spec]).fleet.clusters[0]!.settings.length, 1);
  t.is(fleetOf([spec], { namespace: "acme-system", configMap: "acme-config" }).fleet.clusters[0]!.settings.length, 1);
  t.is(fleetOf([spec], { namespace: "kubesphere-system", configMap: "kubesphere-config" }).fleet.clusters[0]!.settings.length, 0);
});

test("a preview unknown, read through the SDK's proxy, becomes an unknown observation, not a crash", (t) => {
  const spec = configMapResource("edge", "v3.4/kubesphere-config.member.yaml");
  (spec.props as any).data = UNKNOWN_VALUE;
  const c = cluster([spec, apiserverDeployment("edge", UNKNOWN_VALUE)], "edge");
  t.like(c.settings[0], { jwtSecret: { state: "unknown" }, accessTokenMaxAge: { state: "unknown" } });
  t.like(c.apiserver[0], { replicas: { state: "unknown" } });
});

test("plainInputs copies the SDK proxy and replaces every typed unknown sentinel", (t) => {
  const { unknownCheckingProxy } = require("@pulumi/policy/proxy");
  const proxied = unknownCheckingProxy({ a: [1, "3eeb2bf0-c639-47a8-9e75-3b44932eb421"], b: { c: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", d: true } });
  t.throws(() => proxied.b.c);
  t.deepEqual(plainInputs(proxied), { a: [1, UNKNOWN_VALUE], b: { c: UNKNOWN_VALUE, d: true } });
});

test("pickInputs copies only the keys the model reads, through the SDK's proxy, with every unknown on the way as the sentinel", (t) => {
  const { unknownCheckingProxy } = require("@pulumi/policy");
  const inputs = {
    metadata: { name: "ks-apiserver", namespace: "kubesphere-system", annotations: { big: "x".repeat(1000) } },
    spec: { replicas: "3eeb2bf0-c639-47a8-9e75-3b44932eb421", template: { spec: { containers: [{ name: "a" }] } } },
  };
  const picked = pickInputs(unknownCheckingProxy(inputs), { metadata: { name: true, namespace: true }, spec: { replicas: true }, data: { x: true } });
  t.deepEqual(picked, { metadata: { name: "ks-apiserver", namespace: "kubesphere-system" }, spec: { replicas: UNKNOWN_VALUE } });
  t.deepEqual(pickInputs(unknownCheckingProxy({ data: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff" }), { data: { "kubesphere.yaml": true } }), { data: UNKNOWN_VALUE });
  t.like(cluster([apiserverDeployment("edge", "3eeb2bf0-c639-47a8-9e75-3b44932eb421")], "edge").apiserver[0], { replicas: { state: "unknown" } });
  t.true(isUnknownValue(inputs.spec.replicas));
});

test("remediation's secrets come out of plainProps unwrapped", (t) => {
  const { secretsPreservingProxy } = require("@pulumi/policy/secret");
  const { Secret } = require("@pulumi/policy/policy");
  const proxied = secretsPreservingProxy({ data: new Secret({ "kubesphere.yaml": "a: 1" }) });
  t.deepEqual(plainProps(proxied), { data: { "kubesphere.yaml": "a: 1" } });
});

test("resources without a provider belong to the default cluster; urnOf finds the resource a source names", (t) => {
  const stack = fleetOf([{ ...configMapResource("x", "v3.4/kubesphere-config.host.yaml"), provider: undefined }]);
  t.is(stack.fleet.clusters[0]!.name, NO_PROVIDER_CLUSTER);
  const withProvider = fleetOf(compliantStack());
  const urn = withProvider.urnOf("member-2", "ConfigMap kubesphere-system/kubesphere-config: kubesphere.yaml: authentication.issuer.jwtSecret");
  t.is(urn, urnOf("kubernetes:core/v1:ConfigMapPatch", "member-2-kubesphere-config"));
  t.is(withProvider.urnOf("member-2", "Secret elsewhere"), undefined);
});

test("clusters with identical config each get their own settings (nothing is shared between clusters)", (t) => {
  const specs = ["a", "b", "c"].map((name) => configMapResource(name, "v4.1/kubesphere-config.member.yaml"));
  const { fleet } = fleetOf(specs);
  t.deepEqual(fleet.clusters.map((c) => [c.name, c.settings.length]), [["a", 1], ["b", 1], ["c", 1]]);
  t.deepEqual(fleetOf(specs).fleet, fleet);
});

test("the model reads each kubesphere.yaml text once, however many policies read a copy of it; results stay per source", (t) => {
  const memo = new TextMemo<number>(2);
  let computed = 0;
  const compute = () => ++computed;
  t.is(memo.get("a", "text", compute), 1);
  t.is(memo.get("a", "text".slice(0), compute), 1, "an equal text, another string: the same result");
  t.is(memo.get("b", "text", compute), 2, "another source: read again");
  t.is(memo.get("a", "other", compute), 3);
  t.is(memo.get("a", "text", compute), 1, "still held by the previous generation");
  const specs = [configMapResource("a", "v4.1/kubesphere-config.member.yaml")];
  t.is(fleetOf(specs).fleet.clusters[0]!.settings[0], fleetOf(specs).fleet.clusters[0]!.settings[0], "two policies' copies of one resource: one read");
});

test("a policy that reads only its rule's objects (Rule.reads) finds what the rule finds over every object", (t) => {
  const member1 = (edit: (s: string) => string) => configMapResource("member-1", "v3.4/kubesphere-config.member.yaml", { edit });
  const stacks: ResourceSpec[][] = [
    compliantStack(),
    [...compliantStack(), ksCoreRelease("member-2", { multicluster: { role: "member" }, authentication: { issuer: { jwtSecret: "anotherJwtSecretBBBBBBBBBBBBBBBBBB" } } })],
    [...compliantStack(), clusterConfigurationResource("member-1", (cc) => (cc.spec.multicluster.clusterRole = "none"))],
    [...compliantStack(), clusterConfigurationResource("member-1", (cc) => Object.assign(cc.spec.authentication, { oauthOptions: { accessTokenMaxAge: "2h" } }))],
    [...compliantStack().slice(0, 4), member1((s) => s.replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h").replace("maximumClockSkew: 10s", "maximumClockSkew: 60s")), apiserverDeployment("host", 3)],
    [...compliantStack().slice(0, 4), member1((s) => s.replace(/clusterRole: .*/, "clusterRole: host")), apiserverDeployment("member-1", 2, true)],
    [
      ...compliantStack(),
      { type: "kubernetes:core/v1:Secret", name: "member-1-secret", provider: "member-1", props: { metadata: { name: "kubesphere-secret", namespace: "kubesphere-system" }, stringData: { secret: "anotherJwtSecretBBBBBBBBBBBBBBBBBB" } } },
      clusterConfigurationResource("member-2", (cc) => (cc.spec.multicluster.clusterRole = UNKNOWN_VALUE)),
    ],
  ];
  const options = { now: new Date(), certificateExpiryWindowDays: 30 };
  const resources = (specs: ResourceSpec[]) => stackArgs(specs).resources as unknown as StackResource[];
  let findings = 0;
  for (const rule of allRules().filter((r) => r.reads)) {
    for (const specs of stacks) {
      const all = rule.evaluate(fleetFromResources(resources(specs)).fleet, options);
      const read = rule.evaluate(fleetFromResources(resources(specs), undefined, { objects: new Set(rule.reads) }).fleet, options);
      t.deepEqual(read, all, rule.id);
      findings += all.length;
    }
  }
  t.true(findings >= 8, "the stacks give the rules something to find");
});
