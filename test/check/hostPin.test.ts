/**
 * A shard's hostJwtSecretFingerprint reaches the policy pack as expectedJwtSecretFingerprint, as the same pin in
 * `pulumi preview --policy-pack-config` would; a policy config naming another secret is bad input.
 */
import test from "ava";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { sha256Hex } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { runCheckInProcess, scratchCopy } from "../helpers/checkCli";

const OTHER_SECRET = "anotherFleetsJwtSecretCCCCCCCCCCCCCC";

/**
 * The split example's members-eu stack, without its ESC environment (the pin alone), with eu-3 kept in configmap
 * mode while its ClusterConfiguration ks-installer still holds another secret (what ks-installer would render back).
 */
function pinnedShard(t: { teardown(f: () => void): void }): string {
  const copy = scratchCopy("examples/split-fleet");
  t.teardown(copy.dispose);
  const file = join(copy.dir, "stacks", "Pulumi.members-eu.yaml");
  const document = parseDocument(readFileSync(file, "utf8"));
  document.delete("environment");
  document.setIn(["config", "kubesphere-fleet:clusters", 1, "manage"], "configmap");
  writeFileSync(file, document.toString());
  const live = join(copy.dir, "stacks", "members-eu", "live", "eu-3", "cluster-configuration.yaml");
  writeFileSync(live, readFileSync(live, "utf8").replace(/jwtSecret: ""/, `jwtSecret: "${OTHER_SECRET}"`));
  return copy.dir;
}

test("the pin is the pack's expected fingerprint, and a policy config naming another secret is refused with exit 2", async (t) => {
  const dir = pinnedShard(t);
  const run = await runCheckInProcess(["--project-dir", dir, "--stack", "members-eu", "--json"]);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { violations: { policy: string; enforcementLevel: string; cluster?: string; message: string }[] };
  const shared = report.violations.filter((v) => v.policy === "kubesphere-fleet-configure-shared-jwt-secret" && v.enforcementLevel === "mandatory");
  t.deepEqual(shared.map((v) => v.cluster), ["eu-3"]);
  t.regex(shared[0]!.message, /\nCluster 'eu-3' jwtSecret \(ClusterConfiguration kubesphere-system\/ks-installer: spec\.authentication\.jwtSecret\) is sha256:[0-9a-f]{12}; the fleet's expected jwtSecret \(policy config\) is sha256:890eaf2b1028\./);

  const config = join(dir, "policy-config.json");
  writeFileSync(config, JSON.stringify({ "kubesphere-fleet-configure-shared-jwt-secret": { expectedJwtSecretFingerprint: sha256Hex(OTHER_SECRET) } }));
  const conflict = await runCheckInProcess(["--project-dir", dir, "--stack", "members-eu", "--policy-pack-config", config]);
  t.is(conflict.code, 2, conflict.stdout);
  t.regex(
    conflict.stderr,
    /^error: Stack 'members-eu': kubesphere-fleet:hostJwtSecretFingerprint \(sha256:890eaf2b1028\) and --policy-pack-config kubesphere-fleet-configure-shared-jwt-secret\.expectedJwtSecretFingerprint name different secrets\. Fix: /m,
  );
  for (const r of [run, conflict]) for (const secret of [FIXTURE_JWT_SECRET, OTHER_SECRET]) t.false(r.stdout.includes(secret) || r.stderr.includes(secret));
});
