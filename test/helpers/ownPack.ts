/**
 * A policy pack of an organisation's own ("acme") that lists the fleet's policies from `kubesphere-fleet/policies`
 * beside a policy of its own, as docs/policy-pack.md shows; and what it must answer over gRPC. Used from this repository
 * (test/engine) and from the installed tarball (test/package).
 */
import type { ExecutionContext } from "ava";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PolicyPackSession } from "../../src/engine";
import { sha256Hex } from "../../src/model/secretFacts";
import { allRules } from "../../src/rules";
import { REPO } from "./checkCli";
import { FIXTURE_JWT_SECRET } from "./fixtures";
import { wireResources } from "./wireStack";
import type { ResourceSpec } from "./args";
import { configMapResource } from "../policies/stackFixtures";

/**
 * A temp project in which `kubesphere-fleet` resolves to this repository (its build) and `@pulumi/*` to its
 * dependencies, as an install places them, without packing; `dispose` removes it.
 */
export function linkedProject(prefix: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "kubesphere-fleet"), "dir");
  symlinkSync(join(REPO, "node_modules", "@pulumi"), join(dir, "node_modules", "@pulumi"), "dir");
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export const SHARED = "kubesphere-fleet-configure-shared-jwt-secret";
export const UNDECIDED = "kubesphere-fleet-warn-undecided-during-preview";
const fingerprint = (secret: string) => `sha256:${sha256Hex(secret).slice(0, 12)}`;
/** A fingerprint that is not the fixtures' jwtSecret's. */
export const OTHER_FINGERPRINT = fingerprint("anotherJwtSecretBBBBBBBBBBBBBBBBBB");
const ACME_POLICY = "acme-disallow-default-namespace";

/** Writes the acme pack into `packDir` (created); `kubesphere-fleet` and `@pulumi/policy` must resolve from there. */
export function writeAcmePack(packDir: string): string {
  mkdirSync(packDir, { recursive: true });
  writeFileSync(join(packDir, "PulumiPolicy.yaml"), "runtime: nodejs\ndescription: Acme's policies and the KubeSphere fleet's.\n");
  writeFileSync(join(packDir, "package.json"), `${JSON.stringify({ name: "acme-policies", version: "1.0.0", main: "index.js" })}\n`);
  writeFileSync(
    join(packDir, "index.js"),
    `const { PolicyPack } = require("@pulumi/policy");
const { kubesphereFleetPolicies } = require("kubesphere-fleet/policies");

const acmeNoDefaultNamespace = {
  name: ${JSON.stringify(ACME_POLICY)},
  description: "Checks whether a resource is in the default namespace.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.props.metadata && args.props.metadata.namespace === "default") reportViolation("Resources should not go to the default namespace.");
  },
};

new PolicyPack("acme", {
  policies: [acmeNoDefaultNamespace, ...kubesphereFleetPolicies({ enforcementLevel: "advisory", config: { expectedJwtSecretFingerprint: ${JSON.stringify(OTHER_FINGERPRINT)} } })],
});
`,
  );
  return packDir;
}

/** Analyze over each resource, then AnalyzeStack, as the engine does; every diagnostic. */
export async function analyzeStack(pack: PolicyPackSession, specs: readonly ResourceSpec[] = [configMapResource("host", "v3.4/kubesphere-config.host.yaml")]) {
  const resources = wireResources(specs);
  const diagnostics = [];
  for (const resource of resources) diagnostics.push(...(await pack.analyze(resource)).diagnostics);
  diagnostics.push(...(await pack.analyzeStack(resources)).diagnostics);
  return diagnostics;
}

/**
 * The acme pack, started: the fleet's policies at the level it gave, its setting as their default (with no config
 * from the engine, and with the engine's), a `--policy-pack-config` entry overriding it, its own policy beside them.
 */
export async function assertAcmePack(t: ExecutionContext, pack: PolicyPackSession): Promise<void> {
  const info = await pack.getAnalyzerInfo();
  t.is(info.name, "acme");
  t.deepEqual(info.policies.map((p) => p.name), [ACME_POLICY, ...allRules().map((r) => r.id), UNDECIDED]);
  t.true(info.policies.filter((p) => p.name !== ACME_POLICY).every((p) => p.enforcementLevel === "advisory"));
  t.is((info.policies.find((p) => p.name === SHARED)!.configSchema!.properties["expectedJwtSecretFingerprint"] as { default?: unknown }).default, OTHER_FINGERPRINT);

  const expected = [[SHARED, "advisory"]];
  t.deepEqual((await analyzeStack(pack)).map((d) => [d.policyName, d.enforcementLevel]), expected);
  await pack.configure();
  const configured = await analyzeStack(pack);
  t.deepEqual(configured.map((d) => [d.policyName, d.enforcementLevel]), expected);
  t.regex(configured[0]!.message, new RegExp(`the fleet's expected jwtSecret \\(policy config\\) is ${OTHER_FINGERPRINT}`));

  await pack.configure({ [SHARED]: { expectedJwtSecretFingerprint: fingerprint(FIXTURE_JWT_SECRET) } });
  t.deepEqual(await analyzeStack(pack), []);
  const inDefault = configMapResource("host", "v3.4/kubesphere-config.host.yaml");
  const moved = { ...inDefault, props: { ...inDefault.props, metadata: { name: "kubesphere-config", namespace: "default" } } };
  t.deepEqual((await analyzeStack(pack, [moved])).map((d) => d.policyName), [ACME_POLICY]);
}
