/**
 * KubeSphereFleet's args: wrong ones stop it with one message naming the stack, the component, the cluster, the key
 * and the fix, before anything (not even a provider) is declared; the package entry exports it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeSphereFleet, type KubeSphereFleetArgs } from "kubesphere-fleet";
import { runUnderMocks } from "../../src/mocks/runUnderMocks";
import { PROJECT_ROOT, liveObjects } from "../helpers/mocksFleet";

const SECRET = "componentArgsJwtSecret0123456789abcdef";
const kubeconfig = (file: string) => readFileSync(join(PROJECT_ROOT, "stacks", "dev", "kubeconfigs", file), "utf8");

/** Builds the args inside the mock run (providers must be made after the mocks are installed) and declares them. */
function declare(args: () => KubeSphereFleetArgs, preview = false) {
  return runUnderMocks({ project: "acme", stack: "prod", config: { config: {}, secretKeys: [] }, objects: liveObjects("dev"), preview }, () => new KubeSphereFleet("fleet", args()).declared());
}
const declaredKinds = (resources: readonly { type: string; read: boolean }[]) => resources.filter((r) => !r.read && r.type !== "kubesphere-fleet:index:KubeSphereFleet").map((r) => r.type);

test.serial("a cluster with both provider and kubeconfig is refused before anything is declared", async (t) => {
  const run = await declare(() => ({
    clusters: [
      // A type error too (npm run typecheck fails without this line): provider and kubeconfig exclude each other.
      // @ts-expect-error
      { name: "host", role: "host", version: "3.4", provider: new k8s.Provider("host", { kubeconfig: kubeconfig("host.yaml") }), kubeconfig: kubeconfig("host.yaml") },
      { name: "member-1", role: "member", version: "3.4", kubeconfig: kubeconfig("member-1.yaml") },
    ],
    jwtSecret: pulumi.secret(SECRET),
  }));
  t.true(pulumi.RunError.isInstance(run.error));
  t.is(
    run.error!.message,
    "KubeSphereFleet 'fleet' has 1 problem(s); nothing was declared.\n" +
      "- Stack 'prod', KubeSphereFleet 'fleet', clusters[0] (host): clusters[0] has both provider and kubeconfig. Fix: give exactly one: provider (a k8s.Provider for the cluster) or kubeconfig (its kubeconfig text, e.g. an Output of the cluster resource).",
  );
  t.deepEqual(declaredKinds(run.resources), ["pulumi:providers:kubernetes"], "only the caller's own provider");
});

test.serial("a cluster with neither provider nor kubeconfig, and a bad version, are both reported", async (t) => {
  const run = await declare(() => ({
    clusters: [
      // A type error too (npm run typecheck fails without this line): one of provider or kubeconfig is required.
      // @ts-expect-error
      { name: "host", role: "host", version: "3.4" },
      { name: "member-1", role: "member", version: "3.5" as "3.4", kubeconfig: kubeconfig("member-1.yaml") },
    ],
    jwtSecret: SECRET,
  }));
  t.regex(run.error!.message, /clusters\[0\] \(host\): clusters\[0\] has neither provider nor kubeconfig\. Fix: give exactly one/);
  t.regex(run.error!.message, /clusters\[1\] \(member-1\): clusters\[1\]\.version is a string of 3 characters, not a KubeSphere version this program knows\. Fix: use one of 3\.0/);
  t.deepEqual(declaredKinds(run.resources), []);
});

test.serial("a kubeconfig without the context asked for is refused, naming the contexts it has", async (t) => {
  const run = await declare(() => ({
    clusters: [{ name: "host", role: "host", version: "3.4", kubeconfig: kubeconfig("host.yaml"), context: "nope" }],
    jwtSecret: SECRET,
  }));
  t.regex(run.error!.message, /clusters\[0\]\.context has no context 'nope'\. Fix: set kubeconfig\.context to one of: host-admin\./);
});

