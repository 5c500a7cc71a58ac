/**
 * The audit's inputs: a stack file naming each cluster's kubeconfig (end to end), and bad input (exit 2, one clear
 * message, no stack trace, no kubeconfig content echoed). Bad input runs the CLI's `run` in this process, except
 * one case that checks the real process's exit code.
 */
import test from "ava";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { run as runInProcess } from "../../src/cli/audit";
import { secretFacts } from "../../src/model/secretFacts";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { forbiddenStrings, PATIENT_TIMEOUT_ARGS, runAudit, startFleet, v34Host, v41Member, type CliRun, type LiveFleet } from "./liveFleet";

let ca: CertificateAuthority;
let fleet: LiveFleet;
let projectDir: string;

test.before(async () => {
  ca = makeCertificateAuthority();
  fleet = await startFleet(ca, [
    { name: "host", objects: v34Host() },
    { name: "member-1", objects: v41Member() },
  ]);
  projectDir = join(fleet.dir, "project");
  mkdirSync(join(projectDir, "stacks"), { recursive: true });
  const stack = (clusters: unknown[]) => stringify({ config: { "kubesphere-fleet:clusters": clusters } });
  writeFileSync(
    join(projectDir, "stacks", "Pulumi.prod.yaml"),
    stack([
      { name: "host", role: "host", version: "3.4", kubeconfig: { path: fleet.kubeconfigs["host"] } },
      { name: "edge-1", role: "member", version: "4.1", kubeconfig: { path: fleet.kubeconfigs["member-1"], context: "member-1" } },
    ]),
  );
  writeFileSync(
    join(projectDir, "stacks", "Pulumi.sealed.yaml"),
    stack([
      { name: "host", role: "host", version: "3.4", kubeconfig: { path: fleet.kubeconfigs["host"] } },
      { name: "edge-1", role: "member", version: "4.1", kubeconfig: { content: { secure: "v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB" } } },
    ]),
  );
  // Shards: members only, the jwtSecret from an ESC environment, the host stack's fingerprint pinned (right, and wrong).
  for (const [name, pin] of [["shard", secretFacts(FIXTURE_JWT_SECRET).fingerprint], ["shard-wrong", secretFacts("anotherFleetsJwtSecretCCCCCCCCCCCCCC").fingerprint]]) {
    writeFileSync(
      join(projectDir, "stacks", `Pulumi.${name}.yaml`),
      stringify({
        environment: ["acme/kubesphere-fleet"],
        config: {
          "kubesphere-fleet:hostJwtSecretFingerprint": pin,
          "kubesphere-fleet:clusters": [{ name: "edge-1", role: "member", version: "4.1", kubeconfig: { path: fleet.kubeconfigs["member-1"], context: "member-1" } }],
        },
      }),
    );
  }
  writeFileSync(join(fleet.dir, "broken.kubeconfig"), "apiVersion: v1\nusers:\n- name: x\n  user:\n    token: tokenValueThatMustNotLeak\n   bad: [\n");
});

test.after.always(async () => {
  await fleet?.close();
  ca?.dispose();
});

const audit = (args: readonly string[]): Promise<CliRun> => runInProcess(args, {}, false);

function assertBadInput(t: import("ava").ExecutionContext, run: CliRun, message: RegExp): void {
  t.is(run.code, 2, run.stdout + run.stderr);
  t.is(run.stdout, "");
  t.regex(run.stderr, /^audit: /);
  t.regex(run.stderr, message);
  t.notRegex(run.stderr, /^\s+at /m, "no stack trace");
}

test("--stack audits the stack's clusters under their stack names, each with its own kubeconfig file and context", async (t) => {
  const run = await runAudit([...PATIENT_TIMEOUT_ARGS, "--stack", "prod", "--project-dir", projectDir, "--json"]);
  t.is(run.code, 0, run.stderr);
  const audit = JSON.parse(run.stdout) as { healthy: boolean; clusters: { name: string; context: string; kubeconfig: string; state: string; declaredRole?: string; clusterRole?: string }[] };
  t.true(audit.healthy);
  t.deepEqual(
    audit.clusters.map((c) => [c.name, c.context, c.state, c.declaredRole, c.clusterRole]),
    [
      ["host", "host", "read", "host", "host"],
      ["edge-1", "member-1", "read", "member", "member"],
    ],
  );
  t.true(audit.clusters[1]!.kubeconfig.includes(fleet.kubeconfigs["member-1"]!), "the source names the file");
  for (const forbidden of forbiddenStrings()) t.false(run.stdout.includes(forbidden));
});

