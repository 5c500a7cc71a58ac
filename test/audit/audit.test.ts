/**
 * End to end: `node --require tsx/cjs src/cli/audit.ts …` against HTTPS API servers on 127.0.0.1 that serve the
 * shared KubeSphere fixtures and authenticate client certificates from a CA made for this file.
 */
import test, { type ExecutionContext } from "ava";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readLiveSnapshot } from "../../src/check/liveSnapshot";
import { CREDENTIAL_REFRESH_STEPS } from "../../src/model/credentials";
import { clusterViewFromObjects } from "../../src/model/kubernetesObjects";
import { secretFacts } from "../../src/model/secretFacts";
import { KUBECONFIG_VALID_CERTIFICATE } from "../../src/rules/certificates";
import { FLEET_SHARED_JWT_SECRET } from "../../src/rules/fleetSharedJwtSecret";
import { MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE } from "../../src/rules/memberZeroAccessTokenMaxAge";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { contextArgs, DRIFTED_JWT_SECRET, forbiddenStrings, healthyFleetSpecs, PATIENT_TIMEOUT_ARGS, runAudit, startFleet, v34DriftedMember, v34Host, v34Member, type CliRun, type LiveFleet } from "./liveFleet";

interface JsonCluster {
  name: string;
  state: string;
  reachable: boolean;
  problem?: string;
  credentials: { user: string; kind: string; notAfter?: string; daysLeft?: number };
  version?: string;
  clusterRole?: string;
  declaredRole?: string;
  jwtSecret: { source: string; fingerprint: string }[];
  accessTokenMaxAge?: { value: string; seconds: number; source: string };
  installerOwnsConfig: boolean;
  restart?: string;
}
interface JsonAudit {
  healthy: boolean;
  clusters: JsonCluster[];
  findings: { ruleId: string; enforcement: string; cluster?: string; message: string }[];
  snapshot?: { dir: string; clusters: string[]; stale: string[] };
}

const FIXTURE_FINGERPRINT = secretFacts(FIXTURE_JWT_SECRET).fingerprint;
const DRIFTED_FINGERPRINT = secretFacts(DRIFTED_JWT_SECRET).fingerprint;
const BROKEN = ["host", "member-1", "drifted", "expired", "expired-tls", "gone", "plain"];

let ca: CertificateAuthority;
let healthy: LiveFleet;
let broken: LiveFleet;
let healthyText: Promise<CliRun>;
let healthyJson: Promise<CliRun>;
let brokenJson: Promise<CliRun>;
let brokenText: Promise<CliRun>;

const contexts = contextArgs;

test.before(async () => {
  ca = makeCertificateAuthority();
  healthy = await startFleet(ca, healthyFleetSpecs());
  broken = await startFleet(ca, [
    { name: "host", objects: v34Host() },
    { name: "member-1", objects: v34Member() },
    { name: "drifted", objects: v34DriftedMember() },
    { name: "expired", objects: v34Member(), certificate: "expired" },
    { name: "expired-tls", objects: v34Member(), certificate: "expired", rejectInvalidCertificates: "handshake", maxTlsVersion: "TLSv1.2" },
    { name: "gone", objects: "closed" },
    { name: "plain", objects: [] },
  ]);
  const all = ["host", "member-1", "member-2"];
  healthyText = runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", healthy.kubeconfig, ...contexts(all)]);
  healthyJson = runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", healthy.kubeconfig, ...contexts(all), "--json"]);
  brokenJson = runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", broken.kubeconfig, ...contexts(BROKEN), "--json", "--save", join(broken.dir, "snapshot")]);
  brokenText = runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", broken.kubeconfig, ...contexts(BROKEN)]);
});

test.after.always(async () => {
  await Promise.allSettled([healthyText, healthyJson, brokenJson, brokenText]);
  await healthy?.close();
  await broken?.close();
  ca?.dispose();
});

function assertNoSecrets(t: ExecutionContext, run: CliRun): void {
  for (const forbidden of forbiddenStrings()) {
    t.false(run.stdout.includes(forbidden), `stdout contains ${forbidden.slice(0, 6)}…`);
    t.false(run.stderr.includes(forbidden), `stderr contains ${forbidden.slice(0, 6)}…`);
  }
}

function parse(run: CliRun): JsonAudit {
  return JSON.parse(run.stdout) as JsonAudit;
}

function cluster(audit: JsonAudit, name: string): JsonCluster {
  const found = audit.clusters.find((c) => c.name === name);
  if (!found) throw new Error(`no cluster ${name} in ${audit.clusters.map((c) => c.name).join(", ")}`);
  return found;
}

