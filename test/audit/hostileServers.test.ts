/**
 * The audit against API servers that are broken or hostile, through real TLS on 127.0.0.1: one malformed object,
 * a server that echoes the request's credentials, answers far larger than any KubeSphere object, a redirect to
 * another port, and an exec credential plugin that never finishes. Each cluster's verdict stays its own, every
 * read is bounded, and no credential leaves.
 */
import test, { type ExecutionContext } from "ava";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { stringify } from "yaml";
import { run } from "../../src/cli/audit";
import { timeScale } from "../helpers/checkCli";
import { alive, gone } from "../helpers/processes";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { type ServedObject } from "../helpers/apiServer";
import { PATIENT_TIMEOUT_ARGS, runAudit, startFleet, v34Host, v34Member, type CliRun, type LiveFleet } from "./liveFleet";

interface JsonCluster {
  name: string;
  state: string;
  problem?: string;
  notes: string[];
}
interface JsonAudit {
  healthy: boolean;
  clusters: JsonCluster[];
  findings: { ruleId: string; cluster?: string; clusters?: string[]; message: string }[];
  snapshot?: { dir: string; clusters: string[]; stale: string[] };
}

const TOKEN = "echoedBearerTokenQQQQQQQQQQQQQQQQ";
const PASSWORD = "echoedPasswordWWWWWWWW";
const REDIRECT_TOKEN = "redirectedBearerTokenZZZZZZZZZZZZ";
const MIB = 1024 * 1024;
/** What a hostile server offers: far more than the cap, little enough that a reader without one still finishes. */
const OFFERED_BYTES = 48 * MIB;

let ca: CertificateAuthority;
let fleet: LiveFleet;
/** Bytes each endless server managed to send before the audit hung up. */
const sent: Record<string, number> = {};

/** The server's answer to every request: a 401 Status whose message repeats the request's credentials. */
function echoCredentials(req: IncomingMessage, res: ServerResponse): boolean {
  const key = fleet.certificates["echo"]!.keyPem;
  const message = `Unauthorized: got Authorization "${req.headers.authorization}"; token ${TOKEN}; password ${PASSWORD}; basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}; key ${key.split("\n")[1]}`;
  const body = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "Unauthorized", code: 401 });
  res.writeHead(401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/**
 * A JSON object of `OFFERED_BYTES` on the given resource path: a ConfigMap or Secret whose one value is huge,
 * announced by Content-Length or streamed chunked. Counts what was sent until the client hung up.
 */
function huge(name: string, plural: "configmaps" | "secrets", announce: boolean) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.includes(`/${plural}/`)) return false;
    const kind = plural === "configmaps" ? "ConfigMap" : "Secret";
    const head = `{"apiVersion":"v1","kind":"${kind}","metadata":{"name":"x","namespace":"kubesphere-system"},"data":{"kubesphere.yaml":"`;
    const tail = `"}}`;
    res.writeHead(200, { "content-type": "application/json", ...(announce ? { "content-length": OFFERED_BYTES } : {}) });
    const chunk = Buffer.alloc(256 * 1024, "a");
    let remaining = OFFERED_BYTES - head.length - tail.length;
    sent[name] = 0;
    let open = true;
    res.on("close", () => (open = false));
    res.on("error", () => (open = false));
    const pump = () => {
      if (sent[name] === 0) {
        res.write(head);
        sent[name] = head.length;
      }
      while (open && remaining > 0) {
        const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
        remaining -= piece.length;
        sent[name]! += piece.length;
        if (!res.write(piece)) return void res.once("drain", pump);
      }
      if (open) res.end(tail);
    };
    pump();
    return true;
  };
}

function withReplicas(objects: ServedObject[], replicas: unknown): ServedObject[] {
  return objects.map((o) => (o.kind === "Deployment" ? { ...o, spec: { ...(o["spec"] as object), replicas } } : o));
}

