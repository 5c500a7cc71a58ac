import test from "ava";
import { parse } from "yaml";
import { editKubesphereYaml, ZERO_ACCESS_TOKEN_MAX_AGE } from "../../src/model/editKubesphereYaml";
import { readKubesphereConfig } from "../../src/model/kubesphereConfig";
import { secretFacts } from "../../src/model/secretFacts";
import { KubeSphereLayout } from "../../src/model/fleet";
import { FIXTURE_SECRET, fixtureKubesphereYaml, lineDiff } from "../helpers/mocksFleet";

const NEW_SECRET = "rotatedJwtSecretBBBBBBBBBBBBBBBBBBBB";
const FIXTURES = ["v3.4/kubesphere-config.host.yaml", "v3.4/kubesphere-config.member.yaml", "v4.1/kubesphere-config.host.yaml", "v4.1/kubesphere-config.member.yaml"];

function edited(text: string, change: Parameters<typeof editKubesphereYaml>[1]): { text: string; changedKeys: readonly string[] } {
  const result = editKubesphereYaml(text, change);
  if (!result.ok) throw new Error(result.problem.message);
  return result;
}

for (const fixture of FIXTURES) {
  const v4 = fixture.startsWith("v4");
  const indent = v4 ? "    " : "  ";

  test(`${fixture}: a new secret and a member's zero max age change only those lines; every other line stays byte for byte`, (t) => {
    const before = fixtureKubesphereYaml(fixture);
    const after = edited(before, { jwtSecret: NEW_SECRET, zeroAccessTokenMaxAge: true }).text;
    const { removed, added } = lineDiff(before, after);
    const memberAlready = fixture.includes("member");
    const hostV3 = fixture === "v3.4/kubesphere-config.host.yaml";
    t.deepEqual(removed, [`${indent}jwtSecret: "${FIXTURE_SECRET}"`, ...(memberAlready || hostV3 ? [] : [`${indent}accessTokenMaxAge: 2h`])]);
    const maxAgeLine = v4 ? `${indent}accessTokenMaxAge: 0s` : `    accessTokenMaxAge: 0`;
    t.deepEqual(added, [`${indent}jwtSecret: "${NEW_SECRET}"`, ...(memberAlready ? [] : [maxAgeLine])]);
  });

  test(`${fixture}: the edited text reads back with the new secret, a zero max age and every other key equal`, (t) => {
    const before = fixtureKubesphereYaml(fixture);
    const after = edited(before, { jwtSecret: NEW_SECRET, zeroAccessTokenMaxAge: true }).text;
    const settings = readKubesphereConfig(after, fixture);
    t.like(settings.jwtSecret, { state: "known", value: { digest: secretFacts(NEW_SECRET).digest } });
    t.like(settings.accessTokenMaxAge, { state: "known", value: 0 });
    const strip = (data: any) => {
      const auth = v4 ? data.authentication.issuer : data.authentication;
      delete auth.jwtSecret;
      delete (v4 ? auth : auth.oauthOptions).accessTokenMaxAge;
      return data;
    };
    t.deepEqual(strip(parse(after)), strip(parse(before)));
  });

  test(`${fixture}: setting what is already there returns the text unchanged`, (t) => {
    const before = fixtureKubesphereYaml(fixture);
    const result = edited(before, { jwtSecret: FIXTURE_SECRET, zeroAccessTokenMaxAge: fixture.includes("member") });
    t.is(result.text, before);
    t.deepEqual(result.changedKeys, []);
  });
}

test("the 3.x host's capitalised True, the blank lines before terminal and the quoted '*' survive an edit", (t) => {
  const after = edited(fixtureKubesphereYaml("v3.4/kubesphere-config.host.yaml"), { jwtSecret: NEW_SECRET }).text;
  t.regex(after, /\n {2}multipleLogin: True\n/);
  t.regex(after, /\n {4}default: True\n/);
  t.regex(after, /:19093\n\n\nterminal:\n/);
  t.regex(after, /\n {6}- '\*'\n/);
});

