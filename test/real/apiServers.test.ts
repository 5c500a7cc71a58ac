/**
 * Real API servers (kube-apiserver + etcd from `npm run real-tools`) holding KubeSphere's objects as the installers
 * leave them, and this project's live audit run against them as users run it (`npm run audit`).
 * Fleet: a 3.4 host and a 3.4 member in installer mode, and a 4.1 member installed with Helm.
 */
import type { ExecutionContext } from "ava";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secretFacts } from "../../src/model/secretFacts";
import { FLEET_SHARED_JWT_SECRET } from "../../src/rules/fleetSharedJwtSecret";
import { contextArgs, DRIFTED_JWT_SECRET, forbiddenStrings, PATIENT_TIMEOUT_ARGS, runAudit, type CliRun } from "../audit/liveFleet";
import { issueClientCertificate, kubeconfigFor, kubeconfigWith, makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { alive, gone } from "../helpers/processes";
import { runKubectl, startRealCluster, startRealClusters, stopRealClusters, type RealCluster } from "./helpers/cluster";
import { getObject, installV34, installV41Member, managers, NAMESPACE } from "./helpers/kubesphere";
import { realTest, sharedFleet } from "./helpers/realTools";

const NEEDED = ["etcd", "kube-apiserver", "kubectl", "openssl"] as const;
const CLUSTERS = ["host", "member-1", "member-2"] as const;
const DAY = 86_400_000;

interface Fleet {
  readonly ca: CertificateAuthority;
  readonly dir: string;
  readonly clusters: Readonly<Record<(typeof CLUSTERS)[number], RealCluster>>;
  /** One kubeconfig, a context per cluster (context = cluster name), the admins' client certificates. */
  readonly kubeconfig: string;
}

/** The fleet, started by the first test that needs it and stopped after the last. */
const fleet = sharedFleet<Fleet>(
  async () => {
    const ca = makeCertificateAuthority();
    const dir = mkdtempSync(join(tmpdir(), "kubesphere-fleet-real-"));
    try {
      const clusters = (await startRealClusters(ca, CLUSTERS)) as Fleet["clusters"];
      await Promise.all([installV34(clusters.host, "host"), installV34(clusters["member-1"], "member"), installV41Member(clusters["member-2"])]);
      const kubeconfig = join(dir, "fleet.kubeconfig");
      writeFileSync(kubeconfig, kubeconfigWith(CLUSTERS.map((name) => clusters[name].admin)), { mode: 0o600 });
      return { ca, dir, clusters, kubeconfig };
    } catch (error) {
      ca.dispose();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  },
  async (running) => {
    await stopRealClusters(running.clusters);
    running.ca.dispose();
    rmSync(running.dir, { recursive: true, force: true });
  },
);

interface AuditJson {
  healthy: boolean;
  clusters: { name: string; state: string; problem?: string; version?: string; clusterRole?: string; jwtSecret: { source: string; fingerprint: string }[]; installerOwnsConfig: boolean }[];
  findings: { ruleId: string; enforcement: string; cluster?: string; message: string }[];
}

function parse(t: ExecutionContext, run: CliRun): AuditJson {
  for (const forbidden of forbiddenStrings()) {
    t.false(run.stdout.includes(forbidden) || run.stderr.includes(forbidden), `the audit's output holds ${forbidden.slice(0, 6)}…`);
  }
  return JSON.parse(run.stdout) as AuditJson;
}

function fingerprints(audit: AuditJson, name: string): string[] {
  const cluster = audit.clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`no cluster ${name} in the audit`);
  return [...new Set(cluster.jwtSecret.map((s) => s.fingerprint))];
}

realTest("the installers' objects on real API servers: ClusterConfiguration and kubesphere-config from kubectl client-side apply (3.4), from Helm (4.1)", NEEDED, async (t) => {
  const { clusters } = await fleet();
  for (const name of ["host", "member-1"] as const) {
    const cc = await getObject(clusters[name], "clusterconfiguration", "ks-installer");
    t.deepEqual(managers(cc), ["kubectl-client-side-apply/Update"], `${name}: ClusterConfiguration's field managers`);
    t.truthy(cc.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"], `${name}: client-side apply's annotation`);
    t.like(cc.spec, { devops: { enabled: false, jenkinsMemoryLim: "4Gi" }, multicluster: { clusterRole: name === "host" ? "host" : "member" } }, "the whole spec is kept (preserve-unknown-fields)");
    const config = await getObject(clusters[name], "configmap", "kubesphere-config");
    t.deepEqual(managers(config), ["kubectl-client-side-apply/Update"], `${name}: kubesphere-config's field managers`);
    t.true(config.data?.["kubesphere.yaml"]?.includes(FIXTURE_JWT_SECRET), `${name}: the fixture's kubesphere.yaml`);
  }
  const v41 = await getObject(clusters["member-2"], "configmap", "kubesphere-config");
  t.deepEqual(managers(v41), ["helm/Update"]);
  t.is(v41.metadata.labels?.["app.kubernetes.io/managed-by"], "Helm");
  t.is(v41.metadata.annotations?.["meta.helm.sh/release-name"], "ks-core");
  t.is(v41.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"], undefined);
  const missing = await clusters["member-2"].kubectl(["get", "-n", NAMESPACE, "clusterconfiguration", "ks-installer"]);
  t.not(missing.code, 0, "a 4.1 member has no ClusterConfiguration");
});

realTest("the live audit finds the real fleet healthy, then names the member whose jwtSecret was changed with kubectl", NEEDED, async (t) => {
  const { clusters, kubeconfig } = await fleet();
  const audit = (extra: readonly string[] = []) => runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", kubeconfig, ...contextArgs(CLUSTERS), "--json", ...extra]);

  const healthyRun = await audit();
  t.is(healthyRun.code, 0, healthyRun.stdout + healthyRun.stderr);
  const healthy = parse(t, healthyRun);
  t.true(healthy.healthy);
  const shared = secretFacts(FIXTURE_JWT_SECRET).fingerprint;
  for (const name of CLUSTERS) t.deepEqual(fingerprints(healthy, name), [shared], `${name} reads the shared jwtSecret`);
  t.deepEqual(healthy.clusters.map((c) => [c.name, c.state]), CLUSTERS.map((name) => [name, "read"]));
  t.deepEqual(healthy.clusters.map((c) => c.version?.replace(/^v?(\d+\.\d+).*$/, "$1")), ["3.4", "3.4", "4.1"], "versions from ClusterConfiguration's label and ks-apiserver's image");

  // What `kubectl edit cm kubesphere-config` sends: a patch of data.kubesphere.yaml with another jwtSecret.
  const member = clusters["member-1"];
  const before = await getObject(member, "configmap", "kubesphere-config");
  const edited = before.data!["kubesphere.yaml"]!.replace(FIXTURE_JWT_SECRET, DRIFTED_JWT_SECRET);
  t.not(edited, before.data!["kubesphere.yaml"]);
  await member.kubectlOk(["patch", "-n", NAMESPACE, "configmap", "kubesphere-config", "--type", "merge", "-p", JSON.stringify({ data: { "kubesphere.yaml": edited } })]);
  try {
    const driftedRun = await audit();
    t.is(driftedRun.code, 1, driftedRun.stdout + driftedRun.stderr);
    const drifted = parse(t, driftedRun);
    t.false(drifted.healthy);
    t.true(fingerprints(drifted, "member-1").includes(secretFacts(DRIFTED_JWT_SECRET).fingerprint));
    const mandatory = drifted.findings.filter((f) => f.enforcement === "mandatory");
    t.true(mandatory.some((f) => f.ruleId === FLEET_SHARED_JWT_SECRET && f.cluster === "member-1"), JSON.stringify(mandatory, null, 2));
    t.false(mandatory.some((f) => f.cluster === "member-2"), "the 4.1 member still agrees with the host");
  } finally {
    await member.kubectlOk(["patch", "-n", NAMESPACE, "configmap", "kubesphere-config", "--type", "merge", "-p", JSON.stringify({ data: before.data })]);
  }
});

realTest("an expired client certificate: the real API server answers 401, and the audit gives the credentials verdict", NEEDED, async (t) => {
  const { ca, clusters, dir } = await fleet();
  const host = clusters.host;
  const now = Date.now();
  const expired = issueClientCertificate(ca, { commonName: "host-admin", organization: "system:masters", notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - 35 * DAY) });
  const kubeconfig = join(dir, "expired.kubeconfig");
  writeFileSync(kubeconfig, kubeconfigFor({ ...host.admin, clientCertPem: expired.certPem, clientKeyPem: expired.keyPem }), { mode: 0o600 });

  const kubectl = await runKubectl(kubeconfig, dir, ["get", "-n", NAMESPACE, "configmap", "kubesphere-config"]);
  t.not(kubectl.code, 0);
  t.regex(kubectl.stderr, /the server has asked for the client to provide credentials/, "kubectl's words for the real server's 401");

  const run = await runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", kubeconfig, "--context", "host", "--json"]);
  t.is(run.code, 1, run.stderr);
  const audit = parse(t, run);
  const verdict = audit.clusters.find((c) => c.name === "host");
  t.is(verdict?.state, "unauthorised");
  t.regex(verdict?.problem ?? "", /refused user 'host-admin' of .*expired\.kubeconfig: HTTP 401 "Unauthorized"/);
  t.regex(verdict?.problem ?? "", /the server has asked for the client to provide credentials/);
  t.regex(verdict?.problem ?? "", /expired on /);
});

realTest("a real cluster's stop() ends etcd and kube-apiserver and removes its temp dir", NEEDED, async (t) => {
  const ca = makeCertificateAuthority();
  t.teardown(() => ca.dispose());
  const cluster = await startRealCluster(ca, "stopped");
  t.teardown(() => cluster.stop());
  t.is(cluster.pids.length, 2);
  t.true(cluster.pids.every(alive), "etcd and kube-apiserver run");
  await cluster.stop();
  t.true(await gone(cluster.pids), "no etcd or kube-apiserver is left");
  t.false(existsSync(cluster.dir));
});
