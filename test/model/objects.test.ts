import test from "ava";
import { clusterViewFromObjects, factsFromObject } from "../../src/model/kubernetesObjects";
import { roleOf } from "../../src/model/clusterView";
import { UNKNOWN_VALUE } from "../../src/model/unknownValue";
import { fixtureObject } from "../helpers/fixtures";

test("the v3.4 ClusterConfiguration is recognised with its version and declared role", (t) => {
  const facts = factsFromObject(fixtureObject("v3.4/cluster-configuration.yaml"));
  t.true(facts !== undefined && "settings" in facts);
  const settings = (facts as { settings: import("../../src/model/fleet").AuthSettings }).settings;
  t.is(settings.installer?.version, "3.4");
  t.like(settings.installer?.clusterRole, { state: "known", value: "none" });
  t.is(settings.jwtSecret.state, "absent", "an empty spec.authentication.jwtSecret declares nothing");
});

test("a member ClusterConfiguration makes ks-installer render accessTokenMaxAge 0", (t) => {
  const cc = fixtureObject("v3.4/cluster-configuration.yaml") as { spec: { multicluster: { clusterRole: string } } };
  cc.spec.multicluster.clusterRole = "member";
  const view = clusterViewFromObjects("m", [cc]);
  t.is(roleOf(view), "member");
  t.like(view.settings[0]!.accessTokenMaxAge, { state: "known", value: 0 });
});

test("on 3.1 a member with oauthOptions gets no automatic 0", (t) => {
  const cc = fixtureObject("v3.4/cluster-configuration.yaml") as Record<string, any>;
  cc.metadata.labels.version = "v3.1.1";
  cc.spec.multicluster.clusterRole = "member";
  cc.spec.authentication.oauthOptions = { accessTokenInactivityTimeout: "30m" };
  const settings = clusterViewFromObjects("m", [cc]).settings[0]!;
  t.is(settings.accessTokenMaxAge.state, "absent");
});

test("the kubesphere-secret Secret gives the cluster's secret", (t) => {
  const view = clusterViewFromObjects("h", [fixtureObject("v3.4/kubesphere-secret.yaml")]);
  t.like(view.settings[0]!.jwtSecret, { state: "known", value: { length: 32 } });
});

test("a ConfigMap is KubeSphere's config by its default names or by what its kubesphere.yaml holds", (t) => {
  const cm = fixtureObject("v3.4/kubesphere-config.host.yaml") as Record<string, any>;
  const renamed = { ...cm, metadata: { name: "acme-config", namespace: "acme-system" } };
  t.truthy(factsFromObject(cm));
  t.truthy(factsFromObject(renamed));
  t.truthy(factsFromObject({ ...renamed, data: { "kubesphere.yaml": "authentication: [" } }), "a malformed config with an authentication section");
  t.truthy(factsFromObject({ ...renamed, data: { "kubesphere.yaml": UNKNOWN_VALUE } }), "a kubesphere.yaml unknown during preview");
  t.is(factsFromObject({ ...renamed, data: UNKNOWN_VALUE }), undefined, "no data key known: by name only");
  t.truthy(factsFromObject({ ...cm, data: UNKNOWN_VALUE }));
  t.is(factsFromObject({ ...renamed, data: { "kubesphere.yaml": "not: [valid" } }), undefined);
  t.is(factsFromObject({ ...renamed, data: { "kubesphere.yaml": "multicluster:\n  clusterRole: member\n" } }), undefined);
  t.is(factsFromObject({ ...renamed, data: { "other.yaml": cm.data["kubesphere.yaml"] } }), undefined);
  t.is(factsFromObject({ ...cm, metadata: { ...cm.metadata, namespace: "default" }, data: {} }), undefined, "the default name elsewhere, holding nothing");
});

test("configured names narrow: only that ConfigMap, only that namespace", (t) => {
  const cm = fixtureObject("v3.4/kubesphere-config.host.yaml") as Record<string, any>;
  const acme = { namespace: "acme-system", configMap: "acme-config" };
  t.truthy(factsFromObject({ ...cm, metadata: { name: "acme-config", namespace: "acme-system" } }, acme));
  t.truthy(factsFromObject({ ...cm, metadata: { name: "acme-config" } }, acme), "no namespace in the inputs: the provider's default");
  t.is(factsFromObject(cm, acme), undefined);
  t.is(factsFromObject({ ...cm, metadata: { name: "acme-config", namespace: "default" } }, acme), undefined);
  t.truthy(factsFromObject({ ...cm, metadata: { name: "kubesphere-config", namespace: "acme-system" } }, { namespace: "acme-system" }));
  t.is(factsFromObject(cm, { namespace: "acme-system" }), undefined);
  t.truthy(factsFromObject({ ...cm, metadata: { name: "acme-config", namespace: "anywhere" } }, { configMap: "acme-config" }));
  t.is(factsFromObject(cm, { configMap: "acme-config" }), undefined);
  const secret = fixtureObject("v3.4/kubesphere-secret.yaml") as Record<string, any>;
  t.truthy(factsFromObject({ ...secret, metadata: { ...secret.metadata, namespace: "acme-system" } }), "kubesphere-secret in any namespace");
  t.is(factsFromObject(secret, acme), undefined);
});

test("ks-apiserver replicas default to 1 and may be unknown", (t) => {
  const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ks-apiserver", namespace: "kubesphere-system" }, spec: {} };
  t.like(clusterViewFromObjects("c", [deployment]).apiserver[0]!.replicas, { state: "known", value: 1 });
  t.is(clusterViewFromObjects("c", [{ ...deployment, spec: { replicas: UNKNOWN_VALUE } }]).apiserver[0]!.replicas.state, "unknown");
});

test("a ConfigMap whose data is unknown during preview yields unknown settings", (t) => {
  const cm = { kind: "ConfigMap", metadata: { name: "kubesphere-config", namespace: "kubesphere-system" }, data: { "kubesphere.yaml": UNKNOWN_VALUE } };
  const settings = clusterViewFromObjects("c", [cm]).settings[0]!;
  t.is(settings.jwtSecret.state, "unknown");
});

test("a 3.2 member config without clusterRole takes the declared role, and only then", (t) => {
  const text = "authentication:\n  jwtSecret: abc\n  oauthOptions:\n    accessTokenMaxAge: 2h\n";
  const cm = { kind: "ConfigMap", metadata: { name: "kubesphere-config", namespace: "kubesphere-system" }, data: { "kubesphere.yaml": text } };
  t.is(roleOf(clusterViewFromObjects("m", [cm])), undefined);
  t.is(roleOf(clusterViewFromObjects("m", [cm], { declaredRole: "member" })), "member");
  const host = { ...cm, data: { "kubesphere.yaml": `${text}multicluster:\n  clusterRole: host\n` } };
  t.is(roleOf(clusterViewFromObjects("m", [host], { declaredRole: "member" })), "host", "what the cluster says wins over the declaration");
});
