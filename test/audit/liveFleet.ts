/**
 * Live KubeSphere clusters for the audit tests: the shared fixtures served by HTTPS API servers on 127.0.0.1, one
 * per cluster, and a kubeconfig that reaches them with client certificates from the test CA.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asLiveObject, startApiServer, type ApiServerOptions, type RunningApiServer, type ServedObject } from "../helpers/apiServer";
import { issueClientCertificate, kubeconfigWith, type CertificateAuthority, type IssuedCertificate, type KubeconfigParts } from "../helpers/certificates";
import { runCli, timeScale, type CliRun } from "../helpers/checkCli";
import { FIXTURE_JWT_SECRET, fixtureObject } from "../helpers/fixtures";

export type { CliRun };

export { REPO } from "../helpers/checkCli";
export const DRIFTED_JWT_SECRET = "driftedSecretBBBBBBBBBBBBBBBBBBB";
const DAY = 86_400_000;

/** Every value that must never appear in any output: the secrets, their base64, the admin token, key material. */
export function forbiddenStrings(): string[] {
  const secret = fixtureObject("v3.4/kubesphere-secret.yaml") as { data: { token: string } };
  const token = Buffer.from(secret.data.token, "base64").toString("utf8");
  return [
    FIXTURE_JWT_SECRET,
    Buffer.from(FIXTURE_JWT_SECRET).toString("base64"),
    DRIFTED_JWT_SECRET,
    Buffer.from(DRIFTED_JWT_SECRET).toString("base64"),
    secret.data.token,
    token,
    "PRIVATE KEY",
    "last-applied-configuration",
  ];
}

type Objects = ServedObject[];

/** Deployment kubesphere-system/ks-apiserver running `image` (the audit reads the KubeSphere version from its tag). */
export function ksApiserverDeployment(image: string): ServedObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ks-apiserver", namespace: "kubesphere-system", labels: { app: "ks-apiserver", tier: "backend" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "ks-apiserver", tier: "backend" } },
      template: {
        metadata: { labels: { app: "ks-apiserver", tier: "backend" } },
        spec: { containers: [{ name: "ks-apiserver", image, command: ["ks-apiserver", "--logtostderr=true"] }], serviceAccountName: "kubesphere" },
      },
    },
  };
}

function clusterConfiguration(role: string, jwtSecret: string): ServedObject {
  const cc = fixtureObject("v3.4/cluster-configuration.yaml") as unknown as ServedObject & { spec: { multicluster: { clusterRole: string }; authentication: { jwtSecret: string } } };
  cc.spec.multicluster.clusterRole = role;
  cc.spec.authentication.jwtSecret = jwtSecret;
  return cc;
}

function secretWith(jwtSecret: string): ServedObject {
  const secret = fixtureObject("v3.4/kubesphere-secret.yaml") as unknown as ServedObject & { data: Record<string, string> };
  secret.data = { ...secret.data, secret: Buffer.from(jwtSecret).toString("base64") };
  return secret;
}

function configMap(fixture: string, edit: (text: string) => string = (t) => t): ServedObject {
  const cm = fixtureObject(fixture) as unknown as ServedObject & { data: Record<string, string> };
  cm.data = { ...cm.data, "kubesphere.yaml": edit(cm.data["kubesphere.yaml"]!) };
  return cm;
}

const live = (objects: Objects): Objects => objects.map((o, i) => asLiveObject(o, i + 1));

/** A 3.4 host as ks-installer leaves it: ConfigMap, Secret, ClusterConfiguration (role host, no jwtSecret), ks-apiserver. */
export function v34Host(): Objects {
  return live([configMap("v3.4/kubesphere-config.host.yaml"), secretWith(FIXTURE_JWT_SECRET), clusterConfiguration("host", ""), ksApiserverDeployment("kubesphere/ks-apiserver:v3.4.1")]);
}

/** A 3.4 member made the documented way: the ClusterConfiguration carries the host's jwtSecret and clusterRole member. */
export function v34Member(): Objects {
  return live([configMap("v3.4/kubesphere-config.member.yaml"), secretWith(FIXTURE_JWT_SECRET), clusterConfiguration("member", FIXTURE_JWT_SECRET), ksApiserverDeployment("kubesphere/ks-apiserver:v3.4.1")]);
}

