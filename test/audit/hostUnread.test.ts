/**
 * The seed's situation end to end: the host's kubeconfig expired, so the host cannot be read, and the fleet holds a
 * 3.4 member that drifted (its own secret in ConfigMap, ClusterConfiguration and Secret) beside two healthy 4.1
 * members. The healthy members must not be blamed; the drifted one is named, plainly, against a stated reference.
 */
import test from "ava";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { FLEET_SHARED_JWT_SECRET } from "../../src/rules/fleetSharedJwtSecret";
import { secretFacts } from "../../src/model/secretFacts";
import type { ServedObject } from "../helpers/apiServer";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { contextArgs, DRIFTED_JWT_SECRET, forbiddenStrings, PATIENT_TIMEOUT_ARGS, runAudit, startFleet, v34DriftedMember, v34Host, v41Member, type LiveFleet } from "./liveFleet";

const CLUSTERS = ["host", "drifted", "edge-1", "edge-2"];
let ca: CertificateAuthority;
let fleet: LiveFleet;
let projectDir: string;

/** A drifted 3.4 member reinstalled with its own secret set in the ClusterConfiguration too: three objects hold it. */
function driftedEverywhere(): ServedObject[] {
  return v34DriftedMember().map((o) =>
    o.kind === "ClusterConfiguration" ? { ...o, spec: { ...(o["spec"] as object), authentication: { ...((o["spec"] as { authentication: object }).authentication), jwtSecret: DRIFTED_JWT_SECRET } } } : o,
  );
}

test.before(async () => {
  ca = makeCertificateAuthority();
  fleet = await startFleet(ca, [
    { name: "host", objects: v34Host(), certificate: "expired", rejectInvalidCertificates: "status" },
    { name: "drifted", objects: driftedEverywhere() },
    { name: "edge-1", objects: v41Member() },
    { name: "edge-2", objects: v41Member() },
  ]);
  projectDir = join(fleet.dir, "project");
  mkdirSync(join(projectDir, "stacks"), { recursive: true });
  writeFileSync(
    join(projectDir, "stacks", "Pulumi.prod.yaml"),
    stringify({
      config: {
        "kubesphere-fleet:jwtSecret": FIXTURE_JWT_SECRET,
        "kubesphere-fleet:clusters": [
          { name: "host", role: "host", version: "3.4", kubeconfig: { path: fleet.kubeconfigs["host"] } },
          { name: "drifted", role: "member", version: "3.4", kubeconfig: { path: fleet.kubeconfigs["drifted"] } },
          { name: "edge-1", role: "member", version: "4.1", kubeconfig: { path: fleet.kubeconfigs["edge-1"] } },
          { name: "edge-2", role: "member", version: "4.1", kubeconfig: { path: fleet.kubeconfigs["edge-2"] } },
        ],
      },
    }),
  );
});

test.after.always(async () => {
  await fleet?.close();
  ca?.dispose();
});

interface Audit {
  clusters: { name: string; state: string }[];
  findings: { ruleId: string; enforcement: string; cluster?: string; clusters?: string[]; message: string }[];
}

test("host unreadable, no secret declared: the healthy 4.1 members are not blamed and the drifted member gets an advisory saying so", async (t) => {
  const run = await runAudit([...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, ...contextArgs(CLUSTERS), "--json"]);
  t.is(run.code, 1, run.stderr);
  const audit = JSON.parse(run.stdout) as Audit;
  t.not(audit.clusters.find((c) => c.name === "host")!.state, "read");
  const shared = audit.findings.filter((f) => f.ruleId === FLEET_SHARED_JWT_SECRET);
  t.true(shared.length > 0);
  t.deepEqual([...new Set(shared.map((f) => `${f.cluster} ${f.enforcement}`))], ["drifted advisory"], JSON.stringify(shared, null, 2));
  t.regex(shared[0]!.message, /no cluster here is known to be the host \(nothing was read from 'host'\), so this compares with a guess: the secret held by the most clusters \(2 of 3: 'edge-1', 'edge-2'\), /);
  t.regex(shared[0]!.message, new RegExp(secretFacts(FIXTURE_JWT_SECRET).fingerprint));
  for (const forbidden of forbiddenStrings()) t.false(run.stdout.includes(forbidden));
});

test("host unreadable, the stack declares the jwtSecret: the drifted member is a mandatory violation against the stack's secret, named as such", async (t) => {
  const run = await runAudit([...PATIENT_TIMEOUT_ARGS, "--stack", "prod", "--project-dir", projectDir, "--json"]);
  t.is(run.code, 1, run.stderr);
  const shared = (JSON.parse(run.stdout) as Audit).findings.filter((f) => f.ruleId === FLEET_SHARED_JWT_SECRET);
  t.deepEqual([...new Set(shared.map((f) => `${f.cluster} ${f.enforcement}`))], ["drifted mandatory"]);
  t.regex(shared[0]!.message, new RegExp(`the jwtSecret of host 'host' could not be read; the stack's jwtSecret is ${secretFacts(FIXTURE_JWT_SECRET).fingerprint}\\.`));
  for (const forbidden of forbiddenStrings()) t.false(run.stdout.includes(forbidden));
});
