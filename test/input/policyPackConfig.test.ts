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
import { readmeBlock } from "../helpers/readme";

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
  const message = refused(t, `{\n  "${RENEW}": {\n    "certificateExpiryWindowDays": "${TOKEN}"\n  }\n}`, new RegExp(`/${RENEW}/certificateExpiryWindowDays \\(line 3, column 36\\) must be integer`));
  t.regex(message, /Fix: give values of the types policy kubesphere-kubeconfig-renew-expiring-certificate's configSchema declares/);
  refused(t, `{"${RENEW}": {"certificateExpiryWindowDays": -1}}`, /certificateExpiryWindowDays \(line 1, column \d+\) must be >= 0/);
  refused(t, `{"${SHARED}": {"expectedJwtSecretFingerprint": "${TOKEN}"}}`, /expectedJwtSecretFingerprint \(line 1, column \d+\) must match pattern/);
  // 8 hex digits are 32 bits: another secret of that prefix is found in about a second.
  refused(t, `{"${SHARED}": {"expectedJwtSecretFingerprint": "sha256:890eaf2b"}}`, /expectedJwtSecretFingerprint \(line 1, column \d+\) must match pattern "\^\(sha256:\)\?\[0-9a-fA-F\]\{12,64\}\$"/);
  refused(t, `{"${SHARED}": {"namespace": 7, "configMap": ""}}`, /namespace \(line 1, column \d+\) must be string; .*configMap \(line 1, column \d+\) must NOT have fewer than 1 characters/);
});

test("a level that is not one, or a key that is not a policy, is refused without quoting what was written", (t) => {
  refused(t, `{"${RENEW}": "${TOKEN}"}`, new RegExp(`/${RENEW} \\(line 1, column \\d+\\) is not an enforcement level`));
  refused(t, `{"${RENEW}": {"enforcementLevel": "${TOKEN}"}}`, /enforcementLevel \(line 1, column \d+\) is not an enforcement level/);
  refused(t, `{"${TOKEN}": "advisory"}`, /the entry at line 1, column \d+ is not a policy of this pack/);
  refused(t, `{"kubesphere-no-such-policy": "advisory"}`, /'kubesphere-no-such-policy' \(line 1, column \d+\) is not a policy of this pack/);
  refused(t, `[1, 2]`, /is not a JSON object/);
});

test("a valid config maps to each policy's entry, as the CLI sends it", (t) => {
  const config = readPolicyPackConfig(configFile(`{"all": "mandatory", "${RENEW}": {"certificateExpiryWindowDays": 60}, "${SHARED}": "advisory"}`), POLICIES);
  t.deepEqual(config[RENEW], { enforcementLevel: "mandatory", certificateExpiryWindowDays: 60 });
  t.deepEqual(config[SHARED], { enforcementLevel: "advisory" });
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

test("names set on some policies only are refused, naming the policies; the README's policy config is accepted", (t) => {
  const message = refused(t, `{"${SHARED}": {"namespace": "acme-system", "configMap": "acme-config"}}`, /namespace and configMap .* differ between policies/);
  t.regex(message, new RegExp(`${SHARED}: namespace 'acme-system', configMap 'acme-config'; .*${RENEW}.*: no namespace or configMap`));
  refused(t, `{"${SHARED}": {"namespace": "${TOKEN}"}}`, /a namespace that is not a Kubernetes name/);
  const everywhere = Object.fromEntries(POLICIES.map((p) => [p.name, { namespace: "acme-system", configMap: "acme-config" }]));
  t.like(readPolicyPackConfig(configFile(JSON.stringify(everywhere)), POLICIES)[SHARED], { namespace: "acme-system" });
  const readme = readPolicyPackConfig(configFile(readmeBlock("Policy config (`--policy-pack-config policy-config.json`)", "json")), POLICIES);
  t.like(readme[SHARED], { expectedJwtSecretFingerprint: "sha256:890eaf2b1028" });
});
