import test from "ava";
import { memberZeroAccessTokenMaxAge } from "../../policies/memberZeroAccessTokenMaxAge";
import { DEFAULT_KUBESPHERE_NAMES } from "../../src/model/kubernetesObjects";
import { UNKNOWN_VALUE } from "../../src/model/unknownValue";
import { memberAccessTokenMaxAgeRemedy } from "../../src/pack/memberAccessTokenMaxAgeRemedy";
import { fixtureKubesphereYaml } from "../helpers/fixtures";

const props = (text: unknown, name = "kubesphere-config") => ({ metadata: { name, namespace: "kubesphere-system" }, data: { "kubesphere.yaml": text } });
const remedy = (type: string, text: unknown, name?: string) => memberAccessTokenMaxAgeRemedy(type, props(text, name), DEFAULT_KUBESPHERE_NAMES);

function changedLines(before: string, after: string): Array<[string | undefined, string | undefined]> {
  const a = before.split("\n");
  const b = after.split("\n");
  const out: Array<[string | undefined, string | undefined]> = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) out.push([a[i], b[i]]);
  return out;
}

test("sets a 3.4 member's accessTokenMaxAge to 0, keeping every other byte", (t) => {
  const original = fixtureKubesphereYaml("v3.4/kubesphere-config.member.yaml");
  const broken = original.replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h");
  const fixed = remedy("kubernetes:core/v1:ConfigMapPatch", broken);
  t.is(fixed, original);
});

test("sets a 4.1 member's accessTokenMaxAge to 0s, keeping every other byte", (t) => {
  const original = fixtureKubesphereYaml("v4.1/kubesphere-config.member.yaml");
  const broken = original.replace("accessTokenMaxAge: 0s", "accessTokenMaxAge: 2h");
  t.not(broken, original);
  const fixed = remedy("kubernetes:core/v1:ConfigMap", broken)!;
  t.deepEqual(changedLines(broken, fixed), [[broken.split("\n").find((l) => l.includes("accessTokenMaxAge")), fixed.split("\n").find((l) => l.includes("accessTokenMaxAge"))]]);
  t.regex(fixed, /accessTokenMaxAge: "?0s"?/);
});

test("adds a missing accessTokenMaxAge on a member", (t) => {
  const original = fixtureKubesphereYaml("v3.4/kubesphere-config.member.yaml");
  const fixed = remedy("kubernetes:core/v1:ConfigMap", original.replace(/\n\s*accessTokenMaxAge: 0/, ""))!;
  t.regex(fixed, /accessTokenMaxAge: 0\n/);
});

test("leaves hosts, compliant members, other ConfigMaps, unknowns and broken YAML alone", (t) => {
  t.is(remedy("kubernetes:core/v1:ConfigMap", fixtureKubesphereYaml("v3.4/kubesphere-config.host.yaml")), undefined);
  t.is(remedy("kubernetes:core/v1:ConfigMap", fixtureKubesphereYaml("v4.1/kubesphere-config.member.yaml")), undefined);
  t.is(remedy("kubernetes:core/v1:ConfigMap", fixtureKubesphereYaml("v3.4/kubesphere-config.member.yaml").replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 2h"), "app-config"), undefined);
  t.is(remedy("kubernetes:core/v1:Secret", "x"), undefined);
  t.is(remedy("kubernetes:core/v1:ConfigMap", UNKNOWN_VALUE), undefined);
  t.is(remedy("kubernetes:core/v1:ConfigMap", "authentication: ["), undefined);
});

test("the policy writes the remedy into the resource's data and returns the inputs", async (t) => {
  const broken = fixtureKubesphereYaml("v3.4/kubesphere-config.member.yaml").replace("accessTokenMaxAge: 0", "accessTokenMaxAge: 1h");
  const args = { type: "kubernetes:core/v1:ConfigMap", props: props(broken), getConfig: () => ({}) } as never;
  const result = (await memberZeroAccessTokenMaxAge.remediateResource!(args)) as ReturnType<typeof props>;
  t.is(result.data["kubesphere.yaml"], fixtureKubesphereYaml("v3.4/kubesphere-config.member.yaml"));
  t.is(await memberZeroAccessTokenMaxAge.remediateResource!({ ...(args as object), props: props(fixtureKubesphereYaml("v3.4/kubesphere-config.host.yaml")) } as never), undefined);
});
