/**
 * The chain an operator runs, with the real tools: the audit of two fleets (both with a cluster called `host`)
 * writes into one textfile folder, Debian's node_exporter serves both through its textfile collector, and Prometheus
 * scrapes it and evaluates examples/prometheus/kubesphere-fleet.rules.yaml. Then a drifted member becomes
 * unreachable, and its drift alerts stay active: never resolved by a cluster the audit could not read.
 * Everything listens on 127.0.0.1 on free ports, with short intervals, data in temp folders, and stops on every path.
 */
import test, { type ExecutionContext } from "ava";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { METRIC, parseMetrics } from "../../src/audit/metrics";
import { FLEET_SHARED_JWT_SECRET } from "../../src/rules/fleetSharedJwtSecret";
import { MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE } from "../../src/rules/memberZeroAccessTokenMaxAge";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { eventually, NODE_EXPORTER, PROMETHEUS, realToolTest, startDaemon, type Daemon } from "../helpers/realTools";
import { contextArgs, healthyFleetSpecs, PATIENT_TIMEOUT_ARGS, REPO, runAudit, startFleet, v34DriftedMember, v34Host, v41Member, type LiveFleet } from "./liveFleet";

const RULES = join(REPO, "examples", "prometheus", "kubesphere-fleet.rules.yaml");
const PROD = ["host", "member-1", "member-2"];
const STAGING = ["host", "drifted", "member-2"];

let ca: CertificateAuthority;
let prod: LiveFleet;
let staging: LiveFleet;
let dir: string;

test.before(async () => {
  ca = makeCertificateAuthority();
  prod = await startFleet(ca, healthyFleetSpecs());
  staging = await startFleet(ca, [
    { name: "host", objects: v34Host() },
    { name: "drifted", objects: v34DriftedMember() },
    { name: "member-2", objects: v41Member() },
  ]);
  dir = mkdtempSync(join(tmpdir(), "kubesphere-fleet-textfile-"));
});

test.after.always(async () => {
  await prod?.close();
  await staging?.close();
  ca?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const textfile = () => join(dir, "textfile");
const auditProd = () => runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", prod.kubeconfig, ...contextArgs(PROD), "--fleet", "prod", "--prometheus-textfile", textfile()]);
const auditStaging = () => runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", staging.kubeconfig, ...contextArgs(STAGING), "--fleet", "staging", "--prometheus-textfile", textfile()]);

/** `name{k="v",…}` with labels sorted, for comparing series across the file and the scrape. */
const seriesKey = (name: string, labels: Record<string, string>) => `${name}{${Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`).join(",")}}`;

interface ActiveAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
}

async function alertsOf(prometheus: Daemon): Promise<ActiveAlert[]> {
  const response = await fetch(`${prometheus.url}/api/v1/alerts`);
  return ((await response.json()) as { data: { alerts: ActiveAlert[] } }).data.alerts;
}

async function query(prometheus: Daemon, promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  return ((await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}

const alertKey = (a: ActiveAlert) => [a.labels["alertname"], a.labels["fleet"], a.labels["cluster"], a.labels["policy"]].filter(Boolean).join(" ");

async function startChain(t: ExecutionContext): Promise<{ nodeExporter: Daemon; prometheus: Daemon }> {
  const nodeExporter = await startDaemon(
    NODE_EXPORTER,
    (port) => [`--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", "--collector.textfile", `--collector.textfile.directory=${textfile()}`],
    "/metrics",
  );
  t.teardown(() => nodeExporter.stop());
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      `rule_files: [${JSON.stringify(RULES)}]`,
      "scrape_configs:",
      `  - { job_name: node, static_configs: [{ targets: [${JSON.stringify(nodeExporter.url.replace("http://", ""))}] }] }`,
      "",
    ].join("\n"),
  );
  const prometheus = await startDaemon(PROMETHEUS, (port) => [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], "/-/ready", 60_000);
  t.teardown(() => prometheus.stop());
  return { nodeExporter, prometheus };
}

