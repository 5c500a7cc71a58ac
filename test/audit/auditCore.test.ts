/**
 * The audit core in this process, still through real TLS: client-node's reader against the test API server, the
 * per-cluster timeout, partial reads, the concurrency bound, the snapshot writer and the colour switch.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { parseAuditArgs } from "../../src/audit/auditArgs";
import { run } from "../../src/cli/audit";
import { auditCluster, ClusterState, type AuditTarget } from "../../src/audit/auditCluster";
import { auditFleet, mapBounded } from "../../src/audit/auditFleet";
import { COLOUR, formatText, PLAIN } from "../../src/audit/format";
import { kubeconfigReader } from "../../src/audit/kubeconfigReader";
import { DEFAULT_KUBESPHERE_NAMES } from "../../src/model/kubernetesObjects";
import { defaultRuleOptions } from "../../src/rules";
import { LAST_APPLIED_ANNOTATION, snapshotYaml, writeClusterSnapshot } from "../../src/snapshot/writeSnapshot";
import { CREDENTIAL_REFRESH_STEPS } from "../../src/model/credentials";
import { issueClientCertificate, kubeconfigFor, makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { stringify } from "yaml";
import { PATIENT_TIMEOUT_ARGS, PATIENT_TIMEOUT_MS, startFleet, v34Host, v34Member, type LiveFleet } from "./liveFleet";

let ca: CertificateAuthority;
let fleet: LiveFleet;
let scratch: string;

test.before(async () => {
  ca = makeCertificateAuthority();
  fleet = await startFleet(ca, [
    { name: "host", objects: v34Host() },
    { name: "member-1", objects: v34Member(), forbidden: ["secrets"] },
    { name: "hung", objects: "silent" },
    { name: "gone", objects: "closed" },
    { name: "proxied", objects: v34Member(), certificate: "expired", rejectInvalidCertificates: "handshake" },
  ]);
  scratch = mkdtempSync(join(tmpdir(), "kubesphere-fleet-snapshot-"));
});

test.after.always(async () => {
  await fleet?.close();
  ca?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function targetFor(context: string): AuditTarget {
  const base = new KubeConfig();
  base.loadFromFile(fleet.kubeconfig);
  base.setCurrentContext(context);
  const server = base.getCurrentCluster()!.server;
  return { name: context, context, server, user: base.getCurrentUser()!, kubeconfigSource: fleet.kubeconfig, reader: kubeconfigReader(base) };
}

const options = { names: DEFAULT_KUBESPHERE_NAMES, timeoutMs: PATIENT_TIMEOUT_MS };

test("a cluster that accepts the connection and never answers is reported as a timeout within the bound", async (t) => {
  const audit = await auditCluster(targetFor("hung"), { ...options, timeoutMs: 300 });
  t.is(audit.state, ClusterState.timeout);
  t.like(audit.failure, { kind: "timeout" });
  t.deepEqual(audit.objects, []);
  t.is(audit.credentials.kind, "client-certificate", "credentials are known even when the cluster is not");
});

test("a Secret the user may not read (403) is a note; the cluster is still read and evaluated", async (t) => {
  const audit = await auditCluster(targetFor("member-1"), options);
  t.is(audit.state, ClusterState.read);
  t.deepEqual(audit.notes, [
    `Secret kubesphere-system/kubesphere-secret could not be read (forbidden: secrets "kubesphere-secret" is forbidden: User "member-1-admin" cannot get resource "secrets" in API group "" in the namespace "kubesphere-system")`,
  ]);
  t.deepEqual(audit.objects.map((o) => o.kind).sort(), ["ClusterConfiguration", "ConfigMap", "Deployment"]);
  t.is(audit.view.version, "3.4");
});

test("the reader returns objects exactly as the API sent them, server metadata included", async (t) => {
  const audit = await auditCluster(targetFor("host"), options);
  const configMap = audit.objects.find((o) => o.kind === "ConfigMap") as { metadata: Record<string, unknown> };
  t.is(configMap.metadata["creationTimestamp"], "2026-01-05T10:00:00Z", "a string, not a Date");
  t.true(Array.isArray(configMap.metadata["managedFields"]));
  t.truthy((configMap.metadata["annotations"] as Record<string, string>)[LAST_APPLIED_ANNOTATION]);
});

test("a fleet audit keeps the order of its targets and runs the rules over every cluster read", async (t) => {
  const audit = await auditFleet([targetFor("gone"), targetFor("host"), targetFor("member-1")], {
    ...options,
    concurrency: 2,
    rules: defaultRuleOptions(),
  });
  t.deepEqual(audit.clusters.map((c) => [c.target.name, c.state]), [
    ["gone", "unreachable"],
    ["host", "read"],
    ["member-1", "read"],
  ]);
  t.false(audit.healthy, "an unreachable cluster is not healthy");
  t.deepEqual(audit.findings.filter((f) => f.enforcement === "mandatory"), []);
});

test("mapBounded never runs more than the limit at once and keeps the input order", async (t) => {
  let running = 0;
  let peak = 0;
  const results = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setImmediate(resolve));
    running--;
    return n * 10;
  });
  t.deepEqual(results, [50, 10, 40, 20, 30, 0]);
  t.is(peak, 2);
});

test("the snapshot drops managedFields and the last-applied annotation but keeps other annotations", (t) => {
  const text = snapshotYaml({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "kubesphere-config", namespace: "kubesphere-system", annotations: { [LAST_APPLIED_ANNOTATION]: "{...}", "meta.helm.sh/release-name": "ks-core" }, managedFields: [{ manager: "kubectl" }] },
    data: { "kubesphere.yaml": "authentication:\n  jwtSecret: x\n" },
  });
  t.is(
    text,
    [
      "apiVersion: v1",
      "data:",
      "  kubesphere.yaml: |",
      "    authentication:",
      "      jwtSecret: x",
      "kind: ConfigMap",
      "metadata:",
      "  annotations:",
      "    meta.helm.sh/release-name: ks-core",
      "  name: kubesphere-config",
      "  namespace: kubesphere-system",
      "",
    ].join("\n"),
  );
});

test("saving over an older snapshot removes objects that are gone and tightens an old file's mode to 0600", (t) => {
  const dir = join(scratch, "resave");
  mkdirSync(join(dir, "member-1"), { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, "member-1", "clusterconfiguration-ks-installer.yaml"), "stale: true\n");
  writeFileSync(join(dir, "member-1", "configmap-kubesphere-config.yaml"), "old: true\n", { mode: 0o644 });
  chmodSync(join(dir, "member-1", "configmap-kubesphere-config.yaml"), 0o644);
  const written = writeClusterSnapshot(dir, "member-1", [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kubesphere-config", namespace: "kubesphere-system" }, data: {} }]);
  t.deepEqual(written, [join(dir, "member-1", "configmap-kubesphere-config.yaml")]);
  t.deepEqual(readdirSync(join(dir, "member-1")), ["configmap-kubesphere-config.yaml"]);
  t.is(statSync(written[0]!).mode & 0o777, 0o600);
  t.is(statSync(join(dir, "member-1")).mode & 0o777, 0o700);
  t.regex(readFileSync(written[0]!, "utf8"), /^apiVersion: v1\n/);
});

test("a cluster name cannot escape the snapshot folder", (t) => {
  const dir = join(scratch, "escape");
  const [path] = writeClusterSnapshot(dir, "../outside", [{ apiVersion: "v1", kind: "Secret", metadata: { name: "../../x" } }]);
  t.true(path!.startsWith(dir + "/"), path);
  t.deepEqual(readdirSync(dir), ["__outside"]);
  t.deepEqual(readdirSync(join(dir, "__outside")), ["secret-__.._x.yaml"]);
  t.false(readdirSync(scratch).includes("outside"));
});

test("colour only on a terminal without NO_COLOR and without --json", async (t) => {
  const args = (argv: string[], isTty: boolean, env: NodeJS.ProcessEnv = {}) => parseAuditArgs(argv, { projectDir: scratch, isTty, env });
  t.like(args([], true), { colour: true });
  t.like(args([], false), { colour: false });
  t.like(args([], true, { NO_COLOR: "1" }), { colour: false });
  t.like(args(["--json"], true), { colour: false });
  t.like(args(["--no-color"], true), { colour: false });
  const audit = await auditFleet([targetFor("host")], { ...options, concurrency: 1, rules: defaultRuleOptions() });
  t.true(formatText(audit, COLOUR).includes("\u001b[32mread\u001b[0m"));
  t.false(formatText(audit, PLAIN).includes("\u001b["));
});

/** A kubeconfig whose user runs an exec credential plugin (this Node, running `script`). */
function execTarget(name: string, script: string): AuditTarget {
  const path = join(scratch, `${name}.js`);
  writeFileSync(path, script);
  const base = new KubeConfig();
  base.loadFromFile(fleet.kubeconfig);
  base.setCurrentContext("host");
  const cluster = base.getCurrentCluster()!;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "host-cluster", cluster: { server: cluster.server, "certificate-authority-data": cluster.caData } }],
      users: [{ name: "sso", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: process.execPath, args: [path], interactiveMode: "Never" } } }],
      contexts: [{ name, context: { cluster: "host-cluster", user: "sso" } }],
      "current-context": name,
    }),
  );
  return { name, context: name, server: cluster.server, user: kubeConfig.getCurrentUser()!, kubeconfigSource: "exec.kubeconfig", reader: kubeconfigReader(kubeConfig) };
}

