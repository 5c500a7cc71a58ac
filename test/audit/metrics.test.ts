/**
 * `npm run audit -- --prometheus-textfile PATH --fleet NAME` end to end, against HTTPS API servers on 127.0.0.1 serving the KubeSphere
 * fixtures. The file is read with a real Prometheus text-format parser and checked by Prometheus's own promtool.
 */
import test from "ava";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { METRIC, METRIC_LABELS } from "../../src/audit/metrics";
import { allRules } from "../../src/rules";
import { FLEET_SHARED_JWT_SECRET } from "../../src/rules/fleetSharedJwtSecret";
import { MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE } from "../../src/rules/memberZeroAccessTokenMaxAge";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { promtool, promtoolTest } from "../helpers/promtool";
import { contextArgs, forbiddenStrings, healthyFleetSpecs, PATIENT_TIMEOUT_ARGS, runAudit, startFleet, v34DriftedMember, v34Host, v34Member, type CliRun, type LiveFleet } from "./liveFleet";

const HEALTHY = ["host", "member-1", "member-2"];
const BROKEN = ["host", "drifted", "gone", "expired"];
const contexts = contextArgs;

let ca: CertificateAuthority;
let healthy: LiveFleet;
let broken: LiveFleet;
let healthyRun: Promise<{ run: CliRun; file: string; started: number; finished: number }>;
let brokenRun: Promise<{ run: CliRun; file: string }>;

test.before(async () => {
  ca = makeCertificateAuthority();
  healthy = await startFleet(ca, healthyFleetSpecs());
  broken = await startFleet(ca, [
    { name: "host", objects: v34Host() },
    { name: "drifted", objects: v34DriftedMember() },
    { name: "gone", objects: "closed" },
    { name: "expired", objects: v34Member(), certificate: "expired" },
  ]);
  // A textfile folder: the file is named after the fleet.
  const healthyFile = join(healthy.dir, "textfile", "kubesphere-fleet-healthy.prom");
  mkdirSync(join(healthy.dir, "textfile"));
  const started = Date.now();
  healthyRun = runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", healthy.kubeconfig, ...contexts(HEALTHY), "--fleet", "healthy", "--prometheus-textfile", join(healthy.dir, "textfile")]).then((run) => ({
    run,
    file: healthyFile,
    started,
    finished: Date.now(),
  }));
  // The old flag, with a file name: still works.
  const brokenFile = join(broken.dir, "kubesphere-fleet.prom");
  brokenRun = runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", broken.kubeconfig, ...contexts(BROKEN), "--json", "--fleet", "broken", "--openmetrics", brokenFile]).then((run) => ({ run, file: brokenFile }));
});

test.after.always(async () => {
  await Promise.allSettled([healthyRun, brokenRun]);
  await healthy?.close();
  await broken?.close();
  ca?.dispose();
});

type Series = Map<string, number>;

/** Every family of the file as `name → (labels as k=v,… → value)`, via the parser; fails on anything it rejects. */
function families(text: string): Map<string, { help: string; type: string; series: Series }> {
  const parsed = parsePrometheusTextFormat(text);
  return new Map(
    parsed.map((f) => [
      f.name,
      {
        help: f.help,
        type: f.type,
        series: new Map(f.metrics.map((m) => [Object.entries(m.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","), Number(m.value)])),
      },
    ]),
  );
}

test("a healthy fleet's metrics file has every family with HELP and TYPE gauge, one series per cluster", async (t) => {
  const { run, file, started, finished } = await healthyRun;
  t.is(run.code, 0, run.stderr);
  t.true(run.stdout.includes(`Metrics of fleet 'healthy' written to ${file}`), run.stdout);
  const parsed = families(readFileSync(file, "utf8"));
  t.deepEqual([...parsed.keys()].sort(), Object.values(METRIC).sort());
  for (const [name, family] of parsed) {
    t.is(family.type, "GAUGE", name);
    t.true(family.help.length > 20, name);
    for (const labels of family.series.keys()) {
      t.deepEqual(labels === "" ? [] : labels.split(",").map((l) => l.split("=")[0]), METRIC_LABELS[name as keyof typeof METRIC_LABELS], name);
    }
  }
  t.deepEqual(parsed.get(METRIC.reachable)!.series, new Map(HEALTHY.map((c) => [`fleet=healthy,cluster=${c}`, 1])));
  t.deepEqual(parsed.get(METRIC.jwtSecretMatchesHost)!.series, new Map(HEALTHY.map((c) => [`fleet=healthy,cluster=${c}`, 1])));
  t.deepEqual(parsed.get(METRIC.memberAccessTokenMaxAge)!.series, new Map([["fleet=healthy,cluster=member-1", 0], ["fleet=healthy,cluster=member-2", 0]]));
  const expiry = parsed.get(METRIC.certificateExpiry)!.series;
  t.deepEqual([...expiry.keys()], HEALTHY.map((c) => `fleet=healthy,cluster=${c},user=${c}-admin`));
  for (const c of HEALTHY) {
    t.is(expiry.get(`fleet=healthy,cluster=${c},user=${c}-admin`), Date.parse(new X509Certificate(healthy.certificates[c]!.certPem).validTo) / 1000, c);
  }
  const at = parsed.get(METRIC.auditTimestamp)!.series.get("fleet=healthy")!;
  t.true(at * 1000 >= started - 1000 && at * 1000 <= finished, String(at));
  t.deepEqual(parsed.get(METRIC.lastRead)!.series, new Map(HEALTHY.map((c) => [`fleet=healthy,cluster=${c}`, at])));
  const violations = parsed.get(METRIC.violations)!.series;
  t.is(violations.size, HEALTHY.length * allRules().length, "one series per cluster and policy");
  t.true([...violations.values()].every((v) => v === 0));
  t.is(violations.get(`fleet=healthy,cluster=member-1,policy=${FLEET_SHARED_JWT_SECRET},enforcement_level=mandatory`), 0);
});

