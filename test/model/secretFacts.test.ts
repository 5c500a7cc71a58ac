import test from "ava";
import { fingerprintMatches, secretFacts, sha256Hex } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";

test("a fingerprint is short and is not the secret", (t) => {
  const facts = secretFacts(FIXTURE_JWT_SECRET);
  t.regex(facts.fingerprint, /^sha256:[0-9a-f]{12}$/);
  t.false(JSON.stringify(facts).includes(FIXTURE_JWT_SECRET));
  t.is(facts.knownDefault, undefined);
});

test("known defaults and repetitive values are recognised", (t) => {
  t.truthy(secretFacts("gfIwilcc0WjNGKJ5DLeksf2JKfcLgTZU").knownDefault);
  t.truthy(secretFacts("a".repeat(40)).knownDefault);
  t.truthy(secretFacts("changeme").knownDefault);
});

test("an expected fingerprint matches in full, prefixed or short form", (t) => {
  const digest = sha256Hex(FIXTURE_JWT_SECRET);
  t.true(fingerprintMatches(digest, digest));
  t.true(fingerprintMatches(`sha256:${digest.slice(0, 12)}`, digest));
  t.true(fingerprintMatches(digest.slice(0, 12).toUpperCase(), digest));
  t.false(fingerprintMatches(digest.slice(0, 11), digest), "fewer than 12 hex digits is too loose: 8 (32 bits) is matched by another secret in about a second");
  t.false(fingerprintMatches("sha256:000000000000", digest));
});