test("an exec credential plugin is run by client-node and reported as exec auth (no certificate to check)", async (t) => {
  const cert = fleet.certificates["host"]!;
  const credential = { apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { clientCertificateData: cert.certPem, clientKeyData: cert.keyPem } };
  const audit = await auditCluster(execTarget("sso", `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});`), options);
  t.is(audit.state, ClusterState.read);
  t.like(audit.credentials, { kind: "exec", user: "sso", source: "exec.kubeconfig" });
  t.is(audit.credentials.notAfter, undefined);
});

test("a failing exec plugin fails that cluster without echoing what the plugin printed", async (t) => {
  const audit = await auditCluster(execTarget("sso-broken", `process.stderr.write("pluginSecretTokenXYZ"); process.exit(3);`), options);
  t.is(audit.state, ClusterState.credentialsUnavailable);
  t.regex(audit.failure?.detail ?? "", /^the exec credential plugin 'node' exited with code 3 \(its output is not shown/);
  t.false(JSON.stringify(audit.failure).includes("pluginSecretTokenXYZ"), JSON.stringify(audit.failure));
});

test("under TLS 1.3 a handshake refusal of an expired certificate is a bare hang-up, still diagnosed as the certificate", async (t) => {
  const audit = await auditFleet([targetFor("proxied")], { ...options, concurrency: 1, rules: defaultRuleOptions() });
  const report = audit.reports[0]!;
  t.is(report.state, "certificate-rejected");
  t.regex(report.problem ?? "", /refused user 'proxied-admin' of .*: its TLS layer refused the client certificate: the server closed the connection right after the TLS handshake \(ECONNRESET\)\. The client certificate expired on /);
});

test("a valid certificate the server does not accept (another CA) gets 401, and the report gives the refresh steps itself", async (t) => {
  const other = makeCertificateAuthority();
  t.teardown(() => other.dispose());
  const stranger = issueClientCertificate(other, { commonName: "stranger", notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000 * 200) });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(
    kubeconfigFor({ server: fleet.servers["host"]!.url, caPem: ca.certPem, clientCertPem: stranger.certPem, clientKeyPem: stranger.keyPem, user: "stranger", context: "host", cluster: "host" }),
  );
  const target: AuditTarget = { name: "host", context: "host", server: fleet.servers["host"]!.url, user: kubeConfig.getCurrentUser()!, kubeconfigSource: "stranger.kubeconfig", reader: kubeconfigReader(kubeConfig) };
  const audit = await auditFleet([target], { ...options, concurrency: 1, rules: defaultRuleOptions() });
  const report = audit.reports[0]!;
  t.is(report.state, "unauthorised");
  t.deepEqual(audit.findings.filter((f) => f.enforcement === "mandatory"), [], "the certificate itself is valid");
  t.true((report.problem ?? "").includes(`refused user 'stranger' of stranger.kubeconfig: HTTP 401 "Unauthorized"`));
  t.true((report.problem ?? "").includes(CREDENTIAL_REFRESH_STEPS[0]), "no finding covers it, so the steps are here");
});