test("the metrics file is mode 0644, whole (no temp file left) and holds no secret", async (t) => {
  const { file } = await healthyRun;
  t.is(statSync(file).mode & 0o777, 0o644);
  t.deepEqual(readdirSync(join(healthy.dir, "textfile")), ["kubesphere-fleet-healthy.prom"]);
  const text = readFileSync(file, "utf8");
  for (const forbidden of forbiddenStrings()) t.false(text.includes(forbidden), `contains ${forbidden.slice(0, 6)}…`);
  t.false(/sha256:/.test(text), "not even a fingerprint");
});

test("a drifted, an unreachable and an expired cluster show in the metrics the alerts read", async (t) => {
  const { run, file } = await brokenRun;
  t.is(run.code, 1, run.stderr);
  t.is((JSON.parse(run.stdout) as { prometheusTextfile?: string }).prometheusTextfile, file);
  const parsed = families(readFileSync(file, "utf8"));
  t.deepEqual(parsed.get(METRIC.reachable)!.series, new Map([["fleet=broken,cluster=host", 1], ["fleet=broken,cluster=drifted", 1], ["fleet=broken,cluster=gone", 0], ["fleet=broken,cluster=expired", 0]]));
  t.deepEqual(parsed.get(METRIC.jwtSecretMatchesHost)!.series, new Map([["fleet=broken,cluster=host", 1], ["fleet=broken,cluster=drifted", 0]]));
  t.deepEqual(parsed.get(METRIC.memberAccessTokenMaxAge)!.series, new Map([["fleet=broken,cluster=drifted", 7200]]));
  const expired = parsed.get(METRIC.certificateExpiry)!.series.get("fleet=broken,cluster=expired,user=expired-admin")!;
  t.true(expired * 1000 < Date.now(), "an expired certificate's notAfter is in the past");
  const violations = parsed.get(METRIC.violations)!.series;
  t.true(violations.get(`fleet=broken,cluster=drifted,policy=${FLEET_SHARED_JWT_SECRET},enforcement_level=mandatory`)! >= 1);
  t.is(violations.get(`fleet=broken,cluster=drifted,policy=${MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE},enforcement_level=mandatory`), 1);
  t.is(violations.get(`fleet=broken,cluster=host,policy=${FLEET_SHARED_JWT_SECRET},enforcement_level=mandatory`), 0);
  // Never read (no earlier file): no state series and no last-read time for the unreachable ones, not a healthy 0.
  t.deepEqual([...parsed.get(METRIC.lastRead)!.series.keys()], ["fleet=broken,cluster=host", "fleet=broken,cluster=drifted"]);
  t.is(violations.get(`fleet=broken,cluster=gone,policy=${MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE},enforcement_level=mandatory`), undefined);
});