test("a shard (members only, secret from ESC) is audited against the host stack's pinned fingerprint", async (t) => {
  const [right, wrong] = await Promise.all([audit([...PATIENT_TIMEOUT_ARGS, "--stack", "shard", "--project-dir", projectDir]), audit([...PATIENT_TIMEOUT_ARGS, "--stack", "shard-wrong", "--project-dir", projectDir, "--json"])]);
  t.is(right.code, 0, right.stdout + right.stderr);
  t.is(wrong.code, 1, wrong.stderr);
  const pinned = secretFacts("anotherFleetsJwtSecretCCCCCCCCCCCCCC").fingerprint;
  t.regex(wrong.stdout, new RegExp(`Cluster 'edge-1' jwtSecret \\(ConfigMap kubesphere-system/kubesphere-config[^)]*\\) is ${secretFacts(FIXTURE_JWT_SECRET).fingerprint}; the fleet's expected jwtSecret \\(policy config\\) is ${pinned}`));
  for (const run of [right, wrong]) for (const forbidden of forbiddenStrings()) t.false(run.stdout.includes(forbidden) || run.stderr.includes(forbidden));
});

test("a stack whose kubeconfig content is encrypted and cannot be decrypted is bad input naming the cluster and the fix", async (t) => {
  const run = await audit(["--stack", "sealed", "--project-dir", projectDir]);
  assertBadInput(t, run, /Stack 'sealed', clusters\[1\] \(edge-1\): kubesphere-fleet:clusters\[1\]\.kubeconfig\.content is encrypted/);
  t.regex(run.stderr, /PULUMI_CONFIG_PASSPHRASE/);
  t.false(run.stderr.includes("BBBBBBBB"), "the ciphertext is not echoed");
});

test("a stack that does not exist is bad input", async (t) => {
  assertBadInput(t, await audit(["--stack", "nope", "--project-dir", projectDir]), /stack 'nope': .*Pulumi\.nope\.yaml does not exist/);
});

test("a context that is not in the kubeconfig is bad input listing the contexts it has", async (t) => {
  assertBadInput(t, await audit(["--kubeconfig", fleet.kubeconfig, "--context", "host", "--context", "edge-9"]), /has no context 'edge-9'\. Fix: use one of: host, member-1\./);
});

test("an unreadable kubeconfig is bad input that does not quote its content", async (t) => {
  const run = await audit(["--kubeconfig", join(fleet.dir, "broken.kubeconfig")]);
  assertBadInput(t, run, /kubeconfig .*broken\.kubeconfig cannot be read/);
  t.false(run.stderr.includes("tokenValueThatMustNotLeak"));
});

test("an unknown flag is bad input: the real process exits 2 with the message and the usage", async (t) => {
  const run = await runAudit(["--kubeconfig", fleet.kubeconfig, "--bogus"]);
  assertBadInput(t, run, /Unknown option '--bogus'/);
  t.regex(run.stderr, /Usage: kubesphere-fleet audit/);
});

test("a bad number, --stack mixed with --context and an empty --save are bad input", async (t) => {
  assertBadInput(t, await audit(["--kubeconfig", fleet.kubeconfig, "--timeout", "0"]), /--timeout 0 is not a positive number/);
  assertBadInput(t, await audit(["--kubeconfig", fleet.kubeconfig, "--concurrency", "1.5"]), /--concurrency 1\.5 is not a positive whole number/);
  assertBadInput(t, await audit(["--stack", "prod", "--project-dir", projectDir, "--context", "host"]), /--stack takes its clusters.*drop --context/);
  assertBadInput(t, await audit(["--kubeconfig", fleet.kubeconfig, "--save", " "]), /--save is empty/);
});

test("a kubeconfig that does not exist is bad input pointing at --kubeconfig and --stack", async (t) => {
  assertBadInput(t, await audit(["--kubeconfig", join(fleet.dir, "missing.kubeconfig")]), /missing\.kubeconfig does not exist\. Fix: pass --kubeconfig <file>, or --stack <name>/);
});

test("--save into a path that cannot be a folder is bad input", async (t) => {
  const file = join(fleet.dir, "not-a-folder");
  writeFileSync(file, "x");
  assertBadInput(t, await audit(["--kubeconfig", fleet.kubeconfig, "--context", "host", "--save", file]), /--save .*not-a-folder exists and is not a folder\. Fix: /);
});

test("--help prints the usage and exits 0", async (t) => {
  const run = await audit(["--help"]);
  t.is(run.code, 0);
  t.regex(run.stdout, /^Usage: kubesphere-fleet audit --stack <name>/);
  t.regex(run.stdout, /Exit codes: 0 healthy, 1 a violation or a cluster that could not be read, 2 bad input\./);
});
