/**
 * What the engine and the kubernetes provider do to a program's resources before a policy pack sees them, for
 * `check --program`: default provider names (the cases of pulumi v3.248.0
 * pkg/resource/deploy/providers/provider_test.go) and inputs, and a Helm Release's Check (pulumi-kubernetes v4.25.0
 * helm_release.go): value files merged under `values`, name and namespace filled in.
 */
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DefaultProviders, defaultProviderName } from "../../src/check/defaultProvider";
import { checkHelmRelease } from "../../src/check/helmReleaseCheck";
import type { RecordedResource } from "../../src/mocks/kubernetesMocks";

const recorded = (type: string, inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}): RecordedResource => ({
  type,
  name: "ks-core",
  inputs,
  secretPaths: [],
  additionalSecretOutputs: [],
  retainOnDelete: false,
  dependencies: [],
  ignoreChanges: [],
  read: false,
  custom: true,
  ...more,
});

test("default provider names as the engine makes them", (t) => {
  t.is(defaultProviderName(undefined), "default");
  t.is(defaultProviderName("0.18.1"), "default_0_18_1");
  t.is(defaultProviderName("0.17.7-dev.1555435978+gb7030aa4.dirty"), "default_0_17_7_dev_1555435978_gb7030aa4_dirty");
  t.is(defaultProviderName("4.34.2"), "default_4_34_2");
});

test("a resource without a provider gets the package's default provider once, with {version} and the package's config", (t) => {
  const defaults = new DefaultProviders("dev", "acme", { config: { "kubernetes:namespace": "ops", "acme:jwtSecret": "x" }, secretKeys: ["acme:jwtSecret"] });
  const first = defaults.of(recorded("kubernetes:helm.sh/v3:Release", {}, { version: "4.34.2" }));
  t.deepEqual(first?.registered, { type: "pulumi:providers:kubernetes", name: "default_4_34_2", urn: "urn:pulumi:dev::acme::pulumi:providers:kubernetes::default_4_34_2", properties: { namespace: "ops", version: "4.34.2" } });
  const second = defaults.of(recorded("kubernetes:core/v1:ConfigMap", {}, { name: "other", version: "4.34.2" }));
  t.is(second?.registered, undefined, "registered once");
  t.is(second?.provider.urn, first?.provider.urn);
  t.is(defaults.of(recorded("kubernetes:core/v1:ConfigMap", {}, { provider: "urn:pulumi:dev::acme::pulumi:providers:kubernetes::host::id" })), undefined, "an explicit provider");
  t.is(defaults.of(recorded("acme:index:Platform", {}, { custom: false })), undefined, "a component");
});

test("a Helm Release's Check: value files in order under values (maps merged, an empty value of values keeps the file's), name and namespace filled in", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-helm-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "a.yaml"), "authentication:\n  issuer:\n    jwtSecret: fromA\n    maximumClockSkew: 10s\nmulticluster:\n  role: host\n");
  writeFileSync(join(dir, "b.yaml"), "multicluster:\n  role: member\n");
  const checked = checkHelmRelease(
    recorded("kubernetes:helm.sh/v3:Release", {
      chart: "ks-core",
      values: { authentication: { issuer: { jwtSecret: "", accessTokenMaxAge: "0s" } }, dropped: null },
      valueYamlFiles: [{ __pulumiAsset: true, path: "a.yaml" }, { __pulumiAsset: true, text: "extra: 1\n" }, { __pulumiAsset: true, path: join(dir, "b.yaml") }],
    }),
    "urn:pulumi:dev::acme::kubernetes:helm.sh/v3:Release::ks-core",
    { programDir: dir, defaultNamespace: "default", limits: {}, where: "--program p, stack 'dev'" },
  );
  t.deepEqual(checked.inputs["values"], { authentication: { issuer: { jwtSecret: "fromA", maximumClockSkew: "10s", accessTokenMaxAge: "0s" } }, multicluster: { role: "member" }, extra: 1 });
  t.false("valueYamlFiles" in checked.inputs);
  t.regex(String(checked.inputs["name"]), /^ks-core-[0-9a-f]{8}$/);
  t.is(checked.inputs["namespace"], "default");
  t.is(checked.inputs["timeout"], 300);
  const named = checkHelmRelease(recorded("kubernetes:helm.sh/v3:Release", { chart: "ks-core", name: "ks-core", namespace: "kubesphere-system", skipAwait: true }), "urn", { programDir: dir, defaultNamespace: "default", limits: {}, where: "w" });
  t.deepEqual([named.inputs["name"], named.inputs["namespace"], named.inputs["timeout"]], ["ks-core", "kubesphere-system", undefined]);
  const error = t.throws(() => checkHelmRelease(recorded("kubernetes:helm.sh/v3:Release", { valueYamlFiles: [{ __pulumiAsset: true, path: "missing.yaml" }] }), "urn", { programDir: dir, defaultNamespace: "default", limits: {}, where: "--program p, stack 'dev'" }));
  t.regex(error!.message, /--program p, stack 'dev': Helm release 'ks-core' valueYamlFiles\[0\]/);
});
