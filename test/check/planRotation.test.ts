/**
 * The rotation plan as a pure function of the fleet, the per-cluster plan and the live objects: other hosts and
 * modes than the end-to-end fleet (a 4.1 host, a 3.0 installer member, a 3.3 configmap member, a rebranded namespace).
 */
import test from "ava";
import { Switch, type ClusterPlan } from "../../src/check/report";
import { planRotation } from "../../src/check/rotation";
import type { ClusterDeclaration, FleetDeclaration, KubeSphereVersion, ManageMode } from "../../src/config/fleetDeclaration";
import { fixtureObject } from "../helpers/fixtures";

const OLD = "sha256:111111111111";
const NEW = "sha256:222222222222";

function cluster(name: string, role: "host" | "member", version: KubeSphereVersion, mode: ManageMode): ClusterDeclaration {
  return { name, label: `clusters (${name})`, role, version, mode, ksInstaller: !version.startsWith("4."), kubeconfig: { source: `${name}.yaml` } };
}

function plan(c: ClusterDeclaration, restart: boolean, live = OLD, desired = NEW): ClusterPlan {
  return { name: c.name, role: c.role, version: c.version, mode: c.mode, jwtSecret: { live, desired }, accessTokenMaxAge: { live: "0", desired: "0" }, restart, changes: [], resources: [] };
}

const clusters = [cluster("hq", "host", "4.1", "configmap"), cluster("old-30", "member", "3.0", "installer"), cluster("mid-33", "member", "3.3", "configmap")];
const fleet: FleetDeclaration = { stack: "prod", clusters, names: { namespace: "acme-system", configMap: "acme-config" } };
const plans = [plan(clusters[0]!, true), plan(clusters[1]!, false), plan(clusters[2]!, false)];

test("a 4.1 host rotates: it restarts after the fleet's patches, ks-installer restarts the 3.0 member, the 3.3 member reloads", (t) => {
  const rotation = planRotation(fleet, plans, new Map());
  t.truthy(rotation);
  t.is(rotation!.from, OLD);
  t.is(rotation!.to, NEW);
  t.deepEqual(rotation!.clustersRestarted, ["hq", "old-30"]);
  t.deepEqual(rotation!.clusters.map((c) => c.switch), [Switch.restartAfterFleetPatches, Switch.restartByInstaller, Switch.reload]);
  t.deepEqual(rotation!.clusters.map((c) => c.patched), ["ConfigMap acme-system/acme-config", "ClusterConfiguration acme-system/ks-installer", "ConfigMap acme-system/acme-config"]);
});

test("stale values follow the mode and the live config, in the distribution's own namespace; 4.x has none", (t) => {
  const devopsConfig = fixtureObject("v3.2/kubesphere-config.member-devops.yaml") as { metadata: { name: string; namespace: string } };
  devopsConfig.metadata = { name: "acme-config", namespace: "acme-system" };
  const rotation = planRotation(fleet, plans, new Map([["mid-33", [devopsConfig]]]));
  t.deepEqual(
    rotation!.staleValues.map((v) => `${v.cluster} ${v.state} ${v.object} ${v.key}`),
    [
      "old-30 re-created Secret acme-system/kubesphere-secret secret, token",
      "mid-33 stale Secret acme-system/kubesphere-secret secret, token",
      "mid-33 stale ConfigMap acme-system/acme-config kubesphere.yaml: devops.password",
    ],
  );
  t.regex(rotation!.staleValues[1]!.fix!, /kubectl -n acme-system create secret generic kubesphere-secret/);
});

test("no rotation when the host keeps its secret, or when either fingerprint is not known here", (t) => {
  for (const [live, desired] of [[OLD, OLD], [OLD, "unknown"], ["unreadable", NEW], ["none", NEW]] as const) {
    const hostPlan = plan(clusters[0]!, true, live, desired);
    t.is(planRotation(fleet, [hostPlan, ...plans.slice(1)], new Map()), undefined, `${live} → ${desired}`);
  }
});

test("a member alone changing its secret (drift being corrected) is not a rotation", (t) => {
  const drifted = [plan(clusters[0]!, false, NEW, NEW), plan(clusters[1]!, false, OLD, NEW), plan(clusters[2]!, false, NEW, NEW)];
  t.is(planRotation(fleet, drifted, new Map()), undefined);
});

test("an installer-mode snapshot with only the ClusterConfiguration: DevOps enabled there means devops.password is re-rendered", (t) => {
  const installer = fixtureObject("v3.2/cluster-configuration.yaml") as { spec: { devops: { enabled: boolean } } };
  installer.spec.devops.enabled = true;
  const rotation = planRotation(fleet, plans, new Map([["old-30", [installer as never]]]));
  t.deepEqual(
    rotation!.staleValues.filter((v) => v.cluster === "old-30").map((v) => `${v.state} ${v.key}`),
    ["re-created secret, token", "re-created kubesphere.yaml: devops.password"],
  );
  installer.spec.devops.enabled = false;
  t.deepEqual(planRotation(fleet, plans, new Map([["old-30", [installer as never]]]))!.staleValues.filter((v) => v.cluster === "old-30").map((v) => v.key), ["secret, token"]);
});
