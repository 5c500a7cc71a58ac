import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { formatConfigError, validateFleetConfig, type FleetConfigInput } from "../../src/config/validateFleetConfig";
import { FIXTURE_SECRET, PROJECT_ROOT, stackInput } from "../helpers/mocksFleet";

const STACK = "dev";
const validate = (input: FleetConfigInput) => validateFleetConfig(input, { stack: STACK, projectRoot: PROJECT_ROOT });
const HOST_KUBECONFIG = readFileSync(join(PROJECT_ROOT, "stacks/dev/kubeconfigs/host.yaml"), "utf8");

/** The dev stack's clusters with one change (one change per test). */
function devWith(edit: (clusters: any[]) => void, extra: Partial<FleetConfigInput> = {}): FleetConfigInput {
  const input = stackInput("dev");
  const clusters = structuredClone(input.clusters) as any[];
  edit(clusters);
  return { ...input, clusters, ...extra };
}

/** The formatted messages of a config that must fail. */
function messages(t: { fail(m: string): void }, input: FleetConfigInput): string[] {
  const { fleet, errors } = validate(input);
  if (fleet) t.fail("expected the config to be rejected");
  return errors.map(formatConfigError);
}

test("the dev stack is a valid fleet: a 3.4 host, a 3.4 member and a 4.1 member, kubeconfigs read from relative paths", (t) => {
  const { fleet, errors } = validate(stackInput("dev"));
  t.deepEqual(errors, []);
  t.deepEqual(
    fleet!.clusters.map((c) => [c.name, c.role, c.version, c.mode, c.kubeconfig.context]),
    [
      ["host", "host", "3.4", "installer", "host-admin"],
      ["member-1", "member", "3.4", "installer", undefined],
      ["member-2", "member", "4.1", "configmap", undefined],
    ],
  );
  t.is(fleet!.clusters[0]!.kubeconfig.content, HOST_KUBECONFIG);
  t.is(fleet!.clusters[0]!.kubeconfig.source, `stacks/dev/kubeconfigs/host.yaml (${join(PROJECT_ROOT, "stacks/dev/kubeconfigs/host.yaml")})`);
  t.deepEqual(fleet!.names, { namespace: "kubesphere-system", configMap: "kubesphere-config" });
  t.is(fleet!.jwtSecret, undefined);
});

test("a path starting with ~ is read from the home directory", (t) => {
  const home = mkdtempSync(join(tmpdir(), "fleet-home-"));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(join(home, "host.yaml"), HOST_KUBECONFIG);
  const input = devWith((c) => (c[0].kubeconfig = { path: "~/host.yaml" }));
  const { fleet, errors } = validateFleetConfig(input, { stack: STACK, projectRoot: PROJECT_ROOT, homeDir: home });
  t.deepEqual(errors, []);
  t.is(fleet!.clusters[0]!.kubeconfig.content, HOST_KUBECONFIG);
});

test("kubeconfig content, a namespace and a ConfigMap name for a rebranded distribution are accepted", (t) => {
  const input = devWith((c) => (c[1].kubeconfig = { content: HOST_KUBECONFIG, context: "host-admin" }), { namespace: "acme-system", configMap: "acme-config", jwtSecret: FIXTURE_SECRET });
  const { fleet, errors } = validate(input);
  t.deepEqual(errors, []);
  t.is(fleet!.clusters[1]!.kubeconfig.source, "kubesphere-fleet:clusters[1].kubeconfig.content");
  t.deepEqual(fleet!.names, { namespace: "acme-system", configMap: "acme-config" });
  t.deepEqual(fleet!.jwtSecret, { value: FIXTURE_SECRET });
});

test("manage: configmap is accepted on 3.x and a bare number version like 3.4 is read as \"3.4\"", (t) => {
  const { fleet, errors } = validate(devWith((c) => ((c[1].manage = "configmap"), (c[1].version = 3.4))));
  t.deepEqual(errors, []);
  t.like(fleet!.clusters[1], { mode: "configmap", version: "3.4" });
});

test("ksInstaller: true by default on 3.x, false on 4.x, and false is accepted with manage: configmap", (t) => {
  const { fleet } = validate(devWith(() => undefined));
  t.deepEqual(fleet!.clusters.map((c) => c.ksInstaller), [true, true, false]);
  const without = validate(devWith((c) => ((c[1].manage = "configmap"), (c[1].ksInstaller = false))));
  t.deepEqual(without.errors, []);
  t.like(without.fleet!.clusters[1], { mode: "configmap", ksInstaller: false });
});

