/**
 * examples/cronjob: the manifests parse, the CronJob runs the audit hourly as the read-only ServiceAccount with the
 * member kubeconfigs from a Secret, and the RBAC grants `get` on exactly the objects the audit reads, nothing more.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, parse } from "yaml";
import { AUDIT_USAGE } from "../../src/audit/auditArgs";
import { auditedObjects } from "../../src/audit/auditCluster";
import { DEFAULT_KUBESPHERE_NAMES } from "../../src/model/kubernetesObjects";

const DIR = join(__dirname, "..", "..", "examples", "cronjob");

// Loose shapes: the test asserts on them.
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

function manifests(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), "utf8"));
  for (const doc of docs) if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  return docs.map((d) => d.toJS() as Manifest).filter(Boolean);
}

const rbac = manifests("audit-rbac.yaml");
const cronjobFile = manifests("audit-cronjob.yaml");
const all = [...rbac, ...cronjobFile];
const cronJob = cronjobFile.find((m) => m.kind === "CronJob")!;
const serviceAccount = rbac.find((m) => m.kind === "ServiceAccount")!;

/** `group/resource/name` for every object the audit reads (the same list the audit itself uses). */
function auditedGrants(): Set<string> {
  const wanted = auditedObjects(DEFAULT_KUBESPHERE_NAMES);
  return new Set(
    [wanted.config, ...wanted.others].map((ref) => {
      const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0]! : "";
      return `${group}/${ref.kind.toLowerCase()}s/${ref.name}@${ref.namespace}`;
    }),
  );
}

test("every manifest parses and is a Kubernetes object with apiVersion, kind and name", (t) => {
  t.true(all.length >= 7);
  for (const m of all) {
    t.truthy(m.apiVersion, JSON.stringify(m).slice(0, 80));
    t.truthy(m.kind);
    t.truthy(m.metadata?.name);
  }
});

test("the RBAC grants only get, by name, on exactly the four objects the audit reads, in their namespace", (t) => {
  const roles = all.filter((m) => m.kind === "Role" || m.kind === "ClusterRole");
  t.deepEqual(roles.map((r) => r.kind), ["Role"], "one namespaced Role, no ClusterRole");
  const granted = new Set<string>();
  for (const role of roles) {
    for (const rule of role["rules"] as { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[]; nonResourceURLs?: string[] }[]) {
      t.deepEqual(rule.verbs, ["get"]);
      t.is(rule.nonResourceURLs, undefined);
      t.true((rule.resourceNames ?? []).length > 0, "names every object: no get on a whole resource type");
      for (const group of rule.apiGroups) for (const resource of rule.resources) for (const name of rule.resourceNames ?? []) granted.add(`${group}/${resource}/${name}@${role.metadata.namespace}`);
    }
  }
  t.deepEqual([...granted].sort(), [...auditedGrants()].sort());
});

test("the bindings give the Role to the audit's ServiceAccount only; nothing binds a ClusterRole", (t) => {
  t.deepEqual(all.filter((m) => m.kind === "ClusterRoleBinding"), []);
  const bindings = all.filter((m) => m.kind === "RoleBinding");
  t.is(bindings.length, 1);
  for (const binding of bindings) {
    t.deepEqual(binding["roleRef"], { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: all.find((m) => m.kind === "Role")!.metadata.name });
    t.deepEqual(binding["subjects"], [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace }]);
  }
});

test("the CronJob runs the audit every hour as that ServiceAccount, with the member kubeconfigs from a Secret", (t) => {
  const spec = cronJob["spec"];
  const fields = String(spec.schedule).split(/\s+/);
  t.is(fields.length, 5);
  t.regex(fields[0]!, /^\d+$/, "a fixed minute");
  t.deepEqual(fields.slice(1), ["*", "*", "*", "*"], "every hour");
  t.is(spec.concurrencyPolicy, "Forbid");
  t.is(cronJob.metadata.namespace, serviceAccount.metadata.namespace);
  const pod = spec.jobTemplate.spec.template.spec;
  t.is(pod.serviceAccountName, serviceAccount.metadata.name);
  t.true(pod.securityContext.runAsNonRoot);
  const [container] = pod.containers;
  t.false(container.securityContext.allowPrivilegeEscalation);
  t.true(container.securityContext.readOnlyRootFilesystem);
  const secretVolume = pod.volumes.find((v: any) => v.secret);
  t.is(secretVolume.secret.secretName, "kubesphere-fleet-member-kubeconfigs");
  const kubeconfigEnv = container.env.find((e: any) => e.name === "KUBECONFIG").value as string;
  const mountOf = (volume: string) => container.volumeMounts.find((m: any) => m.name === volume);
  t.true(mountOf(secretVolume.name).readOnly);
  t.true(kubeconfigEnv.split(":").some((path) => path.startsWith(`${mountOf(secretVolume.name).mountPath}/`)));
  t.true(pod.volumes.some((v: any) => v.projected?.sources.some((s: any) => s.serviceAccountToken)), "the host is read with the ServiceAccount's token");
});

test("the CronJob's arguments are audit flags, and it writes the metrics into the textfile collector's folder", (t) => {
  const [container] = cronJob["spec"].jobTemplate.spec.template.spec.containers;
  for (const arg of container.args as string[]) {
    const flag = arg.split("=")[0]!;
    t.true(AUDIT_USAGE.includes(`  ${flag} `), `${flag} is an audit flag`);
  }
  const args = container.args as string[];
  const metrics = args.find((a) => a.startsWith("--prometheus-textfile="))!.slice("--prometheus-textfile=".length);
  t.truthy(args.find((a) => /^--fleet=[a-z0-9-]+$/.test(a)), "without --stack, the fleet names the file and labels the series");
  const textfile = container.volumeMounts.find((m: any) => metrics === m.mountPath);
  t.truthy(textfile, "the folder itself: the audit names the file after the fleet");
  t.falsy(textfile.readOnly);
});

test("the host kubeconfig in the ConfigMap holds no token, only the projected token file's path", (t) => {
  const configMap = cronjobFile.find((m) => m.kind === "ConfigMap")!;
  const kubeconfig = parse(configMap["data"].kubeconfig as string);
  const user = kubeconfig.users[0].user;
  t.is(user.token, undefined);
  t.regex(user["token-file"], /\/token$/);
  const [container] = cronJob["spec"].jobTemplate.spec.template.spec.containers;
  t.true(container.volumeMounts.some((m: any) => user["token-file"].startsWith(`${m.mountPath}/`)));
});

test("the GitHub Actions workflow runs the audit on a schedule and on demand, with read-only permissions", (t) => {
  const workflow = parse(readFileSync(join(DIR, "github-actions-audit.yml"), "utf8"));
  t.true(Array.isArray(workflow.on.schedule) && typeof workflow.on.schedule[0].cron === "string");
  t.deepEqual(workflow.on.schedule[0].cron.split(" ").slice(1), ["*", "*", "*", "*"]);
  t.true("workflow_dispatch" in workflow.on);
  t.deepEqual(workflow.permissions, { contents: "read" });
  const steps = Object.values(workflow.jobs).flatMap((job: any) => job.steps as { run?: string }[]);
  t.true(steps.some((s) => /npm run (--silent )?audit -- --stack .* --prometheus-textfile /.test(s.run ?? "")));
});
