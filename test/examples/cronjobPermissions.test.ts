/**
 * examples/cronjob/audit-cronjob.yaml as the kubelet runs it: the member kubeconfigs from the Secret are files owned by
 * root, given the pod's fsGroup and made group-readable when it has one (kubernetes/kubernetes pkg/volume/
 * volume_linux.go: `Lchown(file, -1, fsGroup)`, then `Chmod(mode | 0440)` on a read-only volume such as a Secret;
 * without fsGroup they stay root:root with `defaultMode`). The audit then runs as the pod's uid, primary gid and
 * supplementary fsGroup (setpriv), against a loopback API server, and writes its metrics into a folder that uid owns.
 * Needs root (or `sudo -n`) to give files to root and switch users, and setpriv (util-linux).
 */
import test, { type ExecutionContext } from "ava";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { REPO } from "../helpers/checkCli";
import { realToolTest, testNeeding, toolAvailable } from "../helpers/realTools";
import { healthyFleetSpecs, startFleet, type LiveFleet } from "../audit/liveFleet";

const SETPRIV = { command: "setpriv", debianPackage: "util-linux" };

// Loose shapes: the test asserts on them.
type Manifest = { kind: string; [key: string]: any };

/** The manifests as kubectl reads them: YAML 1.1, where `0440` is octal. */
function cronJobPod(): { pod: any; container: any } {
  const docs = parseAllDocuments(require("node:fs").readFileSync(join(REPO, "examples", "cronjob", "audit-cronjob.yaml"), "utf8"), { version: "1.1" });
  const cronJob = docs.map((d) => d.toJS() as Manifest).find((m) => m?.kind === "CronJob")!;
  const pod = cronJob["spec"].jobTemplate.spec.template.spec;
  return { pod, container: pod.containers[0] };
}

/** How to run a command as root here: directly, through `sudo -n`, or not at all. */
function asRoot(): string[] | undefined {
  if (process.getuid?.() === 0) return [];
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0 ? ["sudo", "-n"] : undefined;
}

function run(command: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let ca: CertificateAuthority;
let fleet: LiveFleet;

test.before(async () => {
  ca = makeCertificateAuthority();
  fleet = await startFleet(ca, healthyFleetSpecs());
});

test.after.always(async () => {
  await fleet?.close();
  ca?.dispose();
});

test("the CronJob's pod gives the Secret's files a group the audit's user is in, and a mode that group can read", (t) => {
  const { pod } = cronJobPod();
  const secret = pod.volumes.find((v: any) => v.secret?.secretName === "kubesphere-fleet-member-kubeconfigs").secret;
  t.is(typeof pod.securityContext.fsGroup, "number", "fsGroup: the kubelet chowns the Secret's files to it");
  t.is(secret.defaultMode & 0o040, 0o040, `defaultMode ${secret.defaultMode.toString(8)} lets the group read`);
  t.is(secret.defaultMode & 0o007, 0, "and nobody else");
});

const root = asRoot();

/**
 * Why the pod's user cannot run the audit from this checkout, if it cannot: it reads the repository's sources and
 * node_modules, so every folder above it must let others through (a clone under a 0700 home folder or mktemp folder
 * does not).
 */
function repositoryUnreadable(): string | undefined {
  const user = (cronJobPod().pod.securityContext as { runAsUser: number }).runAsUser;
  const probe = run([...root!, "setpriv", `--reuid=${user}`, `--regid=${user}`, "--clear-groups", "--", "test", "-r", join(REPO, "node_modules", "tsx", "package.json")]);
  return probe.code === 0 ? undefined : `uid ${user} cannot read the repository at ${REPO} (a folder above it keeps others out): run the tests from a checkout others can read`;
}

const readAsPod = (title: string, fn: (t: ExecutionContext) => Promise<void>) => {
  if (root === undefined) return testNeeding(title, "needs root or passwordless sudo, to give files to root and switch users", fn);
  if (!toolAvailable(SETPRIV)) return realToolTest([SETPRIV], title, fn);
  return testNeeding(title, repositoryUnreadable(), fn);
};

readAsPod("the audit, run as the CronJob's user and groups, reads the member kubeconfigs as the kubelet leaves them and writes its metrics", async (t) => {
  const { pod, container } = cronJobPod();
  const context = pod.securityContext as { runAsUser: number; runAsGroup?: number; fsGroup?: number };
  const secretVolume = pod.volumes.find((v: any) => v.secret?.secretName === "kubesphere-fleet-member-kubeconfigs");
  const mount = container.volumeMounts.find((m: any) => m.name === secretVolume.name).mountPath as string;
  const file = (container.env.find((e: any) => e.name === "KUBECONFIG").value as string).split(":").find((p) => p.startsWith(`${mount}/`))!;
  const defaultMode = (secretVolume.secret.defaultMode ?? 0o644) as number;

  const dir = mkdtempSync(join(tmpdir(), "kubesphere-fleet-cronjob-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  // The Secret's file where the pod sees it, owned and moded as the kubelet leaves it.
  const kubeconfig = join(dir, file);
  mkdirSync(join(dir, mount), { recursive: true, mode: 0o755 });
  writeFileSync(kubeconfig, require("node:fs").readFileSync(fleet.kubeconfigs["member-1"]!));
  const group = context.fsGroup ?? 0;
  const mode = context.fsGroup !== undefined ? defaultMode | 0o440 : defaultMode;
  for (const command of [["chown", `0:${group}`, kubeconfig], ["chmod", mode.toString(8), kubeconfig]]) {
    const done = run([...root!, ...command]);
    t.is(done.code, 0, done.stderr);
  }
  t.is(statSync(kubeconfig).uid, 0);
  // node_exporter's folder, given to the audit's user as the manifest's comment says.
  const textfile = join(dir, "textfile");
  mkdirSync(textfile, { mode: 0o755 });
  // The pod's /tmp (an emptyDir, writable by its user): where tsx keeps its cache here.
  const podTmp = join(dir, "tmp");
  mkdirSync(podTmp, { mode: 0o755 });
  for (const owned of [textfile, podTmp]) t.is(run([...root!, "chown", `${context.runAsUser}:${context.runAsGroup ?? context.runAsUser}`, owned]).code, 0);

  const groups = context.fsGroup !== undefined ? [`--groups=${context.fsGroup}`] : ["--clear-groups"];
  const audit = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      root![0] ?? "setpriv",
      [
        ...root!.slice(1),
        ...(root!.length ? ["setpriv"] : []),
        `--reuid=${context.runAsUser}`,
        `--regid=${context.runAsGroup ?? context.runAsUser}`,
        ...groups,
        "--",
        "env",
        "-i",
        `PATH=${process.env["PATH"]}`,
        `KUBECONFIG=${kubeconfig}`,
        "NO_COLOR=1",
        `TMPDIR=${podTmp}`,
        process.execPath,
        "--require",
        "tsx/cjs",
        join(REPO, "src", "cli", "audit.ts"),
        "--context=member-1",
        "--timeout=30",
        "--fleet=prod",
        `--prometheus-textfile=${textfile}`,
      ],
      { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  t.notRegex(audit.stderr, /cannot be read|permission denied|EACCES/i, audit.stderr);
  t.not(audit.code, 2, audit.stderr);
  t.regex(audit.stdout, /member-1 {2}\[read\]/);
  t.deepEqual(readdirSync(textfile).filter((f) => f.endsWith(".prom")), ["kubesphere-fleet-prod.prom"]);
  t.is(statSync(join(textfile, "kubesphere-fleet-prod.prom")).uid, context.runAsUser, "written by the pod's user");
});