const bad: Array<[string, FleetConfigInput, RegExp[]]> = [
  ["no clusters at all", { clusters: undefined }, [/^Stack 'dev': kubesphere-fleet:clusters is not set\. Fix: list the fleet's clusters .*stacks\/Pulumi\.dev\.yaml/]],
  [
    "no host and no source for the host's secret",
    devWith((c) => (c[0].role = "member")),
    [/^Stack 'dev': kubesphere-fleet:clusters declares no host, and the stack does not say where the host's jwtSecret comes from\. Fix: give one cluster role: host; or, .*set jwtSecret .*ESC environment.* pin hostJwtSecretFingerprint/],
  ],
  ["two hosts", devWith((c) => (c[1].role = "host")), [/kubesphere-fleet:clusters declares 2 hosts \(clusters\[0\] \(host\), clusters\[1\] \(member-1\)\)\. Fix: give exactly one cluster role: host/]],
  ["a duplicate name", devWith((c) => (c[2].name = "member-1")), [/^Stack 'dev', clusters\[2\] \(member-1\): kubesphere-fleet:clusters\[2\]\.name 'member-1' is already the name of clusters\[1\] \(member-1\)\. Fix: give every cluster a unique name/]],
  ["an invalid name", devWith((c) => (c[1].name = "Member_1")), [/^Stack 'dev', clusters\[1\]: kubesphere-fleet:clusters\[1\]\.name is not a DNS-1123 label: it has upper-case letters\. Fix: use at most 63 lower-case/]],
  ["a missing name", devWith((c) => delete c[1].name), [/^Stack 'dev', clusters\[1\]: kubesphere-fleet:clusters\[1\]\.name is missing\. Fix:/]],
  ["an unknown version", devWith((c) => (c[2].version = "4.2")), [/clusters\[2\] \(member-2\): kubesphere-fleet:clusters\[2\]\.version is a string of 3 characters, not a KubeSphere version this program knows\. Fix: use one of 3\.0, 3\.1, 3\.2, 3\.3, 3\.4, 4\.0, 4\.1/]],
  ["an unquoted 4.0 that YAML reads as 4", devWith((c) => (c[2].version = 4)), [/version is a number, and YAML drops a trailing \.0\. Fix: quote it, for example version: "4\.0"/]],
  ["an unknown role", devWith((c) => (c[1].role = "worker")), [/clusters\[1\] \(member-1\): kubesphere-fleet:clusters\[1\]\.role is a string of 6 characters, not a role\. Fix: use host \(exactly one cluster\) or member/]],
  ["both path and content", devWith((c) => (c[1].kubeconfig.content = "x")), [/clusters\[1\] \(member-1\): kubesphere-fleet:clusters\[1\]\.kubeconfig has both path and content\. Fix: give exactly one/]],
  ["neither path nor content", devWith((c) => (c[1].kubeconfig = { context: "x" })), [/kubesphere-fleet:clusters\[1\]\.kubeconfig has neither path nor content\. Fix: give exactly one/]],
  ["a missing kubeconfig file", devWith((c) => (c[1].kubeconfig.path = "stacks/dev/kubeconfigs/nope.yaml")), [/clusters\[1\] \(member-1\): kubesphere-fleet:clusters\[1\]\.kubeconfig\.path stacks\/dev\/kubeconfigs\/nope\.yaml \(.*\) cannot be read \(no such file\)\. Fix: point path at an existing kubeconfig file/]],
  ["a missing context", devWith((c) => (c[0].kubeconfig.context = "admin@elsewhere")), [/clusters\[0\] \(host\): kubesphere-fleet:clusters\[0\]\.kubeconfig\.context \(stacks\/dev\/kubeconfigs\/host\.yaml .*\) has no context 'admin@elsewhere'\. Fix: set kubeconfig\.context to one of: host-admin/]],
  ["content that is not a kubeconfig", devWith((c) => (c[1].kubeconfig = { content: "clusters: [\n" })), [/kubesphere-fleet:clusters\[1\]\.kubeconfig\.content \(kubesphere-fleet:clusters\[1\]\.kubeconfig\.content\) is not a readable kubeconfig \(line 2, column 1\)/]],
  ["manage set on 4.x", devWith((c) => (c[2].manage = "configmap")), [/clusters\[2\] \(member-2\): kubesphere-fleet:clusters\[2\]\.manage is set on KubeSphere 4\.1\. Fix: remove manage: 4\.x has no ks-installer/]],
  ["an unknown manage", devWith((c) => (c[1].manage = "helm")), [/kubesphere-fleet:clusters\[1\]\.manage is a string of 4 characters, not a way to manage a 3\.x cluster\. Fix: use installer .* or configmap/]],
  ["ksInstaller: false with manage: installer", devWith((c) => (c[1].ksInstaller = false)), [/clusters\[1\] \(member-1\): kubesphere-fleet:clusters\[1\]\.ksInstaller is false, but manage is installer \(the default\)\. Fix: set manage: configmap for a cluster without ks-installer/]],
  ["ksInstaller that is not a boolean", devWith((c) => ((c[1].manage = "configmap"), (c[1].ksInstaller = "no"))), [/kubesphere-fleet:clusters\[1\]\.ksInstaller is a string of 2 characters, not true or false\. Fix:/]],
  ["ksInstaller set on 4.x", devWith((c) => (c[2].ksInstaller = false)), [/clusters\[2\] \(member-2\): kubesphere-fleet:clusters\[2\]\.ksInstaller is set on KubeSphere 4\.1\. Fix: remove ksInstaller/]],
  ["a misspelt cluster key", devWith((c) => (c[1].kubeConfig = c[1].kubeconfig)), [/kubesphere-fleet:clusters\[1\]\.kubeConfig is not a cluster setting/]],
  ["a jwtSecret shorter than 32 characters", devWith(() => undefined, { jwtSecret: "tooShortSecret123" }), [/^Stack 'dev': kubesphere-fleet:jwtSecret \(sha256:[0-9a-f]{12}\) has 17 characters, fewer than 32\. Fix: set a random secret of at least 32 characters with: pulumi config set --secret jwtSecret/]],
  ["a known default jwtSecret", devWith(() => undefined, { jwtSecret: "gfIwilcc0WjNGKJ5DLeksf2JKfcLgTZU" }), [/kubesphere-fleet:jwtSecret \(sha256:[0-9a-f]{12}\) is the example value printed in KubeSphere's multi-cluster documentation\. Fix:/]],
  ["a namespace that is not a name", devWith(() => undefined, { namespace: "Kube Sphere" }), [/kubesphere-fleet:namespace is a string of 11 characters, not a Kubernetes object name\. Fix: give a DNS-1123 name such as kubesphere-system/]],
];

for (const [what, input, expected] of bad) {
  test(`rejects ${what}, naming the stack, cluster, key and fix`, (t) => {
    const found = messages(t, input);
    t.is(found.length, expected.length, found.join("\n"));
    expected.forEach((pattern, i) => t.regex(found[i] ?? "", pattern));
  });
}

test("every problem is reported at once", (t) => {
  const found = messages(t, devWith((c) => ((c[0].role = "member"), (c[2].manage = "installer"), (c[1].version = "2.1")), { namespace: "Kube Sphere" }));
  t.is(found.length, 4, found.join("\n"));
});

test("no message quotes a secret or kubeconfig content", (t) => {
  const secretKubeconfig = HOST_KUBECONFIG.replace("current-context: host-admin", "current-context: gone");
  const found = messages(t, devWith((c) => (c[1].kubeconfig = { content: secretKubeconfig }), { jwtSecret: "short-but-secret-value" })).join("\n");
  t.regex(found, /has no current-context 'gone'/);
  t.false(found.includes("short-but-secret-value"));
  t.false(found.includes("client-key-data"));
  const unparsable = messages(t, devWith((c) => (c[1].kubeconfig = { content: "token: abcdef-secret-token\nfoo: [" }))).join("\n");
  t.false(unparsable.includes("abcdef-secret-token"));
});

test("encrypted values that could not be decrypted are accepted as present, for an offline reader", (t) => {
  const { fleet, errors } = validate(devWith((c) => (c[1].kubeconfig = { content: { secure: "v1:abc" } }), { jwtSecret: { secure: "v1:def" } }));
  t.deepEqual(errors, []);
  t.deepEqual(fleet!.jwtSecret, { encrypted: true });
  t.is(fleet!.clusters[1]!.kubeconfig.content, undefined);
});
