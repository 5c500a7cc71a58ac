/**
 * Real clusters for the real tests: per cluster one etcd and one kube-apiserver (from `npm run real-tools`), on
 * 127.0.0.1 only, on free ports, in a temp dir. The API server serves real TLS with a server certificate from the
 * test CA, authenticates client certificates from the same CA (the admin's is CN=<name>-admin, O=system:masters),
 * authorizes with RBAC, and signs service account tokens with a key made here. No cloud, no controller manager.
 *
 * Every process runs in its own process group; `stop()` ends the group (SIGTERM, then SIGKILL after 10 s) and removes
 * the temp dir, and a process exit handler kills whatever a crashed test left, so no process outlives the tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "../../audit/liveFleet";
import { issueClientCertificate, issueServerCertificate, kubeconfigFor, type CertificateAuthority, type KubeconfigParts } from "../../helpers/certificates";
import { timeScale, type CliRun } from "../../helpers/checkCli";
import { killGroup, trackGroup, untrack } from "./processGroups";
import { cacheTool, pathTool } from "./tools";

const DAY = 86_400_000;
/** How long an API server may take to say ready on an idle machine; stretched by `timeScale()` on a loaded one. */
const READY_WITHIN_MS = 120_000;
const KUBECTL_WITHIN_MS = 60_000;

export interface RealCluster {
  readonly name: string;
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly dir: string;
  /** The admin's kubeconfig (file, 0600): context `<name>`, user `<name>-admin` in group system:masters. */
  readonly kubeconfig: string;
  /** The admin's entry, for kubeconfigs that hold several clusters (`kubeconfigWith`). */
  readonly admin: KubeconfigParts;
  /** `kubectl --kubeconfig <admin> <args>`, stdin from `input`; never throws on a non-zero exit. */
  kubectl(args: readonly string[], input?: string): Promise<CliRun>;
  /** Like `kubectl`, but throws with kubectl's stderr when it fails. */
  kubectlOk(args: readonly string[], input?: string): Promise<string>;
  /** The process ids of etcd and kube-apiserver (each leads its own process group). */
  readonly pids: readonly number[];
  /** Stops kube-apiserver and etcd (their whole process groups) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}


async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  // What the tool started in its group (none expected) goes too.
  killGroup(child, "SIGKILL");
  untrack(child);
}

/**
 * The environment of the tools: PATH, and .ci/run's KSF_CI_RUN marker so that .ci/leftover-processes sees a process a
 * test left. Nothing else of the test's environment (no KUBECONFIG, no credentials) reaches them.
 */
function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(process.env.KSF_CI_RUN ? { KSF_CI_RUN: process.env.KSF_CI_RUN } : {}), ...extra };
}