/** A 3.4 member that drifted: reinstalled with its own random secret, and kubesphere-config edited back to 2h. */
export function v34DriftedMember(): Objects {
  return live([
    configMap("v3.4/kubesphere-config.member.yaml", (t) => t.replace(FIXTURE_JWT_SECRET, DRIFTED_JWT_SECRET).replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h")),
    secretWith(DRIFTED_JWT_SECRET),
    clusterConfiguration("member", ""),
    ksApiserverDeployment("kubesphere/ks-apiserver:v3.4.1"),
  ]);
}

/** A 4.1 member installed by the host's cluster controller: ConfigMap and ks-apiserver only. */
export function v41Member(): Objects {
  return [configMap("v4.1/kubesphere-config.member.yaml"), ksApiserverDeployment("kubesphere/ks-apiserver:v4.1.3")];
}

export interface ClusterSpec {
  readonly name: string;
  /** Objects served; `closed` means nothing listens on the port; `silent` accepts connections and never answers. */
  readonly objects: Objects | "closed" | "silent";
  readonly certificate?: "valid" | "expired";
  readonly rejectInvalidCertificates?: "status" | "handshake";
  readonly maxTlsVersion?: "TLSv1.2" | "TLSv1.3";
  readonly forbidden?: readonly string[];
  /** A hostile or broken server's answer (see `ApiServerOptions.intercept`). */
  readonly intercept?: ApiServerOptions["intercept"];
  /** More fields of the kubeconfig's user entry: `token`, `username`/`password`, `exec`. */
  readonly userFields?: Readonly<Record<string, unknown>>;
}

/** A healthy fleet: a 3.4 host, a 3.4 member and a 4.1 member. */
export function healthyFleetSpecs(): ClusterSpec[] {
  return [
    { name: "host", objects: v34Host() },
    { name: "member-1", objects: v34Member() },
    { name: "member-2", objects: v41Member() },
  ];
}

/** `--context a --context b …` */
export function contextArgs(names: readonly string[]): string[] {
  return names.flatMap((n) => ["--context", n]);
}

export interface LiveFleet {
  readonly dir: string;
  /** One kubeconfig with a context per cluster (context name = cluster name). */
  readonly kubeconfig: string;
  /** One kubeconfig file per cluster, as a stack's `kubeconfig.path` would name. */
  readonly kubeconfigs: Readonly<Record<string, string>>;
  readonly servers: Readonly<Record<string, RunningApiServer>>;
  readonly certificates: Readonly<Record<string, IssuedCertificate>>;
  close(): Promise<void>;
}

export async function startFleet(ca: CertificateAuthority, clusters: readonly ClusterSpec[]): Promise<LiveFleet> {
  const dir = mkdtempSync(join(tmpdir(), "kubesphere-fleet-audit-"));
  const servers: Record<string, RunningApiServer> = {};
  const closers: (() => Promise<void>)[] = [];
  const parts: KubeconfigParts[] = [];
  const certificates: Record<string, IssuedCertificate> = {};
  const kubeconfigs: Record<string, string> = {};
  const now = Date.now();
  for (const cluster of clusters) {
    let url: string;
    if (cluster.objects === "closed") url = `https://127.0.0.1:${await closedPort()}`;
    else if (cluster.objects === "silent") {
      const silent = await silentServer();
      closers.push(silent.close);
      url = `https://127.0.0.1:${silent.port}`;
    } else {
      const server = await startApiServer({
        ca,
        objects: cluster.objects,
        ...(cluster.rejectInvalidCertificates ? { rejectInvalidCertificates: cluster.rejectInvalidCertificates } : {}),
        ...(cluster.maxTlsVersion ? { maxTlsVersion: cluster.maxTlsVersion } : {}),
        ...(cluster.forbidden ? { forbidden: { [`${cluster.name}-admin`]: cluster.forbidden } } : {}),
        ...(cluster.intercept ? { intercept: cluster.intercept } : {}),
      });
      servers[cluster.name] = server;
      closers.push(server.close);
      url = server.url;
    }
    const expired = cluster.certificate === "expired";
    const cert = issueClientCertificate(ca, {
      commonName: `${cluster.name}-admin`,
      organization: "system:masters",
      notBefore: new Date(expired ? now - 400 * DAY : now - DAY),
      notAfter: new Date(expired ? now - 35 * DAY : now + 100 * DAY),
    });
    certificates[cluster.name] = cert;
    const entry = { server: url, caPem: ca.certPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem, user: `${cluster.name}-admin`, context: cluster.name, cluster: `${cluster.name}-cluster`, ...(cluster.userFields ? { userFields: cluster.userFields } : {}) };
    parts.push(entry);
    kubeconfigs[cluster.name] = join(dir, `${cluster.name}.kubeconfig`);
    writeFileSync(kubeconfigs[cluster.name]!, kubeconfigWith([entry]), { mode: 0o600 });
  }
  const kubeconfig = join(dir, "fleet.kubeconfig");
  writeFileSync(kubeconfig, kubeconfigWith(parts), { mode: 0o600 });
  return {
    dir,
    kubeconfig,
    kubeconfigs,
    servers,
    certificates,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never says anything (a hung API server or a black-holed proxy). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The per-cluster timeout for audits a test expects to read its clusters: long on an idle machine, longer on a loaded
 * one (`timeScale`), so a slow CI runner never turns a read into a timeout. Tests of the timeout itself set their own.
 */
export const PATIENT_TIMEOUT_MS = Math.round(30_000 * timeScale());
export const PATIENT_TIMEOUT_ARGS = ["--timeout", String(PATIENT_TIMEOUT_MS / 1000)] as const;

/** Runs `npm run audit -- …` as a child process (see `runCli`): no colour, no KUBECONFIG of the machine. */
export function runAudit(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli("audit", args, { NO_COLOR: "1", ...env });
}
