import { ClusterRole } from "../model/fleet";
import { editKubesphereYaml } from "../model/editKubesphereYaml";
import { KUBESPHERE_CONFIG_KEY } from "../model/kubesphereConfig";
import { factsFromObject, type KubeSphereNamesFilter, type KubernetesObject } from "../model/kubernetesObjects";
import { lookup } from "../model/lookup";
import { kindOfType } from "./resourceTypes";

/**
 * The kubesphere.yaml a member's ConfigMap (or ConfigMapPatch) should carry: accessTokenMaxAge set to the layout's
 * zero (v3 `0`, v4 `0s`) with every other byte kept. Only for a ConfigMap that itself says it is a member
 * (`multicluster.clusterRole: member`): a resource remediation sees one resource, so the role must come from the
 * config itself. `undefined` when nothing should change: not the KubeSphere config, not a member, already 0,
 * unknown during preview, or text that does not parse (the malformed-yaml policy reports that).
 *
 * `props` are plain inputs (see `plainInputs`).
 */
export function memberAccessTokenMaxAgeRemedy(type: string, props: Record<string, unknown>, names: KubeSphereNamesFilter): string | undefined {
  if (kindOfType(type) !== "ConfigMap") return undefined;
  const facts = factsFromObject(props as KubernetesObject, names, "ConfigMap");
  if (!facts || !("settings" in facts)) return undefined;
  const { role, accessTokenMaxAge, problems } = facts.settings;
  if (problems.length > 0 || role.state !== "known" || role.value !== ClusterRole.member) return undefined;
  if (accessTokenMaxAge.state === "unknown" || (accessTokenMaxAge.state === "known" && accessTokenMaxAge.value === 0)) return undefined;
  const text = lookup(props["data"], [KUBESPHERE_CONFIG_KEY]);
  if (text.state !== "known" || typeof text.value !== "string") return undefined;
  const edit = editKubesphereYaml(text.value, { zeroAccessTokenMaxAge: true }, facts.settings.source);
  return edit.ok && edit.text !== text.value ? edit.text : undefined;
}
