import test from "ava";
import { parseDocument } from "yaml";
import { parseKubesphereYaml, readKubesphereConfig } from "../../src/model/kubesphereConfig";
import { sha256Hex } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET, VERSIONS, fixtureKubesphereYaml } from "../helpers/fixtures";

const SOURCE = "ConfigMap kubesphere-system/kubesphere-config";

for (const version of VERSIONS) {
  test(`reads the ${version} host config: role host, the fixture secret, a non-zero max age`, (t) => {
    const settings = readKubesphereConfig(fixtureKubesphereYaml(`${version}/kubesphere-config.host.yaml`), SOURCE);
    t.is(settings.layout, version === "v3.4" ? "v3" : "v4");
    t.like(settings.role, { state: "known", value: "host" });
    t.like(settings.jwtSecret, { state: "known", value: { digest: sha256Hex(FIXTURE_JWT_SECRET), length: 32 } });
    if (version === "v3.4") t.is(settings.accessTokenMaxAge.state, "absent");
    else t.like(settings.accessTokenMaxAge, { state: "known", value: 7200 });
    t.like(settings.maximumClockSkew, { state: "known", value: 10 });
    t.deepEqual(settings.problems, []);
  });

  test(`reads the ${version} member config: role member and accessTokenMaxAge 0`, (t) => {
    const settings = readKubesphereConfig(fixtureKubesphereYaml(`${version}/kubesphere-config.member.yaml`), SOURCE);
    t.like(settings.role, { state: "known", value: "member" });
    t.like(settings.accessTokenMaxAge, { state: "known", value: 0 });
    t.regex(settings.accessTokenMaxAge.source, version === "v3.4" ? /authentication\.oauthOptions\.accessTokenMaxAge$/ : /authentication\.issuer\.accessTokenMaxAge$/);
  });
}

test("never keeps the plaintext secret in the parsed settings", (t) => {
  const settings = readKubesphereConfig(fixtureKubesphereYaml("v3.4/kubesphere-config.host.yaml"), SOURCE);
  t.false(JSON.stringify(settings).includes(FIXTURE_JWT_SECRET));
});

test("a 3.2 host without clusterRole is a host because multicluster.enable is true", (t) => {
  const settings = readKubesphereConfig("authentication:\n  jwtSecret: abc\nmulticluster:\n  enable: true\n", SOURCE);
  t.like(settings.role, { state: "known", value: "host" });
});

test("a 3.0 member with no multicluster section has no role", (t) => {
  const settings = readKubesphereConfig("authentication:\n  jwtSecret: abc\n  oauthOptions:\n    accessTokenMaxAge: 0\n", SOURCE);
  t.is(settings.role.state, "absent");
});

test("a 3.x key written twice is read as ks-apiserver 3.x reads it: the last one counts (ks-installer 3.4's LDAP member)", (t) => {
  const settings = readKubesphereConfig(fixtureKubesphereYaml("v3.4/kubesphere-config.member-ldap.yaml"), SOURCE);
  t.deepEqual(settings.problems, []);
  t.like(settings.accessTokenMaxAge, { state: "known", value: 0 });
  t.deepEqual(settings.repeatedKeys, [{ path: "authentication.oauthOptions.accessTokenMaxAge", lines: [11, 23], column: 5 }]);
});

test("the last occurrence wins whichever value it holds, and a repeated section replaces the earlier one whole", (t) => {
  const last = readKubesphereConfig("authentication:\n  oauthOptions:\n    accessTokenMaxAge: 0\n    accessTokenMaxAge: 2h\n", SOURCE);
  t.like(last.accessTokenMaxAge, { state: "known", value: 7200 });
  const sections = readKubesphereConfig("authentication:\n  jwtSecret: first\nauthentication:\n  oauthOptions:\n    accessTokenMaxAge: 0\n", SOURCE);
  t.is(sections.jwtSecret.state, "absent", "yaml.v2 decodes the second mapping into a fresh value: the first section's keys are gone");
  t.like(sections.accessTokenMaxAge, { state: "known", value: 0 });
  t.deepEqual(sections.repeatedKeys, [{ path: "authentication", lines: [1, 3], column: 1 }]);
});

