/**
 * examples/prometheus/alertmanager.yml: `amtool check-config` accepts it, and a real Alertmanager (127.0.0.1, a free
 * port, data in a temp folder) given the alerts one cause raises sends one of them: an expired kubeconfig certificate
 * mutes its cluster's "unreachable", "state not current" and certificate-policy violation; the specific drift alerts
 * mute the generic policy violation of the same finding. Drift alerts of an unreadable cluster (its state as last
 * read) are not muted, and one fleet never mutes another's cluster of the same name.
 */
import test from "ava";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { KUBECONFIG_VALID_CERTIFICATE } from "../../src/rules/certificates";
import { FLEET_SHARED_JWT_SECRET } from "../../src/rules/fleetSharedJwtSecret";
import { MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE } from "../../src/rules/memberZeroAccessTokenMaxAge";
import { ALERTMANAGER, AMTOOL, eventually, realToolTest, startDaemon } from "../helpers/realTools";

const DIR = join(__dirname, "..", "..", "examples", "prometheus");
const CONFIG = join(DIR, "alertmanager.yml");

function amtool(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) =>
    execFile(AMTOOL.command, [...args], { timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` })),
  );
}

test("the inhibit rules name only alerts of kubesphere-fleet.rules.yaml and policies the audit has, and match on fleet and cluster", (t) => {
  const config = parse(readFileSync(CONFIG, "utf8")) as { inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[] };
  const rules = parse(readFileSync(join(DIR, "kubesphere-fleet.rules.yaml"), "utf8")) as { groups: { rules: { alert?: string }[] }[] };
  const alerts = new Set(rules.groups.flatMap((g) => g.rules.map((r) => r.alert)));
  for (const rule of config.inhibit_rules) {
    t.deepEqual(rule.equal, ["fleet", "cluster"]);
    for (const matcher of [...rule.source_matchers, ...rule.target_matchers]) {
      for (const name of matcher.match(/KubeSphereFleet[A-Za-z]+/g) ?? []) t.true(alerts.has(name), name);
    }
  }
  const policies = config.inhibit_rules.flatMap((r) => r.target_matchers).flatMap((m) => [...m.matchAll(/policy="([^"]+)"/g)].map((p) => p[1]));
  t.deepEqual(policies.sort(), [FLEET_SHARED_JWT_SECRET, KUBECONFIG_VALID_CERTIFICATE, MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE].sort());
});

realToolTest([AMTOOL], "amtool check-config accepts examples/prometheus/alertmanager.yml", async (t) => {
  const run = await amtool(["check-config", CONFIG]);
  t.is(run.code, 0, run.output);
  t.regex(run.output, /SUCCESS/);
  t.regex(run.output, /5 inhibit rules/);
});

realToolTest([ALERTMANAGER, AMTOOL], "a real Alertmanager sends one alert per cause: the expired certificate, the specific drift alerts, and nothing of another fleet is muted", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kubesphere-fleet-alertmanager-"));
  const alertmanager = await startDaemon(
    ALERTMANAGER,
    (port) => [`--config.file=${CONFIG}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", "--log.level=warn"],
    "/-/ready",
  );
  t.teardown(async () => {
    await alertmanager.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `--alertmanager.url=${alertmanager.url}`;
  // What Prometheus sends for fleet staging (edge: expired kubeconfig, its drift as last read; member-1 drifted)
  // and fleet prod (its own cluster called edge, unreachable).
  const alerts: Record<string, string[]> = {
    "staging/edge expired": ["alertname=KubeSphereFleetCertificateExpired", "fleet=staging", "cluster=edge", "user=edge-admin", "severity=critical"],
    "staging/edge unreachable": ["alertname=KubeSphereFleetClusterUnreachable", "fleet=staging", "cluster=edge", "severity=warning"],
    "staging/edge state unknown": ["alertname=KubeSphereFleetClusterStateUnknown", "fleet=staging", "cluster=edge", "severity=warning"],
    "staging/edge certificate policy": ["alertname=KubeSphereFleetMandatoryViolation", "fleet=staging", "cluster=edge", `policy=${KUBECONFIG_VALID_CERTIFICATE}`, "enforcement_level=mandatory", "severity=critical"],
    "staging/edge secret as last read": ["alertname=KubeSphereFleetJwtSecretMismatch", "fleet=staging", "cluster=edge", "severity=critical"],
    "staging/member-1 secret": ["alertname=KubeSphereFleetJwtSecretMismatch", "fleet=staging", "cluster=member-1", "severity=critical"],
    "staging/member-1 secret policy": ["alertname=KubeSphereFleetMandatoryViolation", "fleet=staging", "cluster=member-1", `policy=${FLEET_SHARED_JWT_SECRET}`, "enforcement_level=mandatory", "severity=critical"],
    "staging/member-1 max age": ["alertname=KubeSphereFleetMemberAccessTokenMaxAgeNotZero", "fleet=staging", "cluster=member-1", "severity=critical"],
    "staging/member-1 max age policy": ["alertname=KubeSphereFleetMandatoryViolation", "fleet=staging", "cluster=member-1", `policy=${MEMBER_ZERO_ACCESS_TOKEN_MAX_AGE}`, "enforcement_level=mandatory", "severity=critical"],
    "prod/edge unreachable": ["alertname=KubeSphereFleetClusterUnreachable", "fleet=prod", "cluster=edge", "severity=warning"],
    "prod/edge state unknown": ["alertname=KubeSphereFleetClusterStateUnknown", "fleet=prod", "cluster=edge", "severity=warning"],
  };
  for (const labels of Object.values(alerts)) {
    const added = await amtool(["alert", "add", url, ...labels]);
    t.is(added.code, 0, added.output);
  }
  const key = (labels: Record<string, string>) => Object.entries(alerts).find(([, l]) => l.every((pair) => labels[pair.split("=")[0]!] === pair.split("=").slice(1).join("=")) && l.length === Object.keys(labels).length)?.[0];
  const states = await eventually("every alert with its state", async () => {
    const query = await amtool(["alert", "query", url, "--active", "--inhibited", "--output=json"]);
    const listed = JSON.parse(query.output) as { labels: Record<string, string>; status: { state: string } }[];
    return listed.length === Object.keys(alerts).length ? Object.fromEntries(listed.map((a) => [key(a.labels), a.status.state])) : undefined;
  });
  t.deepEqual(states, {
    "staging/edge expired": "active",
    "staging/edge unreachable": "suppressed",
    "staging/edge state unknown": "suppressed",
    "staging/edge certificate policy": "suppressed",
    "staging/edge secret as last read": "active",
    "staging/member-1 secret": "active",
    "staging/member-1 secret policy": "suppressed",
    "staging/member-1 max age": "active",
    "staging/member-1 max age policy": "suppressed",
    "prod/edge unreachable": "active",
    "prod/edge state unknown": "suppressed",
  });
});