test("a healthy fleet (3.4 host, 3.4 member, 4.1 member) exits 0 and shows each cluster's live settings", async (t) => {
  const run = await healthyJson;
  t.is(run.code, 0, run.stderr);
  const audit = parse(run);
  t.true(audit.healthy);
  t.deepEqual(audit.findings.filter((f) => f.enforcement === "mandatory"), []);
  t.deepEqual(audit.clusters.map((c) => [c.name, c.state, c.clusterRole, c.version, c.installerOwnsConfig]), [
    ["host", "read", "host", "3.4", true],
    ["member-1", "read", "member", "3.4", true],
    ["member-2", "read", "member", "4.1", false],
  ]);
  for (const c of audit.clusters) {
    t.true(c.reachable);
    t.true(c.jwtSecret.length > 0, c.name);
    t.true(c.jwtSecret.every((s) => s.fingerprint === FIXTURE_FINGERPRINT), c.name);
    t.is(c.credentials.kind, "client-certificate");
    t.is(c.credentials.user, `${c.name}-admin`);
    t.true(c.credentials.daysLeft! >= 98 && c.credentials.daysLeft! <= 100, String(c.credentials.daysLeft));
    t.is(c.restart, undefined);
  }
  t.is(cluster(audit, "member-1").accessTokenMaxAge?.seconds, 0);
  t.is(cluster(audit, "member-2").accessTokenMaxAge?.value, "0");
  t.is(cluster(audit, "host").accessTokenMaxAge, undefined);
  assertNoSecrets(t, run);
});

test("the text report of a healthy fleet names every cluster, its fingerprint and says healthy", async (t) => {
  const run = await healthyText;
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /3 clusters, 3 read, 0 violations, 0 advisories: healthy/);
  for (const name of ["host", "member-1", "member-2"]) t.regex(run.stdout, new RegExp(`^${name}  \\[read\\]  https://127\\.0\\.0\\.1:\\d+, context ${name}$`, "m"));
  t.true(run.stdout.includes(FIXTURE_FINGERPRINT));
  t.regex(run.stdout, /accessTokenMaxAge\s+0 \(ConfigMap kubesphere-system\/kubesphere-config: kubesphere\.yaml: authentication\.issuer\.accessTokenMaxAge\)/);
  t.false(run.stdout.includes("\u001b["), "no colour when stdout is not a terminal");
  t.false(run.stdout.includes("Violations"));
  assertNoSecrets(t, run);
});

test("a drifted member (own jwtSecret, accessTokenMaxAge 2h) is reported with both rules and where to fix it", async (t) => {
  const run = await brokenJson;
  t.is(run.code, 1);
  const audit = parse(run);
  t.false(audit.healthy);
  const drifted = cluster(audit, "drifted");
  t.is(drifted.state, "read");
  t.deepEqual([...new Set(drifted.jwtSecret.map((s) => s.fingerprint))], [DRIFTED_FINGERPRINT]);
  t.like(drifted.accessTokenMaxAge, { value: "2h", seconds: 7200 });
  const rules = audit.findings.filter((f) => f.cluster === "drifted" && f.enforcement === "mandatory").map((f) => f.ruleId);
  t.true(rules.includes(FLEET_SHARED_JWT_SECRET));
  t.true(rules.includes(MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE));
  t.regex(drifted.restart ?? "", /ClusterConfiguration kubesphere-system\/ks-installer/);
  t.regex(drifted.restart ?? "", /rollout restart deploy ks-apiserver/);
  t.is(cluster(audit, "member-1").restart, undefined, "the compliant member needs nothing");
  t.false(audit.findings.some((f) => f.cluster === "member-1" && f.enforcement === "mandatory"));
});

test("a member whose client certificate expired gets 401: user, kubeconfig, since when and the refresh step, once", async (t) => {
  const audit = parse(await brokenJson);
  const expired = cluster(audit, "expired");
  t.is(expired.state, "unauthorised");
  t.false(expired.reachable);
  t.true(expired.credentials.daysLeft! < 0);
  t.regex(expired.problem ?? "", /refused user 'expired-admin' of .*fleet\.kubeconfig: HTTP 401 "Unauthorized"/);
  t.regex(expired.problem ?? "", /the server has asked for the client to provide credentials/);
  t.true((expired.problem ?? "").includes(`expired on ${expired.credentials.notAfter}`));
  const finding = audit.findings.find((f) => f.cluster === "expired" && f.ruleId === KUBECONFIG_VALID_CERTIFICATE);
  t.truthy(finding);
  t.true(finding!.message.includes("/etc/rancher/k3s/k3s.yaml"));

  const text = (await brokenText).stdout;
  const k3sStep = CREDENTIAL_REFRESH_STEPS[0];
  const blockOf = (name: string) => text.slice(text.indexOf(`${name}  [`), text.indexOf("\n\n", text.indexOf(`${name}  [`)));
  t.false(blockOf("expired").includes(k3sStep), "the cluster block points at the finding instead of repeating the steps");
  t.is(text.split(`Cluster 'expired' kubeconfig user 'expired-admin'`).length - 1, 1, "one finding for the expired certificate");
});

