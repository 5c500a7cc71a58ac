import type { ClusterView, CredentialFacts, FleetView } from "../../src/model/fleet";
import { clusterViewFromObjects, type KubernetesObject } from "../../src/model/kubernetesObjects";
import { defaultRuleOptions, type Finding, type Rule, type RuleOptions } from "../../src/rules";
import { fixtureKubesphereYaml, fixtureObject } from "./fixtures";

export const NOW = new Date("2026-06-01T00:00:00Z");

/** A kubesphere-config ConfigMap object whose kubesphere.yaml is `text`. */
export function configMap(text: string): KubernetesObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kubesphere-config", namespace: "kubesphere-system" }, data: { "kubesphere.yaml": text } };
}

/** A fixture cluster: its rendered kubesphere-config, optionally edited. */
export function fixtureCluster(
  name: string,
  fixture: `${"v3.1" | "v3.4" | "v4.1"}/kubesphere-config.${string}.yaml`,
  edit: (text: string) => string = (x) => x,
  extra: { objects?: KubernetesObject[]; credentials?: CredentialFacts[] } = {},
): ClusterView {
  return clusterViewFromObjects(name, [configMap(edit(fixtureKubesphereYaml(fixture))), ...(extra.objects ?? [])], { credentials: extra.credentials ?? [] });
}

/** A compliant fleet of every fixture layout: a 3.4 host, a 3.4 member and a 4.1 member. */
export function compliantFleet(): ClusterView[] {
  return [
    fixtureCluster("host", "v3.4/kubesphere-config.host.yaml"),
    fixtureCluster("member-1", "v3.4/kubesphere-config.member.yaml"),
    fixtureCluster("member-2", "v4.1/kubesphere-config.member.yaml"),
  ];
}

export function memberClusterConfiguration(edit: (cc: Record<string, any>) => void = () => {}): KubernetesObject {
  const cc = fixtureObject("v3.4/cluster-configuration.yaml") as Record<string, any>;
  cc.spec.multicluster.clusterRole = "member";
  edit(cc);
  return cc;
}

export function run(rule: Rule, clusters: ClusterView[], options: Partial<RuleOptions> = {}): Finding[] {
  const fleet: FleetView = { clusters };
  return rule.evaluate(fleet, { ...defaultRuleOptions(NOW), ...options });
}
