/**
 * Shards: a stack (or a KubeSphereFleet) that holds only members of a fleet whose host is in another stack. It must say
 * where the host's secret comes from (jwtSecret, e.g. from the fleet's ESC environment, and/or the host stack's
 * fingerprint pinned as hostJwtSecretFingerprint), and a secret that does not match the pin is refused before any patch.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeSphereFleet } from "kubesphere-fleet";
import { formatConfigError, validateFleetConfig, type FleetConfigInput } from "../../src/config/validateFleetConfig";
import { runUnderMocks } from "../../src/mocks/runUnderMocks";
import { secretFacts } from "../../src/model/secretFacts";
import { FIXTURE_SECRET, PROJECT_ROOT, changed, liveObjects, patchesOf, runStack, stackInput } from "../helpers/mocksFleet";

const FLEET_PIN = secretFacts(FIXTURE_SECRET).fingerprint; // sha256:<12 hex>, as the host stack's outputs show it
const OTHER_SECRET = "anotherFleetsJwtSecret0123456789abcdef";

/** The dev stack without its host: member-1 (3.4) and member-2 (4.1). */
function membersOnly(extra: Partial<FleetConfigInput>): FleetConfigInput {
  const input = stackInput("dev");
  return { ...input, clusters: (input.clusters as any[]).filter((c) => c.role === "member"), ...extra };
}

function errorsOf(input: FleetConfigInput): string[] {
  const { fleet, errors } = validateFleetConfig(input, { stack: "members-eu", projectRoot: PROJECT_ROOT });
  return fleet ? [] : errors.map(formatConfigError);
}

test("a members-only stack is valid with jwtSecret, with the pin alone, or with both when they match", (t) => {
  for (const extra of [{ jwtSecret: FIXTURE_SECRET }, { hostJwtSecretFingerprint: FLEET_PIN }, { jwtSecret: FIXTURE_SECRET, hostJwtSecretFingerprint: FLEET_PIN.toUpperCase().replace("SHA256", "sha256") }]) {
    const { fleet, errors } = validateFleetConfig(membersOnly(extra), { stack: "members-eu", projectRoot: PROJECT_ROOT });
    t.deepEqual(errors.map(formatConfigError), [], JSON.stringify(Object.keys(extra)));
    t.deepEqual(fleet!.clusters.map((c) => c.role), ["member", "member"]);
  }
  const full = secretFacts(FIXTURE_SECRET).digest;
  t.is(validateFleetConfig(membersOnly({ hostJwtSecretFingerprint: `sha256:${full}` }), { stack: "s", projectRoot: PROJECT_ROOT }).fleet!.hostJwtSecretFingerprint, `sha256:${full}`);
});

test("a pin that does not match jwtSecret is refused, naming both fingerprints and never the secret", (t) => {
  const [message, ...rest] = errorsOf(membersOnly({ jwtSecret: OTHER_SECRET, hostJwtSecretFingerprint: FLEET_PIN }));
  t.deepEqual(rest, []);
  t.is(
    message,
    `Stack 'members-eu': kubesphere-fleet:hostJwtSecretFingerprint (${FLEET_PIN}) does not match jwtSecret (${secretFacts(OTHER_SECRET).fingerprint}). ` +
      "Fix: set jwtSecret to the fleet's secret (the host's, e.g. from the fleet's Pulumi ESC environment); or, when the host's secret was rotated on purpose, pin the host stack's new fingerprint.",
  );
  t.false(message!.includes(OTHER_SECRET));
});