test("a server that refuses the expired certificate during the TLS handshake is diagnosed as a certificate refusal", async (t) => {
  const audit = parse(await brokenJson);
  const rejected = cluster(audit, "expired-tls");
  t.is(rejected.state, "certificate-rejected");
  t.regex(rejected.problem ?? "", /TLS layer refused the client certificate/);
  t.regex(rejected.problem ?? "", /The client certificate expired on /);
  t.is(broken.servers["expired-tls"]!.requests.length, 0, "no request got past the handshake");
});

test("an unreachable cluster is reported and does not stop the others", async (t) => {
  const audit = parse(await brokenJson);
  const gone = cluster(audit, "gone");
  t.is(gone.state, "unreachable");
  t.regex(gone.problem ?? "", /cannot connect to https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  t.deepEqual(
    audit.clusters.filter((c) => c.state === "read").map((c) => c.name),
    ["host", "member-1", "drifted"],
  );
  const text = await brokenText;
  t.is(text.code, 1);
  t.regex(text.stdout, /^KubeSphere fleet audit: 7 clusters, 3 read \(4 not\), \d+ violations, \d+ advisor(y|ies): NOT healthy$/m);
  t.regex(text.stdout, /^gone  \[unreachable\]/m);
});

test("a cluster without KubeSphere is reported as such, not as unreachable", async (t) => {
  const audit = parse(await brokenJson);
  const plain = cluster(audit, "plain");
  t.is(plain.state, "no-kubesphere");
  t.true(plain.reachable);
  t.regex(plain.problem ?? "", /KubeSphere is not installed on 'plain'.*no ConfigMap kubesphere-system\/kubesphere-config \(404\)/);
  const requests = broken.servers["plain"]!.requests;
  t.true(requests.length > 0);
  t.deepEqual([...new Set(requests)], ["GET /api/v1/namespaces/kubesphere-system/configmaps/kubesphere-config"], "nothing else is read after the 404");
});

test("--save writes kubectl-shaped files (0600, no managedFields, no last-applied) that the offline check reads back", async (t) => {
  const audit = parse(await brokenJson);
  const dir = join(broken.dir, "snapshot");
  t.deepEqual(audit.snapshot, { dir, clusters: ["host", "member-1", "drifted"], stale: [] });
  t.deepEqual(readdirSync(dir).sort(), ["drifted", "host", "member-1"], "no folder for a cluster that was not read");
  t.deepEqual(readdirSync(join(dir, "host")).sort(), [
    "clusterconfiguration-ks-installer.yaml",
    "configmap-kubesphere-config.yaml",
    "deployment-ks-apiserver.yaml",
    "secret-kubesphere-secret.yaml",
  ]);
  t.is(statSync(join(dir, "host")).mode & 0o777, 0o700);
  for (const name of ["host", "member-1", "drifted"]) {
    for (const file of readdirSync(join(dir, name))) {
      const path = join(dir, name, file);
      t.is(statSync(path).mode & 0o777, 0o600, path);
      const text = readFileSync(path, "utf8");
      t.false(text.includes("last-applied-configuration"), path);
      t.false(text.includes("managedFields"), path);
      t.regex(text, /^apiVersion: /, "keys sorted as kubectl prints them");
    }
  }
  const configMap = readFileSync(join(dir, "member-1", "configmap-kubesphere-config.yaml"), "utf8");
  t.regex(configMap, /kubesphere\.yaml: \|/, "kubesphere.yaml as a literal block");
  t.regex(configMap, /uid: 00000000-0000-4000-8000-/, "server metadata other than managedFields is kept");

  const snapshot = readLiveSnapshot(dir);
  for (const name of ["host", "member-1", "drifted"]) {
    const view = clusterViewFromObjects(name, snapshot.get(name)!);
    const fingerprints = view.settings.flatMap((s) => (s.jwtSecret.state === "known" ? [s.jwtSecret.value.fingerprint] : []));
    t.deepEqual(fingerprints.sort(), cluster(audit, name).jwtSecret.map((s) => s.fingerprint).sort(), name);
    t.is(view.version, "3.4", "from the ClusterConfiguration label");
  }
});

test("no plaintext secret, token or key in any output of a broken fleet, text or JSON", async (t) => {
  const runs = [await brokenJson, await brokenText];
  for (const run of runs) assertNoSecrets(t, run);
  t.true(runs[1]!.stdout.includes(DRIFTED_FINGERPRINT), "the fingerprint is shown instead");
});
