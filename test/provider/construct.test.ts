/**
 * Construct, the call the engine makes when a Python, Go or YAML program declares a KubeSphereFleet: the plugin is
 * started as the engine starts it, the inputs arrive in their wire form (the secret and the kubeconfigs as Pulumi
 * secrets), and the provider registers the fleet with a resource monitor served here from the fleet mocks.
 */
import test, { type ExecutionContext } from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ConstructRequest } from "@pulumi/pulumi/proto/provider_pb";
import { ResourceMonitorClient } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { RegisterResourceRequest, type RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { startComponentProvider, type ComponentProviderSession } from "../../src/engine";
import { SPECIAL_SIG_KEY, fromStruct, secret, toStruct } from "../../src/engine/wire";
import { secretFacts } from "../../src/model/secretFacts";
import { unaryCall } from "../../src/engine/pluginProcess";
import { timeScale } from "../helpers/checkCli";
import { PROJECT_ROOT, liveObjects, pathsContaining } from "../helpers/mocksFleet";
import { startMonitorServer, type MonitorServer } from "../helpers/monitorServer";

const PROJECT = "acme";
const STACK = "prod";
const TOKEN = "kubesphere-fleet:index:KubeSphereFleet";
const SECRET = "constructJwtSecret0123456789abcdefgh";
/** The signature of an output value in a property map (`pulumi/sdk/go/common/resource/properties`). */
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The signature of a resource reference in a property map. */
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const kubeconfig = (file: string) => readFileSync(join(PROJECT_ROOT, "stacks", "dev", "kubeconfigs", file), "utf8");

let provider: ComponentProviderSession;
let monitor: MonitorServer;

test.before(async () => {
  monitor = await startMonitorServer(PROJECT, STACK, liveObjects("dev"));
  provider = await startComponentProvider(join(PROJECT_ROOT, "provider"), { startTimeoutMs: Math.round(120_000 * timeScale()) });
});
test.after.always(async () => {
  await provider?.close();
  await monitor?.close();
});

/** A ConstructRequest as the engine sends it for a program's `KubeSphereFleet(name, inputs)`. */
function constructRequest(name: string, inputs: Record<string, unknown>): ConstructRequest {
  return new ConstructRequest()
    .setProject(PROJECT)
    .setStack(STACK)
    .setDryrun(false)
    .setParallel(4)
    .setMonitorendpoint(monitor.address)
    .setType(TOKEN)
    .setName(name)
    .setAcceptsOutputValues(true)
    .setInputs(toStruct(inputs));
}

/** An output value on the wire: how an SDK that sends output values passes a secret kubeconfig inside `clusters`. */
const secretOutputValue = (value: string) => ({ [SPECIAL_SIG_KEY]: OUTPUT_VALUE_SIG, value, secret: true, dependencies: [] });

/** The dev stack's three clusters (3.4 host, 3.4 and 4.1 members), each kubeconfig passed as `wrap` makes it. */
const devClusters = (wrap: (kubeconfig: string) => unknown) => [
  { name: "host", role: "host", version: "3.4", kubeconfig: wrap(kubeconfig("host.yaml")), context: "host-admin" },
  { name: "member-1", role: "member", version: "3.4", kubeconfig: wrap(kubeconfig("member-1.yaml")) },
  { name: "member-2", role: "member", version: "4.1", kubeconfig: wrap(kubeconfig("member-2.yaml")) },
];

/** Constructs `name` from the dev clusters and checks what the TypeScript component would give: outputs, children, secrets. */
async function constructsLikeTheComponent(t: ExecutionContext, name: string, wrap: (kubeconfig: string) => unknown): Promise<void> {
  const from = monitor.resources.length;
  const response = await provider.construct(constructRequest(name, { clusters: devClusters(wrap), jwtSecret: secret(SECRET) }));
  const urn = `urn:pulumi:${STACK}::${PROJECT}::${TOKEN}::${name}`;
  t.is(response.getUrn(), urn);
  const state = fromStruct(response.getState()) as { clusters: Record<string, { role: string; jwtSecretFingerprint: string }>; jwtSecretSource: string };
  t.deepEqual(Object.keys(state.clusters), ["host", "member-1", "member-2"]);
  t.true(Object.values(state.clusters).every((c) => c.jwtSecretFingerprint === secretFacts(SECRET).fingerprint));
  t.is(state.jwtSecretSource, `the jwtSecret argument of KubeSphereFleet '${name}'`);
  t.false(JSON.stringify(state).includes(SECRET));

  const resources = monitor.resources.slice(from);
  const component = resources.find((r) => r.type === TOKEN && r.name === name);
  t.deepEqual(component?.inputs, {}, "the component registers no inputs: they hold the secret");
  const children = resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes");
  t.deepEqual(
    children.filter((r) => !r.read && r.type.endsWith("Patch")).map((r) => `${r.cluster} ${r.type}`),
    [
      "host kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch",
      "member-1 kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch",
      "member-2 kubernetes:core/v1:ConfigMapPatch",
      "member-2 kubernetes:apps/v1:DeploymentPatch",
    ],
  );
  for (const r of children) t.is(r.parent, urn, `${r.type} ${r.name} is a child of the component`);
  for (const r of resources.filter((r) => !r.read)) {
    const clear = pathsContaining(r.inputs, SECRET).filter((p) => !r.secretPaths.some((s) => p === s || p.startsWith(`${s}.`)));
    t.deepEqual(clear, [], `${r.type} ${r.name}: the secret travels only as a Pulumi secret`);
  }
  for (const made of children.filter((r) => r.type === "pulumi:providers:kubernetes")) t.deepEqual(made.secretPaths, ["kubeconfig"], `provider ${made.name}`);
}

test.serial("Construct declares the fleet as the TypeScript component does, kubeconfigs sent as secret output values", (t) => constructsLikeTheComponent(t, "fleet", secretOutputValue));

test.serial("Construct declares the same fleet when the kubeconfigs come as plain secrets, which make the whole list one secret", (t) => constructsLikeTheComponent(t, "legacy", secret));

/** What the caller's SDK does for `new kubernetes.Provider(name, …)` in its own program: registers it with the monitor. */
async function callersProvider(name: string, file: string): Promise<{ urn: string; id: string }> {
  const client = new ResourceMonitorClient(monitor.address, grpc.credentials.createInsecure());
  try {
    const request = new RegisterResourceRequest().setType("pulumi:providers:kubernetes").setName(name).setCustom(true).setObject(toStruct({ kubeconfig: secret(kubeconfig(file)) }));
    const response = await unaryCall<RegisterResourceRequest, RegisterResourceResponse>(client, client.registerResource, request);
    return { urn: response.getUrn(), id: response.getId() };
  } finally {
    client.close();
  }
}

test.serial("Construct takes the caller's own kubernetes providers as resource references and reads and patches through them", async (t) => {
  const host = await callersProvider("host", "host.yaml");
  const member = await callersProvider("member-1", "member-1.yaml");
  const reference = (p: { urn: string; id: string }) => ({ [SPECIAL_SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: p.urn, id: p.id, packageVersion: "" });
  const from = monitor.resources.length;
  const response = await provider.construct(
    constructRequest("byProvider", {
      clusters: [
        { name: "host", role: "host", version: "3.4", provider: reference(host) },
        { name: "member-1", role: "member", version: "3.4", provider: reference(member) },
      ],
      jwtSecret: secret(SECRET),
    }),
  );
  const state = fromStruct(response.getState()) as { clusters: Record<string, unknown> };
  t.deepEqual(Object.keys(state.clusters), ["host", "member-1"]);
  const resources = monitor.resources.slice(from);
  t.deepEqual(resources.filter((r) => r.type === "pulumi:providers:kubernetes" && !r.read).map((r) => r.name), [], "no provider made: the caller's are used");
  t.deepEqual(
    resources.filter((r) => !r.read && r.type.endsWith("Patch")).map((r) => `${r.cluster} ${r.type}`),
    ["host kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch", "member-1 kubernetes:installer.kubesphere.io/v1alpha1:ClusterConfigurationPatch"],
  );
});

test.serial("Construct with bad args fails with the fleet's one message, no stack trace, and declares nothing", async (t) => {
  const before = monitor.resources.length;
  const error = await t.throwsAsync(
    provider.construct(constructRequest("bad", { clusters: [{ name: "host", role: "host", version: "3.4" }], jwtSecret: secret(SECRET) })),
  );
  t.regex(error!.message, /KubeSphereFleet 'bad' has 1 problem\(s\); nothing was declared\.\n- Stack 'prod', KubeSphereFleet 'bad', clusters\[0\] \(host\): clusters\[0\] has neither provider nor kubeconfig\. Fix: give exactly one/);
  t.notRegex(error!.message, /\n\s+at /, "no stack trace");
  t.false(error!.message.includes(SECRET));
  const declared = monitor.resources.slice(before).filter((r) => r.type !== TOKEN);
  t.deepEqual(declared.map((r) => `${r.type} ${r.name}`), []);
});

/** Construct, or a rejection naming the deadline: the engine has none, so a Construct that never answers hangs `pulumi up`. */
function constructWithin(request: ConstructRequest, ms: number) {
  return Promise.race([
    provider.construct(request),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`Construct did not answer within ${ms} ms`)), ms).unref()),
  ]);
}

