/**
 * A throwaway certificate authority for tests, made with the openssl CLI in a temp dir.
 *
 * `openssl ca -startdate/-enddate` sets any validity window, so expired and not-yet-valid client certificates can be
 * issued. Keys are EC P-256 (fast). Make one CA per test file; issuing a certificate takes a few milliseconds.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { timeScale } from "./checkCli";

export interface CertificateAuthority {
  /** The temp dir holding the CA's files; removed by `dispose()`. */
  readonly dir: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Removes the temp dir. Safe to call twice. */
  dispose(): void;
}

export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface ClientCertificateRequest {
  readonly commonName: string;
  /** Becomes the subject's O, which Kubernetes reads as a group (for example `system:masters`). */
  readonly organization?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface ServerCertificateRequest {
  /** The IP address put in subjectAltName; Node checks it against the host it connects to. */
  readonly ip: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const DAY_MS = 86_400_000;

const OPENSSL_CONFIG = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = kubesphere-fleet test CA
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = index.txt
new_certs_dir = issued
serial = serial
certificate = ca.crt
private_key = ca.key
default_md = sha256
policy = any_subject
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any_subject ]
commonName = supplied
organizationName = optional
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
`;

let issued = 0;

function openssl(cwd: string, args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: Math.round(20_000 * timeScale()) });
}

/** Makes a CA valid from a day ago for ten years: `ca.crt`/`ca.key` in a fresh temp dir. */
export function makeCertificateAuthority(): CertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), "kubesphere-fleet-ca-"));
  writeFileSync(join(dir, "openssl.cnf"), OPENSSL_CONFIG);
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  mkdirSync(join(dir, "issued"));
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"]);
  openssl(dir, ["req", "-config", "openssl.cnf", "-new", "-key", "ca.key", "-out", "ca.csr"]);
  const now = Date.now();
  openssl(dir, [
    "ca", "-batch", "-config", "openssl.cnf", "-selfsign", "-keyfile", "ca.key", "-in", "ca.csr", "-out", "ca.crt",
    "-notext", "-extensions", "v3_ca",
    "-startdate", opensslTime(new Date(now - DAY_MS)), "-enddate", opensslTime(new Date(now + 3650 * DAY_MS)),
  ]);
  return {
    dir,
    certPem: readFileSync(join(dir, "ca.crt"), "utf8"),
    keyPem: readFileSync(join(dir, "ca.key"), "utf8"),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A client certificate (extendedKeyUsage clientAuth) with the given subject and validity window. */
export function issueClientCertificate(ca: CertificateAuthority, request: ClientCertificateRequest): IssuedCertificate {
  const subject = `/CN=${request.commonName}` + (request.organization ? `/O=${request.organization}` : "");
  return issue(ca, subject, "basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth\n", request.notBefore, request.notAfter);
}

/** A server certificate for `ip` (subjectAltName IP), valid from a day ago for a year unless told otherwise. */
export function issueServerCertificate(ca: CertificateAuthority, request: ServerCertificateRequest): IssuedCertificate {
  const now = Date.now();
  return issue(
    ca,
    `/CN=kube-apiserver ${request.ip}`,
    `basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = IP:${request.ip}\n`,
    request.notBefore ?? new Date(now - DAY_MS),
    request.notAfter ?? new Date(now + 365 * DAY_MS),
  );
}

function issue(ca: CertificateAuthority, subject: string, extensions: string, notBefore: Date, notAfter: Date): IssuedCertificate {
  const name = `cert-${process.pid}-${++issued}`;
  const extFile = `${name}.ext`;
  writeFileSync(join(ca.dir, extFile), extensions);
  openssl(ca.dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.ec.key`]);
  // PKCS#8, the form `kubeadm`/`k3s` kubeconfigs also carry ("BEGIN PRIVATE KEY").
  openssl(ca.dir, ["pkcs8", "-topk8", "-nocrypt", "-in", `${name}.ec.key`, "-out", `${name}.key`]);
  openssl(ca.dir, ["req", "-config", "openssl.cnf", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`]);
  openssl(ca.dir, [
    "ca", "-batch", "-config", "openssl.cnf", "-in", `${name}.csr`, "-out", `${name}.crt`, "-notext",
    "-extfile", extFile, "-startdate", opensslTime(notBefore), "-enddate", opensslTime(notAfter),
  ]);
  return {
    certPem: readFileSync(join(ca.dir, `${name}.crt`), "utf8"),
    keyPem: readFileSync(join(ca.dir, `${name}.key`), "utf8"),
  };
}

/** `YYYYMMDDHHMMSSZ`, the GeneralizedTime form `openssl ca -startdate/-enddate` accepts for any year. */
function opensslTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").replace(/\.\d{3}Z$/, "Z");
}

export interface KubeconfigParts {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  readonly caPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  readonly user: string;
  readonly context: string;
  readonly cluster: string;
  /** More fields of the user entry (`token`, `username`/`password`, `exec`), beside the client certificate. */
  readonly userFields?: Readonly<Record<string, unknown>>;
}

/** A one-context kubeconfig (YAML) with the certificates inlined as `*-data`, as `kubectl config view --raw` shows it. */
export function kubeconfigFor(parts: KubeconfigParts): string {
  return kubeconfigWith([parts], parts.context);
}

/** A kubeconfig holding several contexts (each with its own cluster and user entry), as after `kubectl config` merges. */
export function kubeconfigWith(entries: readonly KubeconfigParts[], currentContext = entries[0]?.context ?? ""): string {
  const b64 = (pem: string) => Buffer.from(pem).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: entries.map((p) => ({ name: p.cluster, cluster: { server: p.server, "certificate-authority-data": b64(p.caPem) } })),
    users: entries.map((p) => ({ name: p.user, user: { "client-certificate-data": b64(p.clientCertPem), "client-key-data": b64(p.clientKeyPem), ...p.userFields } })),
    contexts: entries.map((p) => ({ name: p.context, context: { cluster: p.cluster, user: p.user } })),
    "current-context": currentContext,
    preferences: {},
  });
}