test.before(async () => {
  ca = makeCertificateAuthority();
  fleet = await startFleet(ca, [
    { name: "host", objects: v34Host() },
    { name: "odd", objects: withReplicas(v34Member(), "many") },
    { name: "echo", objects: v34Member(), intercept: echoCredentials, userFields: { token: TOKEN, username: "admin", password: PASSWORD } },
    { name: "elsewhere", objects: v34Member() },
    {
      name: "redirecting",
      objects: v34Member(),
      userFields: { token: REDIRECT_TOKEN },
      intercept: (req, res) => {
        res.writeHead(302, { location: `${fleet.servers["elsewhere"]!.url}${req.url}` });
        res.end();
        return true;
      },
    },
    { name: "huge-announced", objects: v34Member(), intercept: huge("huge-announced", "configmaps", true) },
    { name: "huge-streamed", objects: v34Member(), intercept: huge("huge-streamed", "configmaps", false) },
    { name: "huge-secret", objects: v34Member(), intercept: huge("huge-secret", "secrets", false) },
  ]);
});

test.after.always(async () => {
  await fleet?.close();
  ca?.dispose();
});

const contexts = (names: readonly string[]) => names.flatMap((n) => ["--context", n]);

async function audit(names: readonly string[], ...more: string[]): Promise<{ text: CliRun; json: JsonAudit; jsonRun: CliRun }> {
  const args = [...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, ...contexts(names), ...more];
  const jsonRun = await run([...args, "--json"], {}, false);
  const text = await run(args, {}, false);
  return { text, jsonRun, json: JSON.parse(jsonRun.stdout) as JsonAudit };
}

function cluster(audit: JsonAudit, name: string): JsonCluster {
  const found = audit.clusters.find((c) => c.name === name);
  if (!found) throw new Error(`no cluster ${name} in ${JSON.stringify(audit)}`);
  return found;
}

function assertAbsent(t: ExecutionContext, runs: readonly CliRun[], values: readonly string[]): void {
  for (const r of runs) for (const value of values) t.false(r.stdout.includes(value) || r.stderr.includes(value), `the output holds ${value.slice(0, 12)}…`);
}

test("one ks-apiserver Deployment with spec.replicas: \"many\" gets a note; the audit still reports every cluster", async (t) => {
  const { json, jsonRun, text } = await audit(["host", "odd"]);
  t.notRegex(jsonRun.stderr + text.stderr, /internal error/);
  t.deepEqual(json.clusters.map((c) => [c.name, c.state]), [
    ["host", "read"],
    ["odd", "read"],
  ]);
  const odd = cluster(json, "odd");
  const said = [...odd.notes, ...json.findings.filter((f) => f.cluster === "odd" || f.clusters?.includes("odd")).map((f) => f.message)].join("\n");
  t.regex(said, /Deployment kubesphere-system\/ks-apiserver: spec\.replicas is a string, not a whole number/, "the malformed object is named");
  t.deepEqual(cluster(json, "host").notes, [], "the healthy cluster gets no note");
  t.regex(text.stdout, /^odd {2}\[read\]/m);
});

test("a server that echoes the request's credentials has them scrubbed, in the text and the JSON report", async (t) => {
  const { json, jsonRun, text } = await audit(["echo"]);
  const echo = cluster(json, "echo");
  t.is(echo.state, "unauthorised");
  t.regex(echo.problem ?? "", /HTTP 401 "Unauthorized: got Authorization "\[redacted\]"; token \[redacted\]; password \[redacted\]; basic \[redacted\]; key \[redacted\]"/);
  const key = fleet.certificates["echo"]!.keyPem;
  assertAbsent(t, [jsonRun, text], [TOKEN, PASSWORD, Buffer.from(`admin:${PASSWORD}`).toString("base64"), key.split("\n")[1]!]);
  t.regex(text.stdout, /token \[redacted\]/);
});