test.serial("Construct answers even when hundreds of clusters are broken: the message names the count and stays small", async (t) => {
  // 600 clusters without provider or kubeconfig: uncapped, the message was over 64 KB and Construct never answered.
  const clusters = Array.from({ length: 600 }, (_, i) => ({ name: `member-${i}`, role: i === 0 ? "host" : "member", version: "3.4" }));
  const error = await t.throwsAsync(constructWithin(constructRequest("many", { clusters, jwtSecret: secret(SECRET) }), Math.round(60_000 * timeScale())));
  t.notRegex(error!.message, /did not answer/);
  t.regex(error!.message, /KubeSphereFleet 'many' has 600 problem\(s\); nothing was declared\./);
  t.regex(error!.message, /and 5\d\d more problem\(s\)/);
  t.true(Buffer.byteLength(error!.message) < 16 * 1024, `${Buffer.byteLength(error!.message)} bytes`);
});

test.serial("a kubeconfig over the size bound is refused by Construct at once, naming the cluster and the bound, not read", async (t) => {
  const huge = `apiVersion: v1\nkind: Config\n# ${"x".repeat(20 * 1024 * 1024)}\n`;
  const started = Date.now();
  const error = await t.throwsAsync(
    constructWithin(
      constructRequest("huge", { clusters: [{ name: "host", role: "host", version: "3.4", kubeconfig: secretOutputValue(huge) }], jwtSecret: secret(SECRET) }),
      Math.round(60_000 * timeScale()),
    ),
  );
  t.regex(error!.message, /clusters\[0\] \(host\): clusters\[0\]\.kubeconfig is 20 MiB; the bound is 1 MiB\. Fix: pass the cluster's own kubeconfig/);
  t.true(Date.now() - started < 20_000 * timeScale(), `${Date.now() - started} ms`);
  t.notRegex(provider.stderr(), /RESOURCE_EXHAUSTED|\n\s+at /);
});

test.serial("the provider logged no error to the engine: a failed fleet is the failed Construct, not an unhandled rejection too", (t) => {
  const ERROR = 3; // pulumirpc.LogSeverity.ERROR
  t.deepEqual(provider.engineLogs().filter((l) => l.severity >= ERROR).map((l) => l.message), []);
  t.notRegex(provider.stderr(), /unhandled|error/i);
});
