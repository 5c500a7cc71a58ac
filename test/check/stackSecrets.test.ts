import test from "ava";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../src/model/secretFacts";
import { newPassphraseSalt } from "../../src/secrets/passphrase";
import { issueClientCertificate, kubeconfigFor, makeCertificateAuthority } from "../helpers/certificates";
import { allFileText, runCheckInProcess } from "../helpers/checkCli";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { projectWith } from "../helpers/stackProject";

const NEW_SECRET = "rotatedJwtSecretCCCCCCCCCCCCCCCCCC";
const PASSPHRASE = "correct horse battery staple";
const fp = (secret: string) => `sha256:${sha256Hex(secret).slice(0, 12)}`;

const { encryptionSalt, crypter } = newPassphraseSalt(PASSPHRASE);
const encrypted = projectWith("prod", (root) => {
  root.encryptionsalt = encryptionSalt;
  root.config["kubesphere-fleet:jwtSecret"] = { secure: crypter.encrypt(NEW_SECRET) };
});
test.after.always(() => rmSync(encrypted, { recursive: true, force: true }));

test("with PULUMI_CONFIG_PASSPHRASE the stack's secure jwtSecret is decrypted and the rotation is planned", async (t) => {
  const run = await runCheckInProcess(["--stack", "prod", "--project-dir", encrypted, "--json"], { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { clusters: { name: string; changes: { setting: string; live: string; desired: string }[] }[]; notes: string[] };
  for (const cluster of report.clusters) {
    t.deepEqual(cluster.changes.find((c) => c.setting === "jwtSecret"), { setting: "jwtSecret", live: fp(FIXTURE_JWT_SECRET), desired: fp(NEW_SECRET) }, cluster.name);
  }
  t.deepEqual(report.notes, []);
  for (const text of [run.stdout, run.stderr]) t.false(text.includes(NEW_SECRET));
});

test("without a passphrase it says what could not be compared, and still checks the rest", async (t) => {
  const run = await runCheckInProcess(["--stack", "prod", "--project-dir", encrypted]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /note: kubesphere-fleet:jwtSecret is a secure value that could not be decrypted \(PULUMI_CONFIG_PASSPHRASE is not set\)/);
  t.regex(run.stdout, new RegExp(`host +host +3\\.4 +installer +${fp(FIXTURE_JWT_SECRET)} → unknown`));
  t.false(run.stdout.includes(NEW_SECRET));
});

test("a wrong passphrase is bad input, exit 2", async (t) => {
  const run = await runCheckInProcess(["--stack", "prod", "--project-dir", encrypted], { PULUMI_CONFIG_PASSPHRASE: "wrong" });
  t.is(run.code, 2);
  t.regex(run.stderr, /PULUMI_CONFIG_PASSPHRASE does not match/);
});

test("a kubeconfig whose client certificate has expired blocks the deployment, exit 1", async (t) => {
  const ca = makeCertificateAuthority();
  t.teardown(() => ca.dispose());
  const day = 86_400_000;
  const cert = issueClientCertificate(ca, { commonName: "k3s-admin", organization: "system:masters", notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - 35 * day) });
  const project = projectWith("edge", (root) => {
    root.config["kubesphere-fleet:clusters"][1].kubeconfig = { path: "stacks/edge/k3s.yaml" };
  });
  t.teardown(() => rmSync(project, { recursive: true, force: true }));
  writeFileSync(
    join(project, "stacks", "edge", "k3s.yaml"),
    kubeconfigFor({ server: "https://127.0.0.1:6443", caPem: ca.certPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem, user: "k3s-admin", context: "default", cluster: "default" }),
  );
  const run = await runCheckInProcess(["--stack", "edge", "--project-dir", project, "--json"]);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { violations: { policy: string; enforcementLevel: string; cluster?: string; message: string }[] };
  const expired = report.violations.find((v) => v.policy === "kubesphere-kubeconfig-disallow-expired-certificate");
  t.like(expired, { enforcementLevel: "mandatory", cluster: "member-1" });
  t.regex(expired!.message, /user 'k3s-admin' .*expired on \d{4}-\d\d-\d\dT/);
  t.regex(expired!.message, /\/etc\/rancher\/k3s\/k3s\.yaml/);
  t.false(allFileText(join(project, "stacks", "edge", "live")).includes("BEGIN") && run.stdout.includes("BEGIN"), "no certificate or key in the output");
});
