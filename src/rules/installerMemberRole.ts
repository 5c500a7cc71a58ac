import { ClusterRole } from "../model/fleet";
import { roleOf } from "../model/clusterView";
import { Enforcement, ObjectRead, RuleScope, SETTINGS_SOURCES, Severity, type Finding, type Rule } from "./rule";

export const INSTALLER_MEMBER_ROLE = "kubesphere-installer-configure-member-role";

/**
 * On 3.x ks-installer re-renders kubesphere-config from the ClusterConfiguration each time it runs: when `.spec`
 * changes (its shell-operator hook on ClusterConfiguration ks-installer has `"jqFilter": ".spec"`,
 * kubesphere/ks-installer v3.1.1–v3.4.1 `controller/installRunner.py`) and when its pod starts. A member's 0 only
 * lasts if the ClusterConfiguration says `clusterRole: member`. Version details: on 3.1 any `oauthOptions`
 * suppresses the automatic 0 (mandatory); on 3.3/3.4 a member that also sets `oauthOptions.accessTokenMaxAge` gets
 * the key rendered twice, which ks-apiserver 3.x reads last-wins (the member's 0), so that is only advisory.
 */
export const installerMemberRole: Rule = {
  id: INSTALLER_MEMBER_ROLE,
  description: "Checks whether a member cluster's ClusterConfiguration ks-installer declares clusterRole: member without the oauthOptions traps of 3.1, 3.3 and 3.4.",
  severity: Severity.high,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.fleet,
  reads: [...SETTINGS_SOURCES, ObjectRead.kubesphereSecret],
  remediationSteps:
    "In the member's ClusterConfiguration ks-installer set spec.multicluster.clusterRole: member and spec.authentication.jwtSecret to the host's value. " +
    "On 3.1 add spec.authentication.oauthOptions.accessTokenMaxAge: 0 when oauthOptions is set; on 3.3/3.4 spec.authentication.oauthOptions.accessTokenMaxAge can go (it is rendered before the member's 0, which wins).",
  url: "https://kubesphere.io/docs/v3.4/multicluster-management/enable-multicluster/direct-connection/",
  evaluate(fleet) {
    const findings: Finding[] = [];
    for (const cluster of fleet.clusters) {
      const isMember = roleOf(cluster) === ClusterRole.member;
      for (const settings of cluster.settings) {
        const installer = settings.installer;
        if (!installer) continue;
        const where = settings.source;
        const role = installer.clusterRole;
        const version = installer.version ?? cluster.version;
        const push = (message: string, source: string) =>
          findings.push({ ruleId: INSTALLER_MEMBER_ROLE, enforcement: Enforcement.mandatory, cluster: cluster.name, source, message });
        if (isMember && role.state === "unknown") {
          findings.push({ ruleId: INSTALLER_MEMBER_ROLE, enforcement: Enforcement.advisory, cluster: cluster.name, source: role.source, message: `Member '${cluster.name}' clusterRole (${role.source}) is ${role.reason}; it must be member.` });
        } else if (isMember && !(role.state === "known" && role.value === ClusterRole.member)) {
          const shown = role.state === "known" ? `'${role.value}'` : "not set";
          push(
            `Member '${cluster.name}' ClusterConfiguration (${role.source}) is ${shown}; ks-installer re-renders kubesphere-config on its next run and drops accessTokenMaxAge: 0. Set spec.multicluster.clusterRole: member.`,
            role.source,
          );
        }
        const declaresMember = role.state === "known" && role.value === ClusterRole.member;
        if (!declaresMember) continue;
        if ((version === "3.3" || version === "3.4") && installer.oauthAccessTokenMaxAge.state !== "absent") {
          findings.push({
            ruleId: INSTALLER_MEMBER_ROLE,
            enforcement: Enforcement.advisory,
            cluster: cluster.name,
            source: installer.oauthAccessTokenMaxAge.source,
            message:
              `Member '${cluster.name}' (${where}, KubeSphere ${version}) sets spec.authentication.oauthOptions.accessTokenMaxAge; with clusterRole: member ks-installer ${version} renders ` +
              `authentication.oauthOptions.accessTokenMaxAge twice in kubesphere.yaml, that value and then 0. ks-apiserver ${version} reads the last one (0), so the member works. ` +
              `To render it once, remove spec.authentication.oauthOptions.accessTokenMaxAge.`,
          });
        }
        if (version === "3.1" && installer.oauthOptionKeys && settings.accessTokenMaxAge.state === "absent") {
          push(
            `Member '${cluster.name}' (${where}, KubeSphere 3.1) sets spec.authentication.oauthOptions without accessTokenMaxAge; ks-installer 3.1 then does not render accessTokenMaxAge: 0. Add spec.authentication.oauthOptions.accessTokenMaxAge: 0.`,
            installer.oauthAccessTokenMaxAge.source,
          );
        }
      }
    }
    return findings;
  },
};
