/**
 * End to end over gRPC: ks-core installed with every supported chart version, as a Helm Release and as a Helm v4
 * Chart, each carrying that version's own values.yaml (secret-wrapped, as the engine sends Helm values) with the role
 * at the key the chart reads. Run `npm run build` first.
 */
import test from "ava";
import type { PolicyDiagnostic as Diagnostic } from "../../src/engine";
import { sha256Hex } from "../../src/model/secretFacts";
import { kubernetesProvider, urnOf, type ResourceSpec } from "../helpers/args";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { packUnderTest } from "../helpers/packSession";
import { KS_CORE_HELM_TYPES, ksCoreChartValues, ksCoreChartVersions, ksCoreRelease } from "../policies/stackFixtures";

const OTHER_SECRET = "anotherJwtSecretBBBBBBBBBBBBBBBBBB";
const SHARED = "kubesphere-fleet-configure-shared-jwt-secret";
const SINGLE_HOST = "kubesphere-fleet-disallow-multiple-hosts";

const { pack, analyzeStack, seen } = packUnderTest(test);

/** One cluster per role, each with its provider and a ks-core install of `version` by `type`. */
function fleet(version: string, type: (typeof KS_CORE_HELM_TYPES)[number], pinned: boolean, clusters: [name: string, role: string, secret: string][]): ResourceSpec[] {
  return [
    ...clusters.map(([name]) => kubernetesProvider(name)),
    ...clusters.map(([name, role, secret]) => ksCoreRelease(name, ksCoreChartValues(version, role, secret), "ks-core", { type, ...(pinned ? { version } : {}) })),
  ];
}

const mandatory = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => [d.policyName, d.urn]);

for (const version of ksCoreChartVersions()) {
  for (const type of KS_CORE_HELM_TYPES) {
    for (const pinned of [true, false]) {
      const title = `ks-core chart ${version} (${type.split(":")[1]}:${type.split(":")[2]}, ${pinned ? "version pinned" : "version not pinned"})`;

      test.serial(`${title}: a host and two members on another secret: the members are named, not the host`, async (t) => {
        const diagnostics = await analyzeStack(
          fleet(version, type, pinned, [
            ["host", "host", FIXTURE_JWT_SECRET],
            ["member-1", "member", OTHER_SECRET],
            ["member-2", "member", OTHER_SECRET],
          ]),
        );
        t.deepEqual(mandatory(diagnostics), [
          [SHARED, urnOf(type, "member-1-ks-core")],
          [SHARED, urnOf(type, "member-2-ks-core")],
        ]);
        for (const d of diagnostics) {
          t.regex(d.message, /^Cluster 'member-\d' jwtSecret .*; host 'host' .* is sha256:/m);
          t.true(d.message.includes(`sha256:${sha256Hex(FIXTURE_JWT_SECRET).slice(0, 12)}`));
        }
      });

      test.serial(`${title}: two hosts are blocked`, async (t) => {
        const diagnostics = await analyzeStack(
          fleet(version, type, pinned, [
            ["east", "host", FIXTURE_JWT_SECRET],
            ["west", "host", FIXTURE_JWT_SECRET],
            ["member-1", "member", FIXTURE_JWT_SECRET],
          ]),
        );
        t.deepEqual(mandatory(diagnostics).map(([policy]) => policy), [SINGLE_HOST]);
        t.regex(diagnostics[0]!.message, /east.*west|west.*east/);
      });

      test.serial(`${title}: one host and members on its secret pass every policy`, async (t) => {
        const diagnostics = await analyzeStack(
          fleet(version, type, pinned, [
            ["host", "host", FIXTURE_JWT_SECRET],
            ["member-1", "member", FIXTURE_JWT_SECRET],
          ]),
        );
        t.deepEqual(diagnostics, []);
      });
    }
  }
}

test.serial("a pinned chart whose values set the other version's role key is blocked, naming the key to set", async (t) => {
  const [old, current] = [ksCoreChartValues("1.1.2", "member", FIXTURE_JWT_SECRET), ksCoreChartValues("1.1.4", "member", FIXTURE_JWT_SECRET)];
  const diagnostics = await analyzeStack([
    kubernetesProvider("host"),
    kubernetesProvider("member-1"),
    kubernetesProvider("member-2"),
    ksCoreRelease("host", ksCoreChartValues("1.1.4", "host", FIXTURE_JWT_SECRET), "ks-core", { version: "1.1.4" }),
    ksCoreRelease("member-1", current, "ks-core", { version: "1.1.2" }),
    ksCoreRelease("member-2", old, "ks-core", { version: "1.1.4" }),
  ]);
  const broken = diagnostics.filter((d) => d.enforcementLevel === "mandatory");
  t.deepEqual(broken.map((d) => d.urn).sort(), [urnOf("kubernetes:helm.sh/v3:Release", "member-1-ks-core"), urnOf("kubernetes:helm.sh/v3:Release", "member-2-ks-core")]);
  t.true(broken.some((d) => /multicluster\.role is not read by ks-core chart 1\.1\.2.*set role instead/.test(d.message)));
  t.true(broken.some((d) => /role is not read by ks-core chart 1\.1\.4.*set multicluster\.role instead/.test(d.message)));
});

test.serial("no diagnostic or stderr line contains a secret", (t) => {
  t.true(seen.length > 20);
  for (const text of [...seen, pack().stderr()]) {
    t.false(text.includes(FIXTURE_JWT_SECRET));
    t.false(text.includes(OTHER_SECRET));
  }
});