test("a cluster that cannot be read keeps the state series its fleet's last audit wrote, with that audit's time; nothing of another fleet, nothing the kubeconfig alone decides", async (t) => {
  const dir = join(broken.dir, "carry");
  mkdirSync(dir);
  const file = join(dir, "kubesphere-fleet-broken.prom");
  // What an earlier audit wrote when 'gone' could still be read (drifted), beside another fleet's cluster of that name.
  const policyOnKubeconfig = allRules().find((r) => r.reads?.every((x) => x === "kubeconfig"))!.id;
  writeFileSync(
    file,
    [
      `${METRIC.lastRead}{fleet="broken",cluster="gone"} 1000`,
      `${METRIC.jwtSecretMatchesHost}{fleet="broken",cluster="gone"} 0`,
      `${METRIC.memberAccessTokenMaxAge}{fleet="broken",cluster="gone"} 7200`,
      `${METRIC.violations}{fleet="broken",cluster="gone",policy="${FLEET_SHARED_JWT_SECRET}",enforcement_level="mandatory"} 2`,
      `${METRIC.violations}{fleet="broken",cluster="gone",policy="${policyOnKubeconfig}",enforcement_level="mandatory"} 5`,
      `${METRIC.jwtSecretMatchesHost}{fleet="other",cluster="expired"} 0`,
      "",
    ].join("\n"),
  );
  const run = await runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", broken.kubeconfig, ...contexts(BROKEN), "--fleet", "broken", "--prometheus-textfile", dir]);
  t.is(run.code, 1, run.stderr);
  const parsed = families(readFileSync(file, "utf8"));
  t.is(parsed.get(METRIC.reachable)!.series.get("fleet=broken,cluster=gone"), 0);
  t.is(parsed.get(METRIC.lastRead)!.series.get("fleet=broken,cluster=gone"), 1000, "the time of the audit that read it");
  t.is(parsed.get(METRIC.jwtSecretMatchesHost)!.series.get("fleet=broken,cluster=gone"), 0, "still drifted, as last read");
  t.is(parsed.get(METRIC.memberAccessTokenMaxAge)!.series.get("fleet=broken,cluster=gone"), 7200);
  const violations = parsed.get(METRIC.violations)!.series;
  t.is(violations.get(`fleet=broken,cluster=gone,policy=${FLEET_SHARED_JWT_SECRET},enforcement_level=mandatory`), 2);
  t.is(violations.get(`fleet=broken,cluster=gone,policy=${policyOnKubeconfig},enforcement_level=mandatory`), 0, "decided now from the kubeconfig, not carried");
  t.is(parsed.get(METRIC.jwtSecretMatchesHost)!.series.get("fleet=broken,cluster=expired"), undefined, "never read, and another fleet's series is not this one's");
  t.is(parsed.get(METRIC.jwtSecretMatchesHost)!.series.get("fleet=other,cluster=expired"), undefined);
});

promtoolTest("promtool check metrics accepts the audit's metrics file (healthy and broken fleets)", async (t) => {
  for (const { file } of [await healthyRun, await brokenRun]) {
    const checked = await promtool(["check", "metrics"], { input: readFileSync(file, "utf8") });
    t.is(checked.code, 0, `${checked.stdout}${checked.stderr}`);
    t.is(`${checked.stdout}${checked.stderr}`.trim(), "");
  }
});

test("without --stack, --prometheus-textfile needs --fleet; a fleet name that cannot name a file is refused; both flag names at once are refused", async (t) => {
  for (const [args, message] of [
    [["--prometheus-textfile", healthy.dir], /--prometheus-textfile needs --fleet <name> without --stack: .*Fix: add e\.g\. --fleet prod\./],
    [["--openmetrics", join(healthy.dir, "m.prom")], /--openmetrics needs --fleet <name>/],
    [["--fleet", "../etc", "--prometheus-textfile", healthy.dir], /--fleet '\.\.\/etc' cannot name the metrics file and the fleet label\. Fix: use letters/],
    [["--fleet", "a", "--prometheus-textfile", healthy.dir, "--openmetrics", healthy.dir], /--openmetrics is the old name of --prometheus-textfile; give one of them\./],
  ] as const) {
    const run = await runAudit(["--kubeconfig", healthy.kubeconfig, "--context", "host", ...args]);
    t.is(run.code, 2, run.stdout);
    t.is(run.stdout, "");
    t.regex(run.stderr, message);
  }
});

test("--openmetrics into a folder that does not exist: the report is printed, exit 2 with the fix, no file", async (t) => {
  const missing = join(healthy.dir, "no-such-folder", "kubesphere-fleet.prom");
  const run = await runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", healthy.kubeconfig, "--context", "host", "--fleet", "f", "--openmetrics", missing]);
  t.is(run.code, 2);
  t.regex(run.stdout, /KubeSphere fleet audit: 1 cluster, 1 read/);
  t.regex(run.stderr, /--openmetrics .*no-such-folder.*: the folder .*no-such-folder does not exist\. Fix: create it \(mkdir -p/);
  t.false(existsSync(join(healthy.dir, "no-such-folder")));
});

test("--prometheus-textfile under a file, or where the fleet's file is a folder, is exit 2 with the report still printed", async (t) => {
  const file = join(healthy.dir, "plain-file");
  writeFileSync(file, "x");
  mkdirSync(join(healthy.dir, "kubesphere-fleet-f.prom"));
  for (const [path, message] of [
    [healthy.dir, /--prometheus-textfile .*kubesphere-fleet-f\.prom is a folder\. Fix: give a file name/],
    [join(file, "kubesphere-fleet.prom"), /--prometheus-textfile .*plain-file.* is not a folder\. Fix/],
  ] as const) {
    const run = await runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", healthy.kubeconfig, "--context", "host", "--json", "--fleet", "f", "--prometheus-textfile", path]);
    t.is(run.code, 2, path);
    t.is((JSON.parse(run.stdout) as { healthy: boolean }).healthy, true);
    t.regex(run.stderr, message);
  }
});
