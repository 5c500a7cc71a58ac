/**
 * Every policy is total: a resource whose fields have the wrong type (`spec.replicas: "many"`, a list where
 * kubesphere.yaml wants a number, a number where a kubeconfig should be) is a note about that object, never an
 * exception. Each case goes over the wire to the compiled pack, spawned as the engine spawns it: Analyze of the
 * broken resource, then AnalyzeStack of the stack that holds it. A policy that throws fails the gRPC call.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { startPolicyPack, type PolicyPackSession } from "../../src/engine";
import { kubernetesProvider, onCluster, type ResourceSpec } from "../helpers/args";
import { issueClientCertificate, kubeconfigFor, makeCertificateAuthority } from "../helpers/certificates";
import { fixtureObject, FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { wireResources } from "../helpers/wireStack";
import { apiserverDeployment, clusterConfigurationResource, configMapResource, ksCoreRelease } from "../policies/stackFixtures";

const PACK_DIR = join(__dirname, "..", "..", "policies");

/** A value of each JSON type but the given one's. */
function wrongValues(value: unknown): unknown[] {
  const all: unknown[] = ["many", -3, 2.5, true, null, ["x", 1], { a: { b: 1 } }];
  const type = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
  return all.filter((v) => type(v) !== type(value));
}

/** Every path to a value (leaf or not) in plain data, the root left out. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, unknown>);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function replaced(data: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function getAt(data: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], data);
}

/** A fleet with one resource of every kind the pack reads: providers with real kubeconfigs, both config layouts, the installer, the Secret, ks-core, ks-apiserver. */
function fullStack(kubeconfig: string): ResourceSpec[] {
  const secret = fixtureObject("v3.4/kubesphere-secret.yaml") as Record<string, any>;
  return [
    kubernetesProvider("host", { kubeconfig }),
    kubernetesProvider("member-1", { kubeconfig, context: "edge" }),
    kubernetesProvider("member-2", { kubeconfig: "/no/such/kubeconfig.yaml" }),
    configMapResource("host", "v3.4/kubesphere-config.host.yaml"),
    clusterConfigurationResource("member-1"),
    configMapResource("member-1", "v3.4/kubesphere-config.member.yaml"),
    onCluster("member-1", "kubernetes:core/v1:Secret", "member-1-kubesphere-secret", { metadata: secret.metadata, data: secret.data }),
    configMapResource("member-2", "v4.1/kubesphere-config.member.yaml", { patch: true }),
    ksCoreRelease("member-2", { authentication: { issuer: { jwtSecret: FIXTURE_JWT_SECRET, accessTokenMaxAge: "0s" } }, multicluster: { role: "member" } }),
    apiserverDeployment("host", 3),
  ];
}

/**
 * Whether a path could matter to KubeSphere auth: everything but the ClusterConfiguration's hundreds of settings of
 * other components (logging, devops, …), which only its authentication, multicluster and common.redis sections touch.
 */
function aboutAuth(path: readonly (string | number)[]): boolean {
  if (path[0] !== "spec" || path.length <= 2) return true;
  return path[1] === "authentication" || path[1] === "multicluster" || (path[1] === "common" && (path.length <= 3 || path[2] === "redis"));
}

/** The same stack with one field of one resource (or of a kubesphere.yaml inside one) given a value of another type. */
function* brokenStacks(stack: ResourceSpec[]): Generator<{ title: string; stack: ResourceSpec[]; index: number }> {
  for (const [index, resource] of stack.entries()) {
    for (const path of paths(resource.props).filter(aboutAuth)) {
      for (const wrong of wrongValues(getAt(resource.props, path))) {
        const props = replaced(resource.props, path, wrong) as Record<string, unknown>;
        yield { title: `${resource.name} ${path.join(".")} = ${JSON.stringify(wrong)}`, stack: stack.map((r, i) => (i === index ? { ...r, props } : r)), index };
      }
    }
    const yamlText = (resource.props["data"] as Record<string, unknown> | undefined)?.["kubesphere.yaml"];
    if (typeof yamlText !== "string") continue;
    const config = parse(yamlText) as Record<string, unknown>;
    for (const path of paths(config).filter((p) => ["authentication", "multicluster", "cache", "redis"].includes(String(p[0])))) {
      for (const wrong of wrongValues(getAt(config, path))) {
        const props = { ...resource.props, data: { "kubesphere.yaml": stringify(replaced(config, path, wrong)) } };
        yield { title: `${resource.name} kubesphere.yaml ${path.join(".")} = ${JSON.stringify(wrong)}`, stack: stack.map((r, i) => (i === index ? { ...r, props } : r)), index };
      }
    }
  }
}