/** Starts `path args` in its own process group, output to `<dir>/<log>`. */
function startProcess(path: string, args: readonly string[], dir: string, log: string): ChildProcess {
  const fd = openSync(join(dir, log), "a", 0o600);
  const child = spawn(path, [...args], { cwd: dir, detached: true, stdio: ["ignore", fd, fd], env: toolEnv() });
  closeSync(fd);
  trackGroup(child);
  return child;
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls `probe` every 250 ms until it says true; fails early when `child` exits, naming its log's last lines. */
async function waitUntil(what: string, child: ChildProcess, log: string, probe: () => Promise<boolean>): Promise<void> {
  const limit = Math.round(READY_WITHIN_MS * timeScale());
  const deadline = Date.now() + limit;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready; the end of ${log}:\n${tail(log)}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${limit} ms; the end of ${log}:\n${tail(log)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

function httpsOk(url: string, parts: KubeconfigParts, verifyServer = true): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: parts.caPem, cert: parts.clientCertPem, key: parts.clientKeyPem, timeout: 5_000, rejectUnauthorized: verifyServer }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Runs `kubectl` with only the given kubeconfig, its caches in `dir` (never in $HOME). */
export function runKubectl(kubeconfig: string, dir: string, args: readonly string[], input?: string): Promise<CliRun> {
  const kubectl = pathTool("kubectl");
  if (!kubectl) return Promise.reject(new Error("kubectl is not on PATH"));
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "kubectl-cache"), ...args], {
      cwd: dir,
      env: toolEnv({ HOME: dir }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const limit = Math.round(KUBECTL_WITHIN_MS * timeScale());
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kubectl ${args.join(" ")} did not finish within ${limit} ms\n${stderr}`));
    }, limit);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? "");
  });
}

export interface RealClusterOptions {
  /**
   * Also run kube-controller-manager with its deployment and replicaset controllers, so a Deployment's rollout
   * completes (the Kubernetes provider awaits it after a patch). There are no nodes: give Deployments 0 replicas.
   */
  readonly controllers?: boolean;
}

/** Starts etcd and kube-apiserver for cluster `name` and waits until the API server's /readyz says ok. */
export async function startRealCluster(ca: CertificateAuthority, name: string, options: RealClusterOptions = {}): Promise<RealCluster> {
  const dir = mkdtempSync(join(tmpdir(), `kubesphere-fleet-real-${name}-`));
  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const child of children.reverse()) await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Ports nothing listens on now (bound, then released), for etcd and the API server to take.
    const [etcdClient, etcdPeer, securePort] = [await closedPort(), await closedPort(), await closedPort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcdLog = join(dir, "etcd.log");
    const etcd = startProcess(cacheTool("etcd"), [
      "--name", name,
      "--data-dir", join(dir, "etcd"),
      "--listen-client-urls", etcdUrl,
      "--advertise-client-urls", etcdUrl,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `${name}=http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster-state", "new",
    ], dir, "etcd.log");
    children.push(etcd);
    await waitUntil(`etcd of cluster '${name}'`, etcd, etcdLog, () => httpOk(`${etcdUrl}/health`));

    const now = Date.now();
    const server = issueServerCertificate(ca, { ip: "127.0.0.1" });
    const admin = issueClientCertificate(ca, { commonName: `${name}-admin`, organization: "system:masters", notBefore: new Date(now - DAY), notAfter: new Date(now + 100 * DAY) });
    const file = (base: string, text: string) => {
      writeFileSync(join(dir, base), text, { mode: 0o600 });
      return join(dir, base);
    };
    const serviceAccountKey = join(dir, "service-account.key");
    await new Promise<void>((resolve, reject) => {
      const openssl = spawn(pathTool("openssl") ?? "openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", serviceAccountKey], { stdio: "ignore" });
      openssl.on("error", reject);
      openssl.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`openssl ecparam exited ${code}`))));
    });
    const url = `https://127.0.0.1:${securePort}`;
    const apiserverLog = join(dir, "kube-apiserver.log");
    const apiserver = startProcess(cacheTool("kube-apiserver"), [
      "--etcd-servers", etcdUrl,
      "--bind-address", "127.0.0.1",
      "--advertise-address", "127.0.0.1",
      "--secure-port", String(securePort),
      "--tls-cert-file", file("server.crt", server.certPem),
      "--tls-private-key-file", file("server.key", server.keyPem),
      "--client-ca-file", file("ca.crt", ca.certPem),
      "--authorization-mode", "Node,RBAC",
      "--service-account-key-file", serviceAccountKey,
      "--service-account-signing-key-file", serviceAccountKey,
      "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
      "--service-cluster-ip-range", "10.0.0.0/24",
      "--cert-dir", join(dir, "certs"),
      "--profiling=false",
    ], dir, "kube-apiserver.log");
    children.push(apiserver);
    const adminParts: KubeconfigParts = { server: url, caPem: ca.certPem, clientCertPem: admin.certPem, clientKeyPem: admin.keyPem, user: `${name}-admin`, context: name, cluster: `${name}-cluster` };
    await waitUntil(`kube-apiserver of cluster '${name}'`, apiserver, apiserverLog, () => httpsOk(`${url}/readyz`, adminParts));
    const kubeconfig = file(`${name}.kubeconfig`, kubeconfigFor(adminParts));
    if (options.controllers) {
      const controllerLog = join(dir, "kube-controller-manager.log");
      const healthPort = await closedPort();
      const controllers = startProcess(cacheTool("kube-controller-manager"), [
        "--kubeconfig", kubeconfig,
        "--authentication-kubeconfig", kubeconfig,
        "--authorization-kubeconfig", kubeconfig,
        "--controllers", "deployment,replicaset",
        "--leader-elect=false",
        "--use-service-account-credentials=false",
        "--bind-address", "127.0.0.1",
        "--secure-port", String(healthPort),
        "--cert-dir", join(dir, "controller-certs"),
        "--profiling=false",
      ], dir, "kube-controller-manager.log");
      children.push(controllers);
      // Its serving certificate is its own self-signed one (cert-dir): /healthz is asked without checking it.
      await waitUntil(`kube-controller-manager of cluster '${name}'`, controllers, controllerLog, () => httpsOk(`https://127.0.0.1:${healthPort}/healthz`, adminParts, false));
    }
    const kubectl = (args: readonly string[], input?: string) => runKubectl(kubeconfig, dir, args, input);
    return {
      name,
      url,
      dir,
      kubeconfig,
      admin: adminParts,
      pids: children.map((child) => child.pid!),
      kubectl,
      kubectlOk: async (args, input) => {
        const run = await kubectl(args, input);
        if (run.code !== 0) throw new Error(`kubectl ${args.join(" ")} on cluster '${name}' exited ${run.code}: ${run.stderr}`);
        return run.stdout;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Stops every cluster of `clusters` (each: its processes, then its temp dir), in parallel. */
export async function stopRealClusters(clusters: Readonly<Record<string, RealCluster>> | undefined): Promise<void> {
  await Promise.all(Object.values(clusters ?? {}).map((c) => c.stop()));
}

/** Starts one real cluster per name, in parallel; when one fails, stops those that started and rethrows. */
export async function startRealClusters(ca: CertificateAuthority, names: readonly string[], options: RealClusterOptions = {}): Promise<Record<string, RealCluster>> {
  const started = await Promise.allSettled(names.map((name) => startRealCluster(ca, name, options)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return Object.fromEntries(started.map((s, i) => [names[i]!, (s as PromiseFulfilledResult<RealCluster>).value]));
}
