import test from "ava";
import { namesDifferBetweenPolicies } from "../../src/input/policyConfigNames";

const POLICIES = ["kubesphere-fleet-configure-shared-jwt-secret", "kubesphere-member-configure-zero-access-token-max-age", "kubesphere-config-disallow-malformed-yaml"];
const ACME = { namespace: "acme-system", configMap: "acme-config" };

test("names set on no policy, or the same on every policy, are one setting", (t) => {
  t.is(namesDifferBetweenPolicies({}, POLICIES), undefined);
  t.is(namesDifferBetweenPolicies({ [POLICIES[0]!]: { expectedJwtSecretFingerprint: "sha256:890eaf2b1028" }, [POLICIES[1]!]: "advisory" }, POLICIES), undefined);
  t.is(namesDifferBetweenPolicies(Object.fromEntries(POLICIES.map((p) => [p, { ...ACME, enforcementLevel: "mandatory" }])), POLICIES), undefined);
});

test("names set on one policy only are reported, naming the policies on each side and the fix", (t) => {
  const message = namesDifferBetweenPolicies({ [POLICIES[1]!]: ACME }, POLICIES)!;
  t.regex(message, /kubesphere-member-configure-zero-access-token-max-age: namespace 'acme-system', configMap 'acme-config'/);
  t.regex(message, /kubesphere-fleet-configure-shared-jwt-secret, kubesphere-config-disallow-malformed-yaml: no namespace or configMap/);
  t.regex(message, /Fix: set the same namespace and configMap on every policy, or remove them/);
});

test("two different names are reported too", (t) => {
  const config = Object.fromEntries(POLICIES.map((p, i) => [p, { namespace: i === 2 ? "other-system" : "acme-system" }]));
  t.regex(namesDifferBetweenPolicies(config, POLICIES)!, /namespace 'other-system'/);
});