test("--save leaves an earlier folder of a cluster that could not be read, and says it is stale", async (t) => {
  const dir = join(scratch, "stale");
  mkdirSync(join(dir, "gone"), { recursive: true });
  writeFileSync(join(dir, "gone", "configmap-kubesphere-config.yaml"), "apiVersion: v1\n");
  const result = await run([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, "--context", "host", "--context", "gone", "--save", dir, "--json"], {}, false);
  t.is(result.code, 1);
  t.deepEqual((JSON.parse(result.stdout) as { snapshot: unknown }).snapshot, { dir, clusters: ["host"], stale: ["gone"] });
  const text = await run([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, "--context", "host", "--context", "gone", "--save", dir], {}, false);
  t.true(text.stdout.includes(`The folder of 'gone' in ${dir} is from an earlier run: 'gone' could not be read now.`));
});

test("--save into a folder that cannot be made is bad input before any cluster is read", async (t) => {
  // A dangling symlink on the way: the folder above is writable, yet nothing can be made under the link.
  const dangling = join(scratch, "dangling");
  symlinkSync(join(scratch, "nowhere"), dangling);
  const dir = join(dangling, "snapshot");
  const before = fleet.servers["host"]!.requests.length;
  const result = await run([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, "--context", "host", "--context", "gone", "--save", dir], {}, false);
  t.is(result.code, 2, result.stdout + result.stderr);
  t.is(result.stderr, `audit: --save ${dir} cannot be created (ENOENT). Fix: give a folder you can write to, or a path whose existing part is real folders (no dangling symlink).\n`);
  t.is(result.stdout, "");
  t.is(fleet.servers["host"]!.requests.length, before, "no cluster was read");
  t.false(existsSync(join(scratch, "nowhere")));
});

