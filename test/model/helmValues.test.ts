import test from "ava";
import { createHash } from "node:crypto";
import { parse } from "yaml";
import { parseChartVersion, readKsCoreValues, type KsCoreChart } from "../../src/model/helmValues";
import { sha256Hex } from "../../src/model/secretFacts";
import { ksCoreChartVersion } from "../../src/pack/resourceTypes";
import { FIXTURE_JWT_SECRET, fixtureText } from "../helpers/fixtures";
import { ksCoreChartValues, ksCoreChartVersions } from "../policies/stackFixtures";

const SOURCE = "Helm release kubesphere-system/ks-core (ks-core) values";
const read = (values: unknown, chart?: KsCoreChart) => readKsCoreValues(values, SOURCE, chart);

test("every ks-core fixture is the upstream file its provenance names (same git blob)", (t) => {
  const entries = JSON.parse(fixtureText("ks-core/provenance.json")) as { file: string; repo: string; tag: string; path: string; blob: string }[];
  t.true(entries.length >= 10);
  for (const entry of entries) {
    const bytes = Buffer.from(fixtureText(`ks-core/${entry.file}`), "utf8");
    const blob = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
    t.is(blob, entry.blob, entry.file);
    t.is(entry.repo, "kubesphere/kubesphere");
    t.is((parse(fixtureText(`ks-core/${entry.file.split("/")[0]}/Chart.yaml`)) as { version: string }).version, entry.file.split("/")[0]);
  }
});

for (const version of ksCoreChartVersions()) {
  test(`chart ${version}: its default values leave the role to the live config and keep the 2h max age`, (t) => {
    const settings = read(parse(fixtureText(`ks-core/${version}/values.yaml`)), { version });
    t.deepEqual(settings.problems, []);
    t.is(settings.role.state, "absent");
    t.is(settings.jwtSecret.state, "absent");
    t.like(settings.accessTokenMaxAge, { state: "known", value: 7200 });
    t.like(settings.maximumClockSkew, { state: "known", value: 10 });
  });

  test(`chart ${version}: a member at the key its values.yaml declares is a member with max age 0 and the given secret`, (t) => {
    for (const chart of [{ version }, { unpinned: true } as const, { unknown: true } as const]) {
      const settings = read(ksCoreChartValues(version, "member", FIXTURE_JWT_SECRET), chart);
      t.deepEqual(settings.problems, [], JSON.stringify(chart));
      t.like(settings.role, { state: "known", value: "member" });
      t.like(settings.accessTokenMaxAge, { state: "known", value: 0 });
      t.true(settings.jwtSecret.state === "known" && settings.jwtSecret.value.digest === sha256Hex(FIXTURE_JWT_SECRET));
    }
    t.like(read(ksCoreChartValues(version, "host", FIXTURE_JWT_SECRET), { version }).role, { state: "known", value: "host" });
  });
}

test("charts 1.1.0–1.1.3 read the top-level role; multicluster.role there is a problem that names the key to set", (t) => {
  for (const version of ["1.1.0", "1.1.1", "1.1.2", "1.1.3", "v1.1.3"]) {
    t.like(read({ role: "member" }, { version }).role, { state: "known", value: "member", source: `${SOURCE}: role` });
    const wrong = read({ multicluster: { role: "member" } }, { version });
    t.is(wrong.role.state, "absent");
    t.like(wrong.accessTokenMaxAge, { state: "known", value: 7200 });
    t.is(wrong.problems.length, 1);
    t.regex(wrong.problems[0]!.message, new RegExp(`multicluster\\.role is not read by ks-core chart ${version.replace(".", "\\.")}.*Fix: set role instead`));
  }
});

test("charts 1.1.4 and later read multicluster.role; a top-level role there is a problem", (t) => {
  for (const version of ["1.1.4-rc.0", "1.1.4", "1.1.5", "1.2.0"]) {
    t.like(read({ multicluster: { role: "member" } }, { version }).role, { state: "known", value: "member", source: `${SOURCE}: multicluster.role` });
    const wrong = read({ role: "member", multicluster: { role: "" } }, { version });
    t.is(wrong.role.state, "absent");
    t.regex(wrong.problems[0]!.message, /^role is not read by ks-core chart .*Fix: set multicluster\.role instead/);
  }
});

test("an unpinned chart reads whichever role key the values set, and refuses two that disagree", (t) => {
  t.like(read({ role: "host" }).role, { state: "known", value: "host" });
  t.like(read({ multicluster: { role: "member" } }).role, { state: "known", value: "member" });
  t.like(read({ role: "member", multicluster: { role: "member" } }).role, { state: "known", value: "member" });
  const both = read({ role: "host", multicluster: { role: "member" } });
  t.is(both.role.state, "absent");
  t.regex(both.problems[0]!.message, /Fix: pin the chart version and set its key/);
});

test("a pre-4.x ks-core chart (0.1.x) is a problem, not read with 4.x keys", (t) => {
  const settings = read({ multicluster: { role: "member" } }, { version: "0.1.1" });
  t.is(settings.role.state, "absent");
  t.regex(settings.problems[0]!.message, /chart version 0\.1\.1 is not a KubeSphere 4\.x ks-core chart/);
});

test("chart versions: exact versions parse, ranges do not; a .tgz reference names its version", (t) => {
  t.deepEqual(parseChartVersion("1.1.2"), [1, 1, 2]);
  t.deepEqual(parseChartVersion("v1.1.4-rc.0"), [1, 1, 4]);
  t.is(parseChartVersion("~1.1.0"), undefined);
  t.is(parseChartVersion(">=1.1.4"), undefined);
  t.is(ksCoreChartVersion("https://charts.kubesphere.io/main/ks-core-1.1.2.tgz"), "1.1.2");
  t.is(ksCoreChartVersion("./ks-core"), undefined);
  t.is(ksCoreChartVersion("oci://registry/ks-core"), undefined);
});
