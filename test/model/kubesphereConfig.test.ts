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

test("a duplicated key is a problem that names the line and column but not the content", (t) => {
  const text = fixtureKubesphereYaml("v3.4/kubesphere-config.member.yaml").replace(
    "    accessTokenMaxAge: 0\n",
    "    accessTokenMaxAge: 0\n    accessTokenMaxAge: 0\n",
  );
  const settings = readKubesphereConfig(text, SOURCE);
  t.is(settings.problems.length, 1);
  t.regex(settings.problems[0]!.message, /kubesphere\.yaml line 11, column 5 does not parse: .*unique/);
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
  for (const file of ["v3.4/kubesphere-config.host.yaml", "v3.4/kubesphere-config.member.yaml", "v4.1/kubesphere-config.host.yaml", "v4.1/kubesphere-config.member.yaml"]) {
    const text = fixtureKubesphereYaml(file);
    t.deepEqual(parseKubesphereYaml(text, SOURCE).data, parseDocument(text).toJS(), file);
  }
  const quirks = "multipleLogin: True\nempty:\nn: 0\nd: 10m0s\nq: '*'\nlist:\n- a\n";
  t.deepEqual(parseKubesphereYaml(quirks, SOURCE).data, parseDocument(quirks).toJS());
});
