/**
 * `kubesphere-fleet/policies` as a library (issue 24): a pack of one's own that lists the fleet's policies, started
 * as the engine starts a pack and driven over gRPC. The pack lives in a temp folder whose node_modules links this
 * repository as `kubesphere-fleet` (as an install would place it) and its @pulumi packages; run `npm run build` first.
 */
import test from "ava";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { kubesphereFleetPolicies } from "../../policies/fleetPolicies";
import { startPolicyPack } from "../../src/engine";
import { allRules } from "../../src/rules";
import { REPO, timeScale } from "../helpers/checkCli";
import { assertAcmePack, linkedProject, OTHER_FINGERPRINT, SHARED, writeAcmePack } from "../helpers/ownPack";

test("a pack of one's own with kubesphereFleetPolicies: its settings as defaults, its level, beside its own policy", async (t) => {
  if (!existsSync(join(REPO, "policies", "bin", "policies", "fleetPolicies.js"))) return t.fail("policies/bin is missing: run `npm run build` first.");
  const project = linkedProject("ksf-own-pack-");
  t.teardown(() => project.dispose());
  const pack = await startPolicyPack(writeAcmePack(join(project.dir, "acme-pack")), { startTimeoutMs: Math.round(60_000 * timeScale()) });
  t.teardown(() => pack.close());
  await assertAcmePack(t, pack);
});

test("kubesphereFleetPolicies gives every policy, at the level asked, with its settings as schema defaults where it takes them", (t) => {
  const policies = kubesphereFleetPolicies({ enforcementLevel: "disabled", config: { expectedJwtSecretFingerprint: OTHER_FINGERPRINT, configMap: "acme-config" } });
  t.deepEqual(policies.map((p) => p.name), [...allRules().map((r) => r.id), "kubesphere-fleet-warn-undecided-during-preview"]);
  t.true(policies.every((p) => p.enforcementLevel === "disabled"));
  for (const policy of policies) {
    const properties = policy.configSchema!.properties as Record<string, { default?: unknown }>;
    t.is(properties["configMap"]!.default, "acme-config", policy.name);
    t.is(properties["expectedJwtSecretFingerprint"]?.default, "expectedJwtSecretFingerprint" in properties ? OTHER_FINGERPRINT : undefined, policy.name);
  }
  t.is(kubesphereFleetPolicies().find((p) => p.name === SHARED)!.enforcementLevel, "mandatory", "without args, each policy's own level");
});

test("kubesphereFleetPolicies refuses a setting its schema refuses, or one no policy takes, naming it and not quoting it", (t) => {
  const short = t.throws(() => kubesphereFleetPolicies({ config: { expectedJwtSecretFingerprint: "sha256:1a2b" } }), {
    message: /config\.expectedJwtSecretFingerprint must match pattern .* \(policy 'kubesphere-fleet-configure-shared-jwt-secret'\)\. Fix: SHA-256 fingerprint/,
  });
  t.false(short!.message.includes("1a2b"));
  t.throws(() => kubesphereFleetPolicies({ config: { certificateExpiryWindowDays: -1 } }), { message: /config\.certificateExpiryWindowDays must be >= 0/ });
  t.throws(() => kubesphereFleetPolicies({ config: { jwtSecret: "x" } as never }), { message: /no fleet policy takes config\.jwtSecret\. Fix: use namespace, configMap/ });
});