test("a 4.x key written twice is refused, as ks-apiserver 4.x refuses it, naming both lines and the fix but not the content", (t) => {
  const settings = readKubesphereConfig(fixtureKubesphereYaml("v4.1/kubesphere-config.member-repeated-key.yaml"), SOURCE);
  t.is(settings.problems.length, 1);
  t.is(
    settings.problems[0]!.message,
    "kubesphere.yaml line 11, column 5 writes authentication.issuer.accessTokenMaxAge again (first at line 10); ks-apiserver 4.x (viper 1.18, yaml.v3) refuses a repeated key and does not start; keep one accessTokenMaxAge line in that mapping",
  );
  t.is(settings.accessTokenMaxAge.state, "absent");
  t.false(JSON.stringify(settings).includes(FIXTURE_JWT_SECRET));
});

test("the joined 3.4 form that ks-controller-manager re-marshals is read: Go durations and the host's added 0s", (t) => {
  const host = readKubesphereConfig(fixtureKubesphereYaml("v3.4/kubesphere-config.host-joined.yaml"), SOURCE);
  t.like(host.role, { state: "known", value: "host" });
  t.like(host.accessTokenMaxAge, { state: "known", value: 0 });
  t.like(host.maximumClockSkew, { state: "known", value: 10 });
  t.like(host.jwtSecret, { state: "known", value: { digest: sha256Hex(FIXTURE_JWT_SECRET) } });
  const member = readKubesphereConfig(fixtureKubesphereYaml("v3.4/kubesphere-config.member-joined.yaml"), SOURCE);
  t.like(member.role, { state: "known", value: "member" });
  t.like(member.accessTokenMaxAge, { state: "known", value: 0 });
  const edited = readKubesphereConfig(fixtureKubesphereYaml("v3.4/kubesphere-config.member-hand-edited.yaml"), SOURCE);
  t.like(edited.accessTokenMaxAge, { state: "known", value: 7200 });
  t.is(edited.repeatedKeys, undefined);
});

test("a broken line holding the secret is located without quoting it", (t) => {
  const text = fixtureKubesphereYaml("v3.4/kubesphere-config.host.yaml").replace(`jwtSecret: "${FIXTURE_JWT_SECRET}"`, `jwtSecret: "${FIXTURE_JWT_SECRET}`);
  const settings = readKubesphereConfig(text, SOURCE);
  t.is(settings.problems.length, 1);
  t.regex(settings.problems[0]!.where, /line \d+, column \d+/);
  t.false(JSON.stringify(settings).includes(FIXTURE_JWT_SECRET));
});

test("a max age that is not a Go duration is a problem at its key", (t) => {
  const settings = readKubesphereConfig("authentication:\n  oauthOptions:\n    accessTokenMaxAge: forever\n", SOURCE);
  t.is(settings.accessTokenMaxAge.state, "absent");
  t.regex(settings.problems[0]!.message, /authentication\.oauthOptions\.accessTokenMaxAge is not a Go duration/);
});

test("a Redis cache is recognised in the 3.3+ and the 3.0-3.2 forms", (t) => {
  t.like(readKubesphereConfig("cache:\n  type: redis\n", SOURCE).cache, { state: "known", value: "redis" });
  t.like(readKubesphereConfig("redis:\n  host: redis.kubesphere-system.svc\n", SOURCE).cache, { state: "known", value: "redis" });
  t.is(readKubesphereConfig("authentication: {}\n", SOURCE).cache.state, "absent");
});

test("an unknown ConfigMap body gives unknown settings, not absent ones", (t) => {
  const settings = readKubesphereConfig(undefined, SOURCE, "not known until the deployment runs");
  t.is(settings.jwtSecret.state, "unknown");
  t.is(settings.accessTokenMaxAge.state, "unknown");
});

test("the fast read gives the same data as the yaml Document API on every fixture layout", (t) => {
  const files = ["v3.4/kubesphere-config.host.yaml", "v3.4/kubesphere-config.member.yaml", "v3.4/kubesphere-config.host-joined.yaml", "v3.4/kubesphere-config.member-ldap.yaml", "v3.1/kubesphere-config.member-oauth-options.yaml", "v4.1/kubesphere-config.host.yaml", "v4.1/kubesphere-config.member.yaml"];
  for (const file of files) {
    const text = fixtureKubesphereYaml(file);
    t.deepEqual(parseKubesphereYaml(text, SOURCE).data, parseDocument(text, { uniqueKeys: false }).toJS(), file);
  }
  const quirks = "multipleLogin: True\nempty:\nn: 0\nd: 10m0s\nq: '*'\nlist:\n- a\n";
  t.deepEqual(parseKubesphereYaml(quirks, SOURCE).data, parseDocument(quirks).toJS());
});