test("the 4.x comment inside kubeconfig survives an edit", (t) => {
  const after = edited(fixtureKubesphereYaml("v4.1/kubesphere-config.member.yaml"), { jwtSecret: NEW_SECRET }).text;
  t.regex(after, /\n {2}# service-account-token client-certificate oidc-token webhook-token\n {2}authMode: client-certificate\n/);
});

test("a 3.x member gets the integer 0 and a 4.x member the string 0s", (t) => {
  t.deepEqual(ZERO_ACCESS_TOKEN_MAX_AGE, { v3: "0", v4: "0s" });
  const v3 = parse(edited("authentication:\n  jwtSecret: x\n  oauthOptions:\n    accessTokenMaxAge: 2h\n", { zeroAccessTokenMaxAge: true }).text);
  t.is(v3.authentication.oauthOptions.accessTokenMaxAge, 0);
  const v4 = parse(edited(fixtureKubesphereYaml("v4.1/kubesphere-config.host.yaml"), { zeroAccessTokenMaxAge: true }).text);
  t.is(v4.authentication.issuer.accessTokenMaxAge, "0s");
});

test("a replaced secret keeps the scalar's quoting style: single, plain, and double when plain cannot carry it", (t) => {
  t.is(edited("authentication:\n  jwtSecret: 'old'\n", { jwtSecret: "it's" }).text, "authentication:\n  jwtSecret: 'it''s'\n");
  t.is(edited("authentication:\n  jwtSecret: old # keep me\n", { jwtSecret: NEW_SECRET }).text, `authentication:\n  jwtSecret: ${NEW_SECRET} # keep me\n`);
  t.is(edited("authentication:\n  jwtSecret: old\n", { jwtSecret: "true" }).text, 'authentication:\n  jwtSecret: "true"\n');
  t.is(edited("authentication:\n  jwtSecret:\n  multipleLogin: True\n", { jwtSecret: "abc" }).text, "authentication:\n  jwtSecret: abc\n  multipleLogin: True\n");
});

test("missing keys are added as the first keys of their nearest parent, with its indentation", (t) => {
  const text = "# head\nauthentication:\n    maximumClockSkew: 10s\nmulticluster:\n    clusterRole: member\n";
  t.is(
    edited(text, { jwtSecret: NEW_SECRET, zeroAccessTokenMaxAge: true }).text,
    `# head\nauthentication:\n    oauthOptions:\n      accessTokenMaxAge: 0\n    jwtSecret: "${NEW_SECRET}"\n    maximumClockSkew: 10s\nmulticluster:\n    clusterRole: member\n`,
  );
  t.is(edited("network:\n  ippoolType: none\n", { jwtSecret: NEW_SECRET }).text, `authentication:\n  jwtSecret: "${NEW_SECRET}"\nnetwork:\n  ippoolType: none\n`);
});

test("text that does not parse gives a problem with its line and never the text", (t) => {
  const result = editKubesphereYaml(`authentication:\n  jwtSecret: "${FIXTURE_SECRET}"\n  oauthOptions: [\n`, { jwtSecret: NEW_SECRET }, "ConfigMap kubesphere-system/kubesphere-config");
  if (result.ok) return t.fail("expected a problem");
  t.is(result.problem.source, "ConfigMap kubesphere-system/kubesphere-config");
  t.regex(result.problem.message, /line \d+, column \d+ does not parse/);
  t.false(JSON.stringify(result.problem).includes(FIXTURE_SECRET));
});

test("a flow mapping on the way to the key is reported rather than rewritten", (t) => {
  const result = editKubesphereYaml("authentication: {jwtSecret: old}\n", { jwtSecret: NEW_SECRET });
  t.false(result.ok);
  if (!result.ok) t.regex(result.problem.message, /authentication is not a block mapping/);
});

test("a flow mapping that already holds the value needs no edit, so nothing is refused", (t) => {
  const text = `authentication: {jwtSecret: ${NEW_SECRET}}\n`;
  const result = editKubesphereYaml(text, { jwtSecret: NEW_SECRET });
  t.deepEqual(result, { ok: true, text, layout: KubeSphereLayout.v3, changedKeys: [] });
});

test("the joined 3.4 form ks-controller-manager re-marshals (plain secret, Go durations, 0s) is edited in place too", (t) => {
  const text = fixtureKubesphereYaml("v3.4/kubesphere-config.member-joined.yaml").replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h0m0s");
  const after = edited(text, { jwtSecret: NEW_SECRET, zeroAccessTokenMaxAge: true }).text;
  t.deepEqual(lineDiff(text, after), {
    removed: [`  jwtSecret: ${FIXTURE_SECRET}`, "    accessTokenMaxAge: 2h0m0s"],
    added: [`  jwtSecret: ${NEW_SECRET}`, "    accessTokenMaxAge: 0"],
  });
});

test("a 3.x key written twice: the last occurrence, the one ks-apiserver 3.x reads, is edited and the earlier one stays", (t) => {
  const ldap = fixtureKubesphereYaml("v3.4/kubesphere-config.member-ldap.yaml");
  const unchanged = editKubesphereYaml(ldap, { jwtSecret: FIXTURE_SECRET, zeroAccessTokenMaxAge: true });
  t.like(unchanged, { ok: true, text: ldap, changedKeys: [] }, "ks-installer's rendering already ends in 0");
  const lastIs2h = ldap.replace("    accessTokenMaxAge: 0\n", "    accessTokenMaxAge: 2h\n");
  const after = edited(lastIs2h, { jwtSecret: NEW_SECRET, zeroAccessTokenMaxAge: true });
  t.deepEqual(after.changedKeys, ["authentication.jwtSecret", "authentication.oauthOptions.accessTokenMaxAge"]);
  t.deepEqual(lineDiff(lastIs2h, after.text), {
    removed: [`  jwtSecret: "${FIXTURE_SECRET}"`, "    accessTokenMaxAge: 2h"],
    added: [`  jwtSecret: "${NEW_SECRET}"`, "    accessTokenMaxAge: 0"],
  });
  t.regex(after.text, /^ {4}accessTokenMaxAge: 1h$/m, "the first occurrence is kept as it was");
  t.like(readKubesphereConfig(after.text, "x").accessTokenMaxAge, { state: "known", value: 0 });
});

test("a 3.x section written twice: the edit goes into the last one", (t) => {
  const text = "authentication:\n  jwtSecret: first\nnetwork: {}\nauthentication:\n  jwtSecret: second\n";
  const after = edited(text, { jwtSecret: NEW_SECRET }).text;
  t.is(after, `authentication:\n  jwtSecret: first\nnetwork: {}\nauthentication:\n  jwtSecret: ${NEW_SECRET}\n`);
});

test("a 4.x key written twice is not edited: the problem names the line and the fix", (t) => {
  const result = editKubesphereYaml(fixtureKubesphereYaml("v4.1/kubesphere-config.member-repeated-key.yaml"), { jwtSecret: NEW_SECRET, zeroAccessTokenMaxAge: true });
  if (result.ok) return t.fail("expected a problem");
  t.regex(result.problem.message, /line 11, column 5 writes authentication\.issuer\.accessTokenMaxAge again \(first at line 10\).*keep one accessTokenMaxAge line/);
});

test("a numeric-looking secret in a plain scalar is quoted so that it stays a string", (t) => {
  const digits = "12345678901234567890123456789012";
  const after = edited("authentication:\n  jwtSecret: old\n", { jwtSecret: digits }).text;
  t.is(after, `authentication:\n  jwtSecret: "${digits}"\n`);
  t.is(parse(after).authentication.jwtSecret, digits);
});
