import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import type { MockRunResult } from "../../src/mocks/runUnderMocks";
import { secretFacts } from "../../src/model/secretFacts";
import { FIXTURE_SECRET, changed, liveObjects, patchesOf, runStack, stackInput } from "../helpers/mocksFleet";

// Bad input stops the program before any patch is declared, with a RunError (printed without a stack trace).
// Runs one after another: Pulumi's mocks are process-global and are reinstalled by each run.


test.serial("a bad stack config declares nothing at all and lists every problem", async (t) => {
  const input = stackInput("dev");
  const clusters = structuredClone(input.clusters) as any[];
  clusters[1].role = "host";
  const result = await runStack({ ...input, clusters, jwtSecret: "too-short" }, liveObjects("dev"), "dev");
  t.true(pulumi.RunError.isInstance(result.error));
  t.deepEqual(result.resources, []);
  t.is(
    result.error!.message,
    [
      "The stack config has 2 problem(s); nothing was declared.",
      "- Stack 'dev': kubesphere-fleet:clusters declares 2 hosts (clusters[0] (host), clusters[1] (member-1)). Fix: give exactly one cluster role: host and the others role: member.",
      `- Stack 'dev': kubesphere-fleet:jwtSecret (${secretFacts("too-short").fingerprint}) has 9 characters, fewer than 32. Fix: set a random secret of at least 32 characters with: pulumi config set --secret jwtSecret "$(openssl rand -hex 16)", or remove it to adopt the host's.`,
    ].join("\n"),
  );
  t.false(result.error!.message.includes("too-short"));
});

test.serial("a live kubesphere.yaml that does not parse stops before any patch, naming the cluster and the line", async (t) => {
  const live = liveObjects("dev");
  live.set("member-2", [changed(live.get("member-2")![0]!, (o) => (o.data["kubesphere.yaml"] = o.data["kubesphere.yaml"].replace("  issuer:\n", "  issuer: [\n")))]);
  const result = await runStack(stackInput("dev"), live, "dev");
  t.true(pulumi.RunError.isInstance(result.error));
  t.deepEqual(patchesOf(result), []);
  t.regex(result.error!.message, /^The fleet cannot be declared \(1 problem\(s\)\); no patch was declared\.\n- Stack 'dev', clusters\[2\] \(member-2\): ConfigMap kubesphere-system\/kubesphere-config: kubesphere\.yaml line \d+, column \d+ does not parse: /);
  t.false(result.error!.message.includes(FIXTURE_SECRET));
});

test.serial("an object missing on a cluster stops before any patch, naming the cluster and the object", async (t) => {
  const live = liveObjects("dev");
  live.set("host", live.get("host")!.filter((o) => o.kind !== "Secret"));
  const result = await runStack(stackInput("dev"), live, "dev");
  t.true(pulumi.RunError.isInstance(result.error));
  t.deepEqual(patchesOf(result), []);
  t.regex(result.error!.message, /- Stack 'dev', clusters\[0\] \(host\): reading Secret kubesphere-system\/kubesphere-secret failed: .*not found.*\. Fix: check the cluster's kubeconfig and that KubeSphere 3\.4 is installed there, or set the fleet's secret with pulumi config set --secret jwtSecret\./);
});

test.serial("a host without a secret to adopt stops before any patch", async (t) => {
  const live = liveObjects("dev");
  live.set("host", live.get("host")!.map((o) => (o.kind === "Secret" ? changed(o, (s) => delete s.data.secret) : o)));
  const result = await runStack(stackInput("dev"), live, "dev");
  t.deepEqual(patchesOf(result), []);
  t.regex(result.error!.message, /clusters\[0\] \(host\): Secret kubesphere-system\/kubesphere-secret has no key 'secret', so there is no host jwtSecret to adopt\. Fix: set the fleet's secret/);
});

test.serial("a failed read and an unparsable config on another cluster are reported together", async (t) => {
  const live = liveObjects("dev");
  live.set("member-1", []);
  live.set("member-2", [changed(live.get("member-2")![0]!, (o) => (o.data["kubesphere.yaml"] = "a: [\n"))]);
  const result = await runStack(stackInput("dev"), live, "dev");
  t.deepEqual(patchesOf(result), []);
  const lines = result.error!.message.split("\n");
  t.is(lines[0], "The fleet cannot be declared (2 problem(s)); no patch was declared.");
  t.regex(lines[1]!, /^- Stack 'dev', clusters\[1\] \(member-1\): reading ClusterConfiguration kubesphere-system\/ks-installer failed: .*not found.* or set manage: configmap and ksInstaller: false if ks-installer is gone\.$/);
  t.regex(lines[2]!, /^- Stack 'dev', clusters\[2\] \(member-2\): ConfigMap kubesphere-system\/kubesphere-config: kubesphere\.yaml line 2, column 1 does not parse/);
});