test("--save when no cluster could be read says that nothing was written, and leaves no folder it made", async (t) => {
  const dir = join(scratch, "never-read", "snapshot");
  const text = await run([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, "--context", "gone", "--save", dir], {}, false);
  t.is(text.code, 1, text.stderr);
  t.notRegex(text.stdout, /Snapshot of 0 clusters written/);
  t.true(text.stdout.includes(`No snapshot written: no cluster could be read, so nothing was saved to ${dir} (the folder made for it was removed again).`), text.stdout);
  t.false(existsSync(join(scratch, "never-read")), "the folders made for it are gone");
  const json = await run([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, "--context", "gone", "--save", dir, "--json"], {}, false);
  t.deepEqual((JSON.parse(json.stdout) as { snapshot: unknown }).snapshot, { dir, clusters: [], stale: [] });
});

test("--save and --openmetrics never write through a planted symlink, nor replace a FIFO: exit 2 naming the path and the fix", async (t) => {
  const dir = join(scratch, "planted");
  const away = join(scratch, "planted-outside");
  mkdirSync(away, { recursive: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(away, join(dir, "host"));
  const saved = await run([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, "--context", "host", "--save", dir], {}, false);
  t.is(saved.code, 2, saved.stdout + saved.stderr);
  t.regex(saved.stderr, new RegExp(`^audit: --save ${join(dir, "host")} is not a folder \\(a symlink, or a file\\); a snapshot is never written through one\\. Fix: remove it`));
  t.deepEqual(readdirSync(away), [], "the jwtSecret did not land outside the snapshot folder");

  const fifo = join(scratch, "metrics.fifo");
  execFileSync("mkfifo", [fifo]);
  const link = join(scratch, "metrics-link.prom");
  const victim = join(away, "victim.prom");
  writeFileSync(victim, "untouched\n");
  symlinkSync(victim, link);
  for (const [path, what] of [
    [fifo, "is a FIFO \\(named pipe\\), not a regular file; only a regular file is replaced\\. Fix: give a path that is a regular file or does not exist yet\\."],
    [link, "is a symlink; a file is never written through one, it could lead anywhere\\. Fix: remove the link"],
  ] as const) {
    const metrics = await run([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, "--context", "host", "--fleet", "test", "--openmetrics", path], {}, false);
    t.is(metrics.code, 2, metrics.stderr);
    t.regex(metrics.stderr, new RegExp(`^audit: --openmetrics ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} ${what}`));
    t.regex(metrics.stdout, /host/, "the report is still printed");
  }
  t.true(lstatSync(fifo).isFIFO());
  t.true(lstatSync(link).isSymbolicLink());
  t.is(readFileSync(victim, "utf8"), "untouched\n");
});