let pack: PolicyPackSession;

test.before(async () => {
  if (!existsSync(join(PACK_DIR, "bin", "policies", "index.js"))) throw new Error("policies/bin is missing: run `npm run build` before the end-to-end tests.");
  pack = await startPolicyPack(PACK_DIR);
  await pack.configure();
});
test.after.always(async () => {
  await pack?.close();
});

test("every policy takes a field of the wrong type as a note, never an exception over the wire", async (t) => {
  const ca = makeCertificateAuthority();
  t.teardown(() => ca.dispose());
  const cert = issueClientCertificate(ca, { commonName: "admin", organization: "system:masters", notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 300 * 86_400_000) });
  const kubeconfig = kubeconfigFor({ server: "https://127.0.0.1:6443", caPem: ca.certPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem, user: "admin", context: "edge", cluster: "edge" });
  const all = [...brokenStacks(fullStack(kubeconfig))];
  t.true(all.length > 300, `only ${all.length} cases`);
  // Forty cases per AnalyzeStack, each on clusters of its own; a batch that fails is run again case by case to name it.
  const failures: string[] = [];
  for (let start = 0; start < all.length; start += 40) {
    const batch = all.slice(start, start + 40).map((c, n) => ({ ...c, stack: renamed(c.stack, `-c${n}`) }));
    if ((await attempt(batch)) === undefined) continue;
    for (const broken of batch) {
      const error = await attempt([broken]);
      if (error !== undefined) failures.push(`${broken.title}: ${error}`);
    }
  }
  t.deepEqual(failures, [], `${failures.length} of ${all.length} broken resources made a policy throw`);
});

/** The first line of the gRPC error when Analyze of a broken resource or AnalyzeStack of its stack fails. */
async function attempt(cases: { stack: ResourceSpec[]; index: number }[]): Promise<string | undefined> {
  try {
    const stacks = cases.map((c) => wireResources(c.stack));
    await Promise.all(stacks.map((resources, i) => pack.analyze(resources[cases[i]!.index]!)));
    await pack.analyzeStack(stacks.flat());
    return undefined;
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  }
}

/** The stack on clusters of other names, so several stacks can share one AnalyzeStack. */
function renamed(stack: ResourceSpec[], suffix: string): ResourceSpec[] {
  return stack.map((r) => ({ ...r, name: `${r.name}${suffix}`, ...(r.provider ? { provider: `${r.provider}${suffix}` } : {}) }));
}

test("a kubeconfig of the wrong shape inside the provider is a note, never an exception", async (t) => {
  const shapes = ["users: 5", "users: [{name: u, user: [1]}]\ncontexts: {a: 1}", "current-context: [x]\ncontexts: [{name: [x], context: {user: 3}}]", "- just\n- a list", "{users: [{name: u, user: {client-certificate-data: 7}}]}"];
  for (const kubeconfig of shapes) {
    const resources = wireResources([kubernetesProvider("host", { kubeconfig }), configMapResource("host", "v3.4/kubesphere-config.host.yaml")]);
    await t.notThrowsAsync(pack.analyze(resources[0]!), kubeconfig);
    await t.notThrowsAsync(pack.analyzeStack(resources), kubeconfig);
  }
});

test("a provider whose kubeconfig path, or the client certificate it names, is a FIFO is judged at once, not waited on", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ksf-fifo-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, "kubeconfig.fifo");
  execFileSync("mkfifo", [fifo]);
  const namesFifo = `apiVersion: v1\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {client-certificate: ${fifo}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
  for (const kubeconfig of [fifo, namesFifo]) {
    const resources = wireResources([kubernetesProvider("host", { kubeconfig }), configMapResource("host", "v3.4/kubesphere-config.host.yaml")]);
    // Read the usual way, a FIFO waits for a writer forever: the call would never answer and the test would time out.
    await t.notThrowsAsync(pack.analyze(resources[0]!));
    await t.notThrowsAsync(pack.analyzeStack(resources));
  }
});
