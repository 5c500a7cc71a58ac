import test from "ava";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES_DIR, FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { runCli, scratchCopy, type CliRun } from "../helpers/checkCli";

// The three kinds of real fleet of issue 15, through `npm run check --live` (the program under mocks, then the
// policy pack over the engine protocol), on configs rendered from ks-installer's own templates.

interface Report {
  readonly clusters: { name: string; changes: { setting: string; live: string; desired: string }[] }[];
  readonly violations: { policy: string; enforcementLevel: string; cluster?: string; message: string }[];
}

function report(run: CliRun): Report {
  return JSON.parse(run.stdout) as Report;
}

function noSecret(t: { false(v: boolean, m?: string): void }, run: CliRun): void {
  t.false(run.stdout.includes(FIXTURE_JWT_SECRET), "stdout holds the secret");
  t.false(run.stderr.includes(FIXTURE_JWT_SECRET), "stderr holds the secret");
  t.false(run.stdout.includes("fixtureLdapPassword"), "stdout holds the LDAP password");
}

/** The dev stack's snapshot with member-1's objects replaced by fixtures. */
function liveWith(member1: Record<string, string>): { dir: string; dispose(): void } {
  const live = scratchCopy("stacks/dev/live");
  for (const [file, fixture] of Object.entries(member1)) copyFileSync(join(FIXTURES_DIR, fixture), join(live.dir, "member-1", file));
  return live;
}

test("a working 3.4 member whose ks-installer rendered accessTokenMaxAge twice (1h, then 0) passes: the last value counts", async (t) => {
  const live = liveWith({ "cluster-configuration.yaml": "v3.4/cluster-configuration.member-ldap.yaml", "kubesphere-config.yaml": "v3.4/kubesphere-config.member-ldap.yaml" });
  t.teardown(live.dispose);
  const run = await runCli("check", ["--stack", "dev", "--live", live.dir, "--json"]);
  t.is(run.code, 0, run.stderr + run.stdout);
  const { clusters, violations } = report(run);
  t.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory"), []);
  t.deepEqual(clusters.find((c) => c.name === "member-1")!.changes, []);
  noSecret(t, run);
});

test("the same repeated key in a 4.x member's kubesphere.yaml stays refused, with its line and the fix", async (t) => {
  const live = scratchCopy("stacks/dev/live");
  t.teardown(live.dispose);
  const file = join(live.dir, "member-2", "kubesphere-config.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(/^( +)accessTokenMaxAge: (.*)\n/m, "$1accessTokenMaxAge: $2\n$1accessTokenMaxAge: 2h\n"));
  const run = await runCli("check", ["--stack", "dev", "--live", live.dir]);
  t.is(run.code, 2, run.stdout);
  t.regex(run.stderr, /member-2.*line \d+, column \d+ writes authentication\.issuer\.accessTokenMaxAge again \(first at line \d+\).*keep one accessTokenMaxAge line/s);
  noSecret(t, run);
});
