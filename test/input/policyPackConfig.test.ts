/**
 * `--policy-pack-config`, read as the Pulumi CLI reads it and validated against each policy's `configSchema`, the
 * schemas the pack itself declares (its policies imported, not the pack entry). Errors give the position, never the
 * file's text: a token in the file, or a secret file passed by mistake, is never printed.
 */
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allPolicies } from "../../policies/allPolicies";
import { InputError } from "../../src/cli/exitCodes";
import type { PolicyDescription } from "../../src/engine";
import { readPolicyPackConfig } from "../../src/input/policyPackConfig";
import { scanJson } from "../../src/input/jsonPosition";
import { docBlock } from "../helpers/docs";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.tokenThatMustNotLeak.c2lnbmF0dXJl";
const RENEW = "kubesphere-kubeconfig-renew-expiring-certificate";
const SHARED = "kubesphere-fleet-configure-shared-jwt-secret";

/** The policies as GetAnalyzerInfo describes them: name and config schema. */
const POLICIES: PolicyDescription[] = allPolicies().map(
  (p) => ({ name: p.name, configSchema: p.configSchema ? { properties: p.configSchema.properties, required: p.configSchema.required ?? [] } : undefined }) as unknown as PolicyDescription,
);

const dir = mkdtempSync(join(tmpdir(), "ksf-policy-config-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function configFile(text: string): string {
  const file = join(dir, `config-${n++}.json`);
  writeFileSync(file, text);
  return file;
}

function refused(t: import("ava").ExecutionContext, text: string, message: RegExp): string {
  const error = t.throws(() => readPolicyPackConfig(configFile(text), POLICIES), { instanceOf: InputError });
  t.regex(error!.message, message);
  t.false(error!.message.includes("tokenThatMustNotLeak"), "the file's text is not quoted");
  return error!.message;
}

test("text that is not JSON gives the line and column, never the text around it", (t) => {
  refused(t, `{\n  "${RENEW}": { "certificateExpiryWindowDays": 14 },\n  "token": ${TOKEN}\n}\n`, /--policy-pack-config .*config-\d+\.json: not valid JSON at line 3, column 12\. Fix: /);
  refused(t, `apiVersion: v1\nkind: Config\nusers:\n- user: {token: ${TOKEN}}\n`, /not valid JSON at line 1, column 1\b/);
  refused(t, `{"${RENEW}": "advisory",}`, /not valid JSON at line 1, column \d+/);
});

test("a value of the wrong type is refused against the policy's configSchema, with its JSON Pointer and position", (t) => {
  const message = refused(t, `{\n  "${RENEW}": {\n    "certificateExpiryWindowDays": "${TOKEN}"\n  }\n}`, new RegExp(`validating policy config: ${RENEW}: /${RENEW}/certificateExpiryWindowDays \\(line 3, column 36\\) must be integer`));
  t.regex(message, /Fix: give values of the types policy kubesphere-kubeconfig-renew-expiring-certificate's configSchema declares/);
  refused(t, `{"${RENEW}": {"certificateExpiryWindowDays": -1}}`, /certificateExpiryWindowDays \(line 1, column \d+\) must be >= 0/);
  refused(t, `{"${SHARED}": {"expectedJwtSecretFingerprint": "${TOKEN}"}}`, /expectedJwtSecretFingerprint \(line 1, column \d+\) must match pattern/);
  // 8 hex digits are 32 bits: another secret of that prefix is found in about a second.
  refused(t, `{"${SHARED}": {"expectedJwtSecretFingerprint": "sha256:890eaf2b"}}`, /expectedJwtSecretFingerprint \(line 1, column \d+\) must match pattern "\^\(sha256:\)\?\[0-9a-fA-F\]\{12,64\}\$"/);
  refused(t, `{"${SHARED}": {"namespace": 7, "configMap": ""}}`, /configMap \(line 1, column \d+\) must NOT have fewer than 1 characters; .*namespace \(line 1, column \d+\) must be string/);
});

test("a level that is not one is refused for the CLI's reason, without quoting what was written", (t) => {
  refused(t, `{"${RENEW}": "${TOKEN}"}`, new RegExp(`parsing enforcement level for "${RENEW}": /${RENEW} \\(line 1, column \\d+\\) is not a valid enforcement level`));
  refused(t, `{"${RENEW}": {"enforcementLevel": "${TOKEN}"}}`, /enforcementLevel \(line 1, column \d+\) is not a valid enforcement level\./);
  refused(t, `{"${RENEW}": {"enforcementLevel": 3}}`, /enforcementLevel \(line 1, column \d+\) is not a valid enforcement level; must be a string/);
  refused(t, `{"${TOKEN}": 7}`, /parsing the entry at line 1, column \d+: .* is not a valid value; must be a string or object/);
  refused(t, `{"all": ["mandatory"]}`, /parsing "all": \/all \(line 1, column \d+\) is not a valid value; must be a string or object/);
  refused(t, `{"environments": "acme/policies"}`, /"environments" must be an array of strings/);
  refused(t, `[1, 2]`, /is not a JSON object/);
});

test("what pulumi preview accepts is accepted: an empty file, null, all as an object, a name the pack lacks (with a warning)", (t) => {
  const warnings: string[] = [];
  const read = (text: string) => readPolicyPackConfig(configFile(text), POLICIES, {}, { warn: (m) => warnings.push(m) });
  for (const empty of ["", "  \n\n", "null"]) t.is(Object.keys(read(empty)).length, POLICIES.length, JSON.stringify(empty));
  t.deepEqual(warnings, []);
  t.like(read(`{"all": {"enforcementLevel": "mandatory"}}`)[SHARED], { enforcementLevel: "mandatory" });
  const config = read(`{"kubesphere-no-such-policy": "advisory", "${TOKEN}": {"x": 1}, "${RENEW}": "disabled"}`);
  t.like(config[RENEW], { enforcementLevel: "disabled" });
  t.false("kubesphere-no-such-policy" in config, "not sent to the pack, where no policy would read it");
  t.is(warnings.length, 2);
  t.regex(warnings[0]!, /"kubesphere-no-such-policy" is not a policy of this pack; pulumi preview passes it to the pack, where no policy reads it/);
  t.regex(warnings[1]!, /the entry at line 1, column \d+ is not a policy of this pack/);
  t.false(warnings.join().includes("tokenThatMustNotLeak"));
});

test("validation runs on the merged config: the pack's defaults, then the file", (t) => {
  const required: PolicyDescription = { name: "kubesphere-needs-window", enforcementLevel: "advisory", configSchema: { properties: { windowDays: { type: "integer", default: 30 }, owner: { type: "string" } }, required: ["windowDays", "owner"] } } as unknown as PolicyDescription;
  const message = t.throws(() => readPolicyPackConfig(configFile(""), [required]), { instanceOf: InputError })!.message;
  t.regex(message, /validating policy config: kubesphere-needs-window: \/kubesphere-needs-window must set "owner"/);
  t.notRegex(message, /windowDays/, "the default fills a required property the file does not set");
  t.deepEqual(readPolicyPackConfig(configFile(`{"kubesphere-needs-window": {"owner": "sre"}}`), [required])["kubesphere-needs-window"], { enforcementLevel: "advisory", windowDays: 30, owner: "sre" });
  t.throws(() => readPolicyPackConfig(undefined, [required]), { message: /must set "owner"/ });
});

test("a valid config maps to each policy's entry, as the CLI sends it", (t) => {
  const config = readPolicyPackConfig(configFile(`{"all": "mandatory", "${RENEW}": {"certificateExpiryWindowDays": 60}, "${SHARED}": "advisory"}`), POLICIES);
  t.like(config[RENEW], { enforcementLevel: "mandatory", certificateExpiryWindowDays: 60 });
  t.like(config[SHARED], { enforcementLevel: "advisory" });
  t.is(Object.keys(config).length, POLICIES.length);
});

test("the JSON scanner places every value and finds the first error, however deep", (t) => {
  const scanned = scanJson('{"a": [1, {"b/c": "x"}], "d~": null}');
  t.true("offsets" in scanned);
  if ("offsets" in scanned) t.deepEqual([...scanned.offsets], [["", 0], ["/a", 6], ["/a/0", 7], ["/a/1", 10], ["/a/1/b~1c", 18], ["/d~0", 31]]);
  t.deepEqual(scanJson(`${"[".repeat(100_000)}${"]".repeat(100_000)}`).constructor, Object);
  t.deepEqual(scanJson('{"a": 1 "b": 2}'), { errorOffset: 8 });
  t.deepEqual(scanJson('"unterminated'), { errorOffset: 13 });
});

test("names set on some policies only are accepted, as pulumi accepts them, with a warning naming the policies; the policy config of docs/policy-pack.md is accepted", (t) => {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  t.like(readPolicyPackConfig(configFile(`{"${SHARED}": {"namespace": "acme-system", "configMap": "acme-config"}}`), POLICIES, {}, { warn })[SHARED], { namespace: "acme-system" });
  t.regex(warnings[0]!, /namespace and configMap .* differ between policies/);
  t.regex(warnings[0]!, new RegExp(`${SHARED}: namespace 'acme-system', configMap 'acme-config'; .*${RENEW}.*: no namespace or configMap`));
  readPolicyPackConfig(configFile(`{"${SHARED}": {"namespace": "${TOKEN}"}}`), POLICIES, {}, { warn });
  t.regex(warnings[1]!, /a namespace that is not a Kubernetes name/);
  t.false(warnings.join().includes("tokenThatMustNotLeak"));
  const everywhere = Object.fromEntries(POLICIES.map((p) => [p.name, { namespace: "acme-system", configMap: "acme-config" }]));
  t.like(readPolicyPackConfig(configFile(JSON.stringify(everywhere)), POLICIES)[SHARED], { namespace: "acme-system" });
  const readme = readPolicyPackConfig(configFile(docBlock("docs/policy-pack.md", "Policy config (`--policy-pack-config policy-config.json`)", "json")), POLICIES);
  t.like(readme[SHARED], { expectedJwtSecretFingerprint: "sha256:890eaf2b1028" });
});