test("a redirect to another port is not followed: no request, no token and no client certificate reach it", async (t) => {
  const elsewhere = fleet.servers["elsewhere"]!;
  const before = elsewhere.requests.length;
  const { json, jsonRun, text } = await audit(["redirecting"]);
  t.is(elsewhere.requests.length, before, `the other server got ${elsewhere.requests.slice(before).join(", ")}`);
  t.false(elsewhere.authorizations.includes(`Bearer ${REDIRECT_TOKEN}`));
  const redirecting = cluster(json, "redirecting");
  t.is(redirecting.state, "api-error");
  t.true((redirecting.problem ?? "").includes(`HTTP 302 redirect of ConfigMap kubesphere-system/kubesphere-config to ${elsewhere.url}/api/v1/namespaces/kubesphere-system/configmaps/kubesphere-config, not followed`), redirecting.problem);
  assertAbsent(t, [jsonRun, text], [REDIRECT_TOKEN]);
});

test("an answer larger than the cap is reported as too large, not read in full and not as a timeout", async (t) => {
  const { json, text } = await audit(["huge-announced", "huge-streamed"]);
  for (const name of ["huge-announced", "huge-streamed"]) {
    const c = cluster(json, name);
    t.is(c.state, "too-large", name);
    t.regex(c.problem ?? "", /ConfigMap kubesphere-system\/kubesphere-config: the answer is larger than the audit's limit of 4 MiB/, name);
    t.regex(c.problem ?? "", /Kubernetes keeps at most 1 MiB in a ConfigMap or Secret/, name);
    t.true(sent[name]! < OFFERED_BYTES / 2, `${name}: the server sent ${sent[name]} bytes before the audit hung up`);
  }
  t.regex(cluster(json, "huge-announced").problem ?? "", /it announced 48 MiB/);
  t.regex(text.stdout, /^huge-streamed {2}\[too-large\]/m);
});

test("an oversized Secret is a note on a cluster that was read, and --save writes every object but that one", async (t) => {
  const dir = join(fleet.dir, "saved");
  const { json } = await audit(["huge-secret"], "--save", dir);
  const c = cluster(json, "huge-secret");
  t.is(c.state, "read");
  t.deepEqual(c.notes.filter((n) => /^Secret kubesphere-system\/kubesphere-secret could not be read \(too-large: /.test(n)).length, 1, c.notes.join("\n"));
  t.deepEqual(readdirSync(join(dir, "huge-secret")).sort(), ["clusterconfiguration-ks-installer.yaml", "configmap-kubesphere-config.yaml", "deployment-ks-apiserver.yaml"]);
  t.true(sent["huge-secret"]! < OFFERED_BYTES / 2);
});

test("an exec plugin that never finishes is stopped at the cluster's timeout, reported as credentials, and leaves no process", async (t) => {
  const pidFile = join(fleet.dir, "plugin.pids");
  const plugin = join(fleet.dir, "hanging-plugin.sh");
  // The plugin and a child of its own, both recorded, then waiting forever.
  writeFileSync(plugin, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > "${pidFile}"\nwait\n`);
  chmodSync(plugin, 0o700);
  const host = fleet.servers["host"]!;
  const kubeconfig = join(fleet.dir, "exec.kubeconfig");
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "host-cluster", cluster: { server: host.url, "certificate-authority-data": Buffer.from(ca.certPem).toString("base64") } }],
      users: [{ name: "sso", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "/bin/sh", args: [plugin], interactiveMode: "Never" } } }],
      contexts: [{ name: "sso", context: { cluster: "host-cluster", user: "sso" } }],
      "current-context": "sso",
    }),
  );
  const timeoutSeconds = Math.max(3, Math.round(3 * timeScale()));
  let pids: number[] = [];
  t.teardown(() => {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
  });
  const result = await runAudit(["--kubeconfig", kubeconfig, "--timeout", String(timeoutSeconds), "--json"]);
  t.true(existsSync(pidFile), `the plugin did not start within ${timeoutSeconds}s`);
  pids = readFileSync(pidFile, "utf8").trim().split(/\s+/).map(Number);
  t.is(pids.length, 2);
  t.is(result.code, 1, result.stderr);
  const sso = cluster(JSON.parse(result.stdout) as JsonAudit, "sso");
  t.is(sso.state, "credentials-unavailable");
  t.regex(sso.problem ?? "", /the exec credential plugin 'sh' did not finish within the cluster's timeout and was stopped/);
  t.true(await gone(pids), `still running after the audit exited: ${pids.filter(alive).join(", ")}`);
});