test("a pin that is not a fingerprint, or is the secret itself, is refused without quoting it", (t) => {
  for (const pin of ["sha256:xyz", "abc", 42, FIXTURE_SECRET, `sha256:${FIXTURE_SECRET}`]) {
    const found = errorsOf(membersOnly({ jwtSecret: FIXTURE_SECRET, hostJwtSecretFingerprint: pin }));
    t.is(found.length, 1, String(pin));
    t.regex(found[0]!, /^Stack 'members-eu': kubesphere-fleet:hostJwtSecretFingerprint (is (a string of \d+ characters|a number), not a jwtSecret fingerprint|holds the jwtSecret itself, not its fingerprint)\. Fix: give the host stack's jwtSecret fingerprint as sha256:<hex>/);
    t.false(found[0]!.includes(FIXTURE_SECRET));
  }
  // A hex secret (openssl rand -hex 16) given as the pin looks like a fingerprint: it is still refused, unquoted.
  const hexSecret = "0123456789abcdef0123456789abcdef";
  const found = errorsOf(membersOnly({ jwtSecret: hexSecret, hostJwtSecretFingerprint: `sha256:${hexSecret}` }));
  t.regex(found[0]!, /holds the jwtSecret itself/);
  t.false(found.join("\n").includes(hexSecret));
});

test("a pin of fewer than 12 hex digits is refused even when it matches, saying why: 8 digits are 32 bits", (t) => {
  const digest = secretFacts(FIXTURE_SECRET).digest;
  const found = errorsOf(membersOnly({ jwtSecret: FIXTURE_SECRET, hostJwtSecretFingerprint: `sha256:${digest.slice(0, 8)}` }));
  t.deepEqual(found, [
    "Stack 'members-eu': kubesphere-fleet:hostJwtSecretFingerprint has 8 hex digit(s) (32 bits): another secret with the same prefix is quick to find, and a shard checked alone would then pass in silence. " +
      "Fix: give the host stack's jwtSecret fingerprint as sha256:<hex> (at least 12 hex digits), as npm run check -- --stack <host stack> shows it, never the secret itself.",
  ]);
  t.deepEqual(errorsOf(membersOnly({ jwtSecret: FIXTURE_SECRET, hostJwtSecretFingerprint: `sha256:${digest.slice(0, 12)}` })), []);
});

test("two hosts stay an error, with or without a secret source", (t) => {
  const input = stackInput("dev");
  const clusters = structuredClone(input.clusters) as any[];
  clusters[1].role = "host";
  t.regex(errorsOf({ ...input, clusters, jwtSecret: FIXTURE_SECRET, hostJwtSecretFingerprint: FLEET_PIN }).join("\n"), /declares 2 hosts/);
});

test.serial("a shard with jwtSecret patches its members to it and reads nothing it does not need", async (t) => {
  const result = await runStack(membersOnly({ jwtSecret: OTHER_SECRET }), liveObjects("dev"), "members-eu");
  t.is(result.error, undefined);
  t.deepEqual([...new Set(patchesOf(result).map((r) => r.cluster))], ["member-1", "member-2"]);
  t.false(result.resources.some((r) => r.cluster === "host"));
  t.is(result.outputs!.jwtSecretSource, "stack config kubesphere-fleet:jwtSecret");
  t.deepEqual(Object.values(result.outputs!.clusters).map((c) => c.jwtSecretFingerprint), [secretFacts(OTHER_SECRET).fingerprint, secretFacts(OTHER_SECRET).fingerprint]);
});

test.serial("a shard with only the pin adopts the secret a member already holds, and says from where", async (t) => {
  const live = liveObjects("dev");
  // member-1 still has the fleet's secret; member-2 drifted to another one and is brought back.
  live.set("member-2", [changed(live.get("member-2")![0]!, (o) => (o.data["kubesphere.yaml"] = o.data["kubesphere.yaml"].replace(FIXTURE_SECRET, OTHER_SECRET)))]);
  const result = await runStack(membersOnly({ hostJwtSecretFingerprint: FLEET_PIN }), live, "members-eu");
  t.is(result.error, undefined);
  t.is(result.outputs!.jwtSecretSource, "adopted from member-1's ConfigMap kubesphere-system/kubesphere-config, which matches kubesphere-fleet:hostJwtSecretFingerprint");
  t.deepEqual(Object.values(result.outputs!.clusters).map((c) => c.jwtSecretFingerprint), [FLEET_PIN, FLEET_PIN]);
  const member2 = patchesOf(result).find((r) => r.cluster === "member-2" && r.type === "kubernetes:core/v1:ConfigMapPatch");
  t.true(JSON.stringify(member2!.inputs).includes(FIXTURE_SECRET), "member-2 gets the fleet's secret back");
});

test.serial("a pin no member's secret matches stops before any patch, saying what each holds", async (t) => {
  const live = liveObjects("dev");
  for (const name of ["member-1", "member-2"]) {
    live.set(name, live.get(name)!.map((o) => (o.kind === "ConfigMap" ? changed(o, (c) => (c.data["kubesphere.yaml"] = c.data["kubesphere.yaml"].replace(FIXTURE_SECRET, OTHER_SECRET))) : o)));
  }
  const result = await runStack(membersOnly({ hostJwtSecretFingerprint: FLEET_PIN }), live, "members-eu");
  t.true(pulumi.RunError.isInstance(result.error));
  t.deepEqual(patchesOf(result), []);
  const other = secretFacts(OTHER_SECRET).fingerprint;
  t.regex(
    result.error!.message,
    new RegExp(
      `- Stack 'members-eu': no cluster of this stack holds the jwtSecret kubesphere-fleet:hostJwtSecretFingerprint pins \\(${FLEET_PIN}\\), so there is none to adopt; ` +
        `they hold member-1: ${other} \\(ConfigMap kubesphere-system/kubesphere-config\\), member-2: ${other} \\(ConfigMap kubesphere-system/kubesphere-config\\)\\. Fix: set jwtSecret to the fleet's secret`,
    ),
  );
  t.false(result.error!.message.includes(OTHER_SECRET));
});

test.serial("a stack with the host refuses to adopt a host secret that is not the one pinned", async (t) => {
  const result = await runStack({ ...stackInput("dev"), hostJwtSecretFingerprint: secretFacts(OTHER_SECRET).fingerprint }, liveObjects("dev"), "dev");
  t.deepEqual(patchesOf(result), []);
  t.regex(result.error!.message, new RegExp(`clusters\\[0\\] \\(host\\): the host's jwtSecret \\(${FLEET_PIN}, in Secret kubesphere-system/kubesphere-secret\\) is not the one kubesphere-fleet:hostJwtSecretFingerprint pins`));
});

test.serial("a KubeSphereFleet of members only, with providers and a pinned secret from config, declares their patches", async (t) => {
  const kubeconfig = (file: string) => readFileSync(join(PROJECT_ROOT, "stacks", "dev", "kubeconfigs", file), "utf8");
  const run = await runUnderMocks({ project: "acme", stack: "members-us", config: { config: {}, secretKeys: [] }, objects: liveObjects("dev") }, () =>
    new KubeSphereFleet("fleet", {
      clusters: [
        { name: "member-1", role: "member", version: "3.4", provider: new k8s.Provider("member-1", { kubeconfig: kubeconfig("member-1.yaml") }) },
        { name: "member-2", role: "member", version: "4.1", kubeconfig: pulumi.secret(kubeconfig("member-2.yaml")) },
      ],
      jwtSecret: pulumi.secret(FIXTURE_SECRET),
      hostJwtSecretFingerprint: FLEET_PIN,
    }).declared(),
  );
  t.is(run.error, undefined);
  t.deepEqual(Object.keys(run.value!.clusters), ["member-1", "member-2"]);

  const refused = await runUnderMocks({ project: "acme", stack: "members-us", config: { config: {}, secretKeys: [] }, objects: liveObjects("dev") }, () =>
    new KubeSphereFleet("fleet", { clusters: [{ name: "member-2", role: "member", version: "4.1", kubeconfig: kubeconfig("member-2.yaml") }] }).declared(),
  );
  t.regex(refused.error!.message, /^KubeSphereFleet 'fleet' has 1 problem\(s\); nothing was declared\.\n- Stack 'members-us', KubeSphereFleet 'fleet': clusters declares no host, and the stack does not say where the host's jwtSecret comes from\. Fix: .*hostJwtSecretFingerprint/);
  t.deepEqual(refused.resources.filter((r) => !r.read && r.type !== "kubesphere-fleet:index:KubeSphereFleet"), []);
});