realToolTest(
  [NODE_EXPORTER, PROMETHEUS],
  "two fleets share node_exporter's textfile folder: every series of both served (scrape error 0), Prometheus alerts on the broken fleet only, and a drifted member that becomes unreachable keeps its drift alerts active",
  async (t) => {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(textfile());
    const [prodRun, stagingRun] = await Promise.all([auditProd(), auditStaging()]);
    t.is(prodRun.code, 0, prodRun.stdout + prodRun.stderr);
    t.is(stagingRun.code, 1, stagingRun.stderr);
    t.deepEqual(readdirSync(textfile()).sort(), ["kubesphere-fleet-prod.prom", "kubesphere-fleet-staging.prom"]);

    const { nodeExporter, prometheus } = await startChain(t);

    // node_exporter: both files, every series, no scrape error, nothing dropped as "collected before".
    const scraped = await (await fetch(`${nodeExporter.url}/metrics`)).text();
    const families = parsePrometheusTextFormat(scraped);
    const served = new Map<string, number>();
    for (const family of families) for (const m of family.metrics) served.set(seriesKey(family.name, m.labels ?? {}), Number(m.value));
    t.is(served.get(seriesKey("node_textfile_scrape_error", {})), 0);
    let written = 0;
    for (const file of readdirSync(textfile())) {
      for (const sample of parseMetrics(readFileSync(join(textfile(), file), "utf8"))) {
        written++;
        t.is(served.get(seriesKey(sample.name, sample.labels)), sample.value, `${file}: ${seriesKey(sample.name, sample.labels)}`);
      }
    }
    t.true(written > 60, String(written));
    t.is(served.get(seriesKey(METRIC.reachable, { fleet: "prod", cluster: "host" })), 1);
    t.is(served.get(seriesKey(METRIC.reachable, { fleet: "staging", cluster: "host" })), 1);
    t.notRegex(nodeExporter.log(), /collected before/);

    // Prometheus with the example rules: the drifted member's alerts, and nothing for prod.
    const expected = [
      "KubeSphereFleetJwtSecretMismatch staging drifted",
      "KubeSphereFleetMemberAccessTokenMaxAgeNotZero staging drifted",
      `KubeSphereFleetMandatoryViolation staging drifted ${FLEET_SHARED_JWT_SECRET}`,
      `KubeSphereFleetMandatoryViolation staging drifted ${MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE}`,
    ].sort();
    const before = await eventually("the drifted member's alerts", async () => {
      const alerts = await alertsOf(prometheus);
      return expected.every((k) => alerts.some((a) => alertKey(a) === k)) ? alerts : undefined;
    }, 60_000);
    // A few more evaluations: still exactly these, none for prod.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    t.deepEqual((await alertsOf(prometheus)).map(alertKey).sort(), expected);
    const activeAt = new Map(before.map((a) => [alertKey(a), a.activeAt]));

    // Drift, then unreachable: the next audit cannot read the drifted member.
    await staging.servers["drifted"]!.close();
    const again = await auditStaging();
    t.is(again.code, 1, again.stderr);
    await eventually("the scrape of the second audit", async () => {
      const result = await query(prometheus, `${METRIC.reachable}{fleet="staging",cluster="drifted"} == 0`);
      return result.length === 1 ? result : undefined;
    }, 60_000);
    const after = await eventually("the unreachable member's alerts", async () => {
      const alerts = await alertsOf(prometheus);
      return alerts.some((a) => alertKey(a) === "KubeSphereFleetClusterUnreachable staging drifted") && alerts.some((a) => alertKey(a) === "KubeSphereFleetClusterStateUnknown staging drifted") ? alerts : undefined;
    }, 60_000);
    for (const key of expected) {
      const alert = after.find((a) => alertKey(a) === key);
      t.truthy(alert, `${key} is still active`);
      t.is(alert?.activeAt, activeAt.get(key), `${key} never resolved in between`);
    }
    t.deepEqual(after.filter((a) => a.labels["fleet"] !== "staging"), [], "nothing for prod");
  },
  { serial: true },
);
