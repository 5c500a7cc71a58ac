/**
 * KubeSphereFleet as a Pulumi component package, served the way the engine runs it for `pulumi package add`:
 * `run-plugin` on provider/, and GetSchema over gRPC. The schema is what every generated SDK (Python, Go, YAML, …) is
 * made from, so it must describe the component, its inputs with their secrets, and its outputs.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startComponentProvider, type ComponentProviderSession } from "../../src/engine";
import { completeSchema } from "../../src/provider/packageSchema";
import { parse } from "yaml";
import { timeScale } from "../helpers/checkCli";
import { docBlock } from "../helpers/docs";

const ROOT = join(__dirname, "..", "..");
const PLUGIN_DIR = join(ROOT, "provider");
const TOKEN = "kubesphere-fleet:index:KubeSphereFleet";
const CLUSTER = "kubesphere-fleet:index:KubeSphereFleetCluster";
const SUMMARY = "kubesphere-fleet:index:KubeSphereFleetClusterSummary";
const version = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
const KUBERNETES_VERSION = version(join(ROOT, "node_modules", "@pulumi", "kubernetes", "package.json"));

interface Property {
  readonly type?: string;
  readonly $ref?: string;
  readonly items?: Property;
  readonly additionalProperties?: Property;
  readonly secret?: boolean;
  readonly plain?: boolean;
  readonly description?: string;
}
interface Schema {
  readonly name: string;
  readonly version: string;
  readonly resources: Record<string, { isComponent?: boolean; inputProperties: Record<string, Property>; requiredInputs: string[]; properties: Record<string, Property>; required: string[] }>;
  readonly types: Record<string, { type: string; properties?: Record<string, Property>; required?: string[]; enum?: { value: string }[] }>;
  readonly dependencies?: { name: string; version: string }[];
}

let provider: ComponentProviderSession;
let schema: Schema;

test.before(async () => {
  provider = await startComponentProvider(PLUGIN_DIR, { startTimeoutMs: Math.round(120_000 * timeScale()) });
  schema = (await provider.getSchema()) as unknown as Schema;
});
test.after.always(async () => {
  await provider?.close();
});

test("GetSchema names the package after the repository, at its version, as GetPluginInfo does", async (t) => {
  t.is(schema.name, "kubesphere-fleet");
  t.is(schema.version, version(join(ROOT, "package.json")));
  t.is(await provider.getPluginVersion(), schema.version);
  t.deepEqual(Object.keys(schema.resources), [TOKEN]);
  t.true(schema.resources[TOKEN]!.isComponent);
});

test("the inputs: clusters (each with name, role, version, manage, ksInstaller, provider or kubeconfig, context), jwtSecret, namespace, configMap", (t) => {
  const component = schema.resources[TOKEN]!;
  t.deepEqual(Object.keys(component.inputProperties).sort(), ["clusters", "configMap", "hostJwtSecretFingerprint", "jwtSecret", "jwtSecretOrigin", "namespace"]);
  t.deepEqual(component.requiredInputs, ["clusters"]);
  t.like(component.inputProperties["clusters"], { type: "array", items: { $ref: `#/types/${CLUSTER}` } });
  for (const key of ["namespace", "configMap", "jwtSecret"]) t.is(component.inputProperties[key]!.type, "string", key);

  const cluster = schema.types[CLUSTER]!;
  t.deepEqual(Object.keys(cluster.properties!).sort(), ["context", "ksInstaller", "kubeconfig", "manage", "name", "provider", "role", "version"]);
  t.deepEqual(cluster.required, ["name", "role", "version"]);
  t.like(cluster.properties, { name: { type: "string" }, version: { type: "string" }, ksInstaller: { type: "boolean" }, kubeconfig: { type: "string" }, context: { type: "string" } });
  // A Kubernetes provider from the consumer's program: a reference to the kubernetes package's provider.
  t.is(cluster.properties!["provider"]!.$ref, `/kubernetes/v${KUBERNETES_VERSION}/schema.json#/provider`);
  t.deepEqual(schema.dependencies?.map((d) => [d.name, d.version]), [["kubernetes", KUBERNETES_VERSION]]);
  // Roles and modes are enums in every generated SDK.
  t.is(cluster.properties!["role"]!.$ref, "#/types/kubesphere-fleet:index:FleetRole");
  t.deepEqual(schema.types["kubesphere-fleet:index:FleetRole"]!.enum!.map((e) => e.value), ["host", "member"]);
  t.is(cluster.properties!["manage"]!.$ref, "#/types/kubesphere-fleet:index:ManageMode");
  t.deepEqual(schema.types["kubesphere-fleet:index:ManageMode"]!.enum!.map((e) => e.value), ["installer", "configmap"]);
});

test("jwtSecret and each cluster's kubeconfig are secret inputs, and nothing else is", (t) => {
  const secrets = (properties: Record<string, Property>) => Object.keys(properties).filter((k) => properties[k]!.secret);
  t.deepEqual(secrets(schema.resources[TOKEN]!.inputProperties), ["jwtSecret"]);
  t.deepEqual(secrets(schema.types[CLUSTER]!.properties!), ["kubeconfig"]);
  t.deepEqual(secrets(schema.resources[TOKEN]!.properties), []);
});

test("the outputs: clusters (role, version, mode, fingerprint, accessTokenMaxAge per cluster) and jwtSecretSource, never the secret", (t) => {
  const component = schema.resources[TOKEN]!;
  t.deepEqual(Object.keys(component.properties).sort(), ["clusters", "jwtSecretSource"]);
  t.deepEqual(component.required, ["clusters", "jwtSecretSource"]);
  t.like(component.properties["clusters"], { type: "object", additionalProperties: { $ref: `#/types/${SUMMARY}` } });
  t.is(component.properties["jwtSecretSource"]!.type, "string");
  t.deepEqual(schema.types[SUMMARY]!.required, ["accessTokenMaxAge", "jwtSecretFingerprint", "mode", "role", "version"]);
  t.false(JSON.stringify(schema.types[SUMMARY]).includes('"jwtSecret"'));
});

test("the provider started without errors and logged nothing to the engine", (t) => {
  t.deepEqual(provider.engineLogs(), []);
  t.notRegex(provider.stderr(), /error/i);
  t.log(`run-plugin printed its port after ${provider.startMs} ms`);
});

test("docs/component.md's YAML program uses the schema's type token and only inputs the schema has, with every required one", (t) => {
  const program = parse(docBlock("docs/component.md", "### A Pulumi YAML program", "yaml")) as { resources: Record<string, { type: string; properties: Record<string, unknown> }> };
  const fleet = Object.values(program.resources).find((r) => r.type === TOKEN);
  if (!fleet) return t.fail(`docs/component.md's YAML program declares no ${TOKEN}`);
  const component = schema.resources[TOKEN]!;
  t.deepEqual(Object.keys(fleet.properties).filter((k) => !(k in component.inputProperties)), []);
  t.deepEqual(component.requiredInputs.filter((k) => !(k in fleet.properties)), []);
  const cluster = schema.types[CLUSTER]!;
  for (const entry of fleet.properties["clusters"] as Record<string, unknown>[]) {
    t.deepEqual(Object.keys(entry).filter((k) => !(k in cluster.properties!)), [], String(entry["name"]));
    t.deepEqual(cluster.required!.filter((k) => !(k in entry)), [], String(entry["name"]));
  }
});

test("completeSchema points a provider reference at the package's provider and leaves resource references alone", (t) => {
  const schemaJson = JSON.stringify({
    resources: { "p:index:C": { inputProperties: { a: { $ref: "/kubernetes/v4.34.2/schema.json#/resources/kubernetes" }, b: { $ref: "/tls/v4.11.1/schema.json#/resources/tls:index%2FprivateKey:PrivateKey" } } } },
    types: { "p:index:T": { properties: { c: { type: "array", items: { $ref: "/aws/v6.0.0/schema.json#/resources/aws" } } } } },
  });
  const done = JSON.parse(completeSchema(schemaJson, {}));
  t.is(done.resources["p:index:C"].inputProperties.a.$ref, "/kubernetes/v4.34.2/schema.json#/provider");
  t.is(done.resources["p:index:C"].inputProperties.b.$ref, "/tls/v4.11.1/schema.json#/resources/tls:index%2FprivateKey:PrivateKey");
  t.is(done.types["p:index:T"].properties.c.items.$ref, "/aws/v6.0.0/schema.json#/provider");
});

test("completeSchema refuses to mark a property the schema does not have, naming it", (t) => {
  const schemaJson = JSON.stringify({ resources: { "p:index:C": { inputProperties: { jwtSecret: { type: "string" } } } }, types: {} });
  t.throws(() => completeSchema(schemaJson, { "p:index:C": ["jwtSecret", "token"] }), { message: /no property 'token' in 'p:index:C'/ });
  t.true(JSON.parse(completeSchema(schemaJson, { "p:index:C": ["jwtSecret"] })).resources["p:index:C"].inputProperties.jwtSecret.secret);
});
