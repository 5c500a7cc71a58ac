import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { UNKNOWN_VALUE } from "../../src/model/unknownValue";
import { providerCredentials } from "../../src/pack/kubeconfigCredentials";
import { issueClientCertificate, kubeconfigFor, makeCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from "../helpers/certificates";

const DAY = 86_400_000;
let ca: CertificateAuthority;
let expired: IssuedCertificate;
let valid: IssuedCertificate;

test.before(() => {
  ca = makeCertificateAuthority();
  const now = Date.now();
  expired = issueClientCertificate(ca, { commonName: "old-admin", notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - 35 * DAY) });
  valid = issueClientCertificate(ca, { commonName: "admin", organization: "system:masters", notBefore: new Date(now - DAY), notAfter: new Date(now + 300 * DAY) });
});
test.after.always(() => ca?.dispose());

const b64 = (pem: string) => Buffer.from(pem).toString("base64");

function twoUserKubeconfig(currentContext: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "k3s", cluster: { server: "https://127.0.0.1:6443" } }],
    users: [
      { name: "old", user: { "client-certificate-data": b64(expired.certPem), "client-key-data": b64(expired.keyPem) } },
      { name: "new", user: { "client-certificate-data": b64(valid.certPem), "client-key-data": b64(valid.keyPem) } },
      { name: "robot", user: { token: "not-a-real-token" } },
      { name: "eks", user: { exec: { command: "aws", args: ["eks", "get-token"] } } },
    ],
    contexts: [
      { name: "old-ctx", context: { cluster: "k3s", user: "old" } },
      { name: "new-ctx", context: { cluster: "k3s", user: "new" } },
      { name: "robot-ctx", context: { cluster: "k3s", user: "robot" } },
      { name: "eks-ctx", context: { cluster: "k3s", user: "eks" } },
    ],
    "current-context": currentContext,
  });
}

test("reads the certificate of the current-context's user, naming the provider and never the content", (t) => {
  const [cred, ...rest] = providerCredentials({ kubeconfig: twoUserKubeconfig("old-ctx") }, "provider 'edge' kubeconfig");
  t.deepEqual(rest, []);
  t.like(cred, { user: "old", kind: "client-certificate", source: "provider 'edge' kubeconfig" });
  t.true(Date.parse(cred!.notAfter!) < Date.now());
  t.regex(cred!.subject!, /CN=old-admin/);
});

test("the provider's context input overrides current-context", (t) => {
  const [cred] = providerCredentials({ kubeconfig: twoUserKubeconfig("old-ctx"), context: "new-ctx" }, "p");
  t.like(cred, { user: "new", kind: "client-certificate" });
  t.true(Date.parse(cred!.notAfter!) > Date.now());
});

test("token and exec users have no certificate to check", (t) => {
  t.like(providerCredentials({ kubeconfig: twoUserKubeconfig("robot-ctx") }, "p")[0], { kind: "token" });
  t.like(providerCredentials({ kubeconfig: twoUserKubeconfig("eks-ctx") }, "p")[0], { kind: "exec" });
});

test("a kubeconfig made by the certificate helper (JSON or YAML) is read the same", (t) => {
  const text = kubeconfigFor({ server: "https://127.0.0.1:6443", caPem: ca.certPem, clientCertPem: valid.certPem, clientKeyPem: valid.keyPem, user: "admin", context: "default", cluster: "default" });
  t.like(providerCredentials({ kubeconfig: text }, "p")[0], { user: "admin", kind: "client-certificate" });
  const json = JSON.stringify(require("yaml").parse(text));
  t.like(providerCredentials({ kubeconfig: json }, "p")[0], { user: "admin", kind: "client-certificate" });
});

test("a kubeconfig path is read from disk", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
  try {
    const path = join(dir, "config");
    writeFileSync(path, twoUserKubeconfig("new-ctx"));
    t.like(providerCredentials({ kubeconfig: path }, "p")[0], { user: "new" });
    t.deepEqual(providerCredentials({ kubeconfig: join(dir, "missing") }, "p"), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an unknown, absent or unparseable kubeconfig gives no credentials rather than an error", (t) => {
  t.deepEqual(providerCredentials({ kubeconfig: UNKNOWN_VALUE }, "p"), []);
  t.deepEqual(providerCredentials({}, "p"), []);
  t.deepEqual(providerCredentials({ kubeconfig: "users: [\n  {name: x" }, "p"), []);
  t.deepEqual(providerCredentials({ kubeconfig: twoUserKubeconfig("no-such-context") }, "p"), []);
});

test("a corrupt client-certificate-data is reported as unreadable", (t) => {
  const text = stringify({ users: [{ name: "u", user: { "client-certificate-data": b64("not a certificate") } }] });
  t.like(providerCredentials({ kubeconfig: text }, "p")[0], { user: "u", kind: "client-certificate", unreadable: "client-certificate-data is not a PEM certificate" });
});