test.serial("a weak jwtSecret given as a secret Output is refused by fingerprint, never shown", async (t) => {
  const run = await declare(() => ({ clusters: [{ name: "host", role: "host", version: "3.4", kubeconfig: kubeconfig("host.yaml") }], jwtSecret: pulumi.secret("changeme") }));
  t.regex(run.error!.message, /KubeSphereFleet 'fleet': jwtSecret \(sha256:[0-9a-f]{12}\) is a placeholder\./);
  t.false(run.error!.message.includes("changeme"));
  t.deepEqual(declaredKinds(run.resources), []);
});

test("the package entry exports the component, with typings, as package.json says", (t) => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { main: string; types: string; exports: { ".": { types: string; default: string } } };
  t.is(pkg.exports["."].default, `./${pkg.main}`);
  t.is(pkg.exports["."].types, `./${pkg.types}`);
  const entry = join(PROJECT_ROOT, pkg.main);
  if (!existsSync(entry)) return t.fail(`${pkg.main} is missing: run npm run build`);
  t.is(typeof (require(entry) as { KubeSphereFleet?: unknown }).KubeSphereFleet, "function");
  const typings = readFileSync(join(PROJECT_ROOT, pkg.types), "utf8");
  t.regex(typings, /export \{ KubeSphereFleet,/);
  const declaration = readFileSync(join(PROJECT_ROOT, "lib", "component", "kubeSphereFleet.d.ts"), "utf8");
  t.regex(declaration, /declared\(\): Promise<FleetOutputs>;/, "a test of one's own program awaits the declaration");
  const args = readFileSync(join(PROJECT_ROOT, "lib", "component", "kubeSphereFleetArgs.d.ts"), "utf8");
  t.false(args.includes("adoptUnparented"), "@internal members stay out of the published typings");
  t.regex(args, /readonly jwtSecret\?: pulumi\.Input<string>;/);
});

test.serial("a resource that is not a Kubernetes provider, given as provider, is refused naming the key (not 'getPackage is not a function')", async (t) => {
  const run = await declare(() => ({
    clusters: [{ name: "host", role: "host", version: "3.4", provider: new k8s.core.v1.ConfigMap("not-a-provider", {}) as unknown as k8s.Provider }],
    jwtSecret: SECRET,
  }));
  t.is(
    run.error!.message,
    "KubeSphereFleet 'fleet' has 1 problem(s); nothing was declared.\n" +
      "- Stack 'prod', KubeSphereFleet 'fleet', clusters[0] (host): clusters[0].provider is not a Kubernetes provider. Fix: pass the cluster's k8s.Provider (new k8s.Provider(...), or the one your cluster resource gives), or kubeconfig instead.",
  );
});

test.serial("undefined or null args get the component's message naming clusters, not a TypeError", async (t) => {
  for (const args of [undefined, null]) {
    const run = await declare(() => args as unknown as KubeSphereFleetArgs);
    t.true(pulumi.RunError.isInstance(run.error), String(args));
    t.is(
      run.error!.message,
      "KubeSphereFleet 'fleet' has 1 problem(s); nothing was declared.\n" +
        "- Stack 'prod', KubeSphereFleet 'fleet': clusters is not set. Fix: give clusters: an array with one { name, role, version, provider or kubeconfig } per cluster.",
    );
  }
});

test.serial("clusters not known during preview declare nothing and say the fleet is planned at up; no stack-file fix", async (t) => {
  const run = await declare(() => ({ clusters: pulumi.output(pulumi.unknown) as unknown as KubeSphereFleetArgs["clusters"], jwtSecret: SECRET }), true);
  t.is(run.error, undefined);
  t.deepEqual(declaredKinds(run.resources), []);
  const fleet = await declare(() => ({ clusters: [], jwtSecret: SECRET }));
  t.notRegex(fleet.error!.message, /stacks\/Pulumi|YAML/, "a component's fix is about its args");
});
