/**
 * examples/prometheus: the alerting rules pass `promtool check rules`, their unit tests pass `promtool test rules`,
 * and they use exactly the metric names and labels `npm run audit -- --prometheus-textfile` writes.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { METRIC, METRIC_LABELS } from "../../src/audit/metrics";
import { promtool, promtoolTest } from "../helpers/promtool";

const DIR = join(__dirname, "..", "..", "examples", "prometheus");
const RULES = "kubesphere-fleet.rules.yaml";
const RULE_TESTS = "kubesphere-fleet.rules.test.yaml";
/** What Prometheus adds when it scrapes node_exporter, beside the audit's own labels. */
const SCRAPE_LABELS = ["instance", "job"];

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}
interface RuleTests {
  rule_files: string[];
  tests: { input_series: { series: string }[]; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const rules = parse(readFileSync(join(DIR, RULES), "utf8")) as RuleFile;
const ruleTests = parse(readFileSync(join(DIR, RULE_TESTS), "utf8")) as RuleTests;
const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
const metricNames = (text: string) => [...text.matchAll(/\bkubesphere_fleet_[a-z_]+/g)].map((m) => m[0]);

promtoolTest("promtool check rules accepts examples/prometheus/kubesphere-fleet.rules.yaml", async (t) => {
  const run = await promtool(["check", "rules", RULES], { cwd: DIR });
  t.is(run.code, 0, `${run.stdout}${run.stderr}`);
  t.regex(run.stdout, new RegExp(`SUCCESS: ${alerts.length} rules found`));
});

promtoolTest("promtool test rules: every alert fires on a broken fleet and stays silent on a healthy one", async (t) => {
  const run = await promtool(["test", "rules", RULE_TESTS], { cwd: DIR });
  t.is(run.code, 0, `${run.stdout}${run.stderr}`);
  t.regex(run.stdout, /SUCCESS/);
});

test("the rules and their unit tests name only metrics the audit writes, and use each one", (t) => {
  const written = new Set<string>(Object.values(METRIC));
  const inRules = alerts.flatMap((a) => metricNames(a.expr));
  const inSeries = ruleTests.tests.flatMap((c) => c.input_series.flatMap((s) => metricNames(s.series)));
  t.deepEqual([...new Set([...inRules, ...inSeries])].filter((n) => !written.has(n)), []);
  t.deepEqual([...written].filter((n) => !inRules.includes(n)), [], "every metric has an alert");
});

test("the unit tests feed series with the audit's labels (plus instance and job from the scrape)", (t) => {
  for (const { series } of ruleTests.tests.flatMap((c) => c.input_series)) {
    const [name] = metricNames(series);
    if (!name) continue;
    const labels = [...series.matchAll(/([a-z_]+)="/g)].map((m) => m[1]!).filter((l) => !SCRAPE_LABELS.includes(l));
    t.deepEqual(labels, [...METRIC_LABELS[name as keyof typeof METRIC_LABELS]], series);
  }
});

test("the issue's alerts exist, each with a severity, a summary and a description, and each is tested firing and silent", (t) => {
  const names = alerts.map((a) => a.alert!);
  for (const name of [
    "KubeSphereFleetCertificateExpiringSoon",
    "KubeSphereFleetMemberAccessTokenMaxAgeNotZero",
    "KubeSphereFleetJwtSecretMismatch",
    "KubeSphereFleetClusterUnreachable",
    "KubeSphereFleetAuditNotRun",
    "KubeSphereFleetCertificateExpired",
    "KubeSphereFleetClusterStateUnknown",
  ]) {
    t.true(names.includes(name), name);
  }
  const alert = (name: string) => alerts.find((a) => a.alert === name)!;
  // An expired certificate is its own critical alert, not "expires in -2531d" at warning.
  t.is(alert("KubeSphereFleetCertificateExpired").labels!["severity"], "critical");
  t.regex(alert("KubeSphereFleetCertificateExpiringSoon").expr, /^0 < /);
  t.regex(alert("KubeSphereFleetCertificateExpired").annotations!["summary"]!, /expired \{\{ \$value \| humanizeDuration \}\} ago/);
  // Per fleet: no aggregation that would let one fleet's audit hide another's.
  t.notRegex(alert("KubeSphereFleetAuditNotRun").expr, /\b(max|min|avg|sum)\s*\(/);
  for (const a of alerts) t.regex(a.annotations!["summary"]!, /fleet|\$labels\.fleet/, a.alert);
  t.true(metricNames(alerts.find((a) => a.alert === "KubeSphereFleetCertificateExpiringSoon")!.expr).includes(METRIC.certificateExpiry));
  t.regex(alerts.find((a) => a.alert === "KubeSphereFleetCertificateExpiringSoon")!.expr, /30 \* 86400/);
  t.regex(alerts.find((a) => a.alert === "KubeSphereFleetAuditNotRun")!.expr, /2 \* 3600/);
  const cases = ruleTests.tests.flatMap((c) => c.alert_rule_test);
  for (const alert of alerts) {
    t.truthy(alert.labels?.["severity"], alert.alert);
    t.truthy(alert.annotations?.["summary"] && alert.annotations?.["description"], alert.alert);
    t.true(cases.some((c) => c.alertname === alert.alert && c.exp_alerts.length > 0), `${alert.alert} is tested firing`);
    t.true(cases.some((c) => c.alertname === alert.alert && c.exp_alerts.length === 0), `${alert.alert} is tested silent`);
  }
});
