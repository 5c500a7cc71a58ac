import { ClusterRole } from "../model/fleet";
import { roleOf } from "../model/clusterView";
import type { AuthSettings } from "../model/fleet";
import { installerReverts, type InstallerRevert } from "./installerRevert";
import { Enforcement, ObjectRead, RuleScope, SETTINGS_SOURCES, Severity, type Finding, type Rule } from "./rule";

export const INSTALLER_MEMBER_ROLE = "kubesphere-installer-configure-member-role";

/**
 * On 3.x ks-installer re-renders kubesphere-config from the ClusterConfiguration each time it runs: when `.spec`
 * changes (its shell-operator hook on ClusterConfiguration ks-installer has `"jqFilter": ".spec"`,
 * kubesphere/ks-installer v3.1.1–v3.4.1 `controller/installRunner.py`) and when its pod starts. A member's 0 only
 * lasts if the ClusterConfiguration says `clusterRole: member`. Version details: on 3.1 any `oauthOptions`
 * suppresses the automatic 0 (mandatory); on 3.3/3.4 a member that also sets `oauthOptions.accessTokenMaxAge` gets
 * the key rendered twice, which ks-apiserver 3.x reads last-wins (the member's 0), so that is only advisory.
 *
 * When the stack also writes kubesphere-config (the FAQ's way, `manage: configmap`), every auth setting it writes
 * that the ClusterConfiguration would render otherwise is reverted by ks-installer's next run: that is reported
 * before apply, with both fixes (a revert that would bring a member to what it needs is left to the other rules).
 */
export const installerMemberRole: Rule = {
  id: INSTALLER_MEMBER_ROLE,
  description:
    "Checks whether ClusterConfiguration ks-installer renders what the fleet needs: clusterRole: member and accessTokenMaxAge 0 on a member, and nothing that its next run would put back over a kubesphere-config the stack writes.",
  severity: Severity.high,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.fleet,
  reads: [...SETTINGS_SOURCES, ObjectRead.kubesphereSecret],
  remediationSteps:
    "In the member's ClusterConfiguration ks-installer set spec.multicluster.clusterRole: member and spec.authentication.jwtSecret to the host's value. " +
    "On 3.1 add spec.authentication.oauthOptions.accessTokenMaxAge: 0 when oauthOptions is set; on 3.3/3.4 spec.authentication.oauthOptions.accessTokenMaxAge can go (it is rendered before the member's 0, which wins). " +
    "When kubesphere-config is written directly (manage: configmap), either manage the cluster through the ClusterConfiguration (manage: installer) or make its spec render the same values.",
  url: "https://kubesphere.io/docs/v3.4/multicluster-management/enable-multicluster/direct-connection/",
  evaluate(fleet) {
    const findings: Finding[] = [];
    for (const cluster of fleet.clusters) {
      const isMember = roleOf(cluster) === ClusterRole.member;
      const configs = cluster.settings.filter((s) => s.kind === "config");
      for (const settings of cluster.settings) {
        const installer = settings.installer;
        if (!installer) continue;
        const where = settings.source;
        const role = installer.clusterRole;
        const version = installer.version ?? cluster.version;
        const push = (message: string, source: string) =>
          findings.push({ ruleId: INSTALLER_MEMBER_ROLE, enforcement: Enforcement.mandatory, cluster: cluster.name, source, message });
        const reverted = configs.map((config) => revertFinding(cluster.name, isMember, settings, config, version)).filter((f) => f !== undefined);
        findings.push(...reverted);
        if (reverted.length > 0) continue;
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
        const specMaxAge = installer.oauthAccessTokenMaxAge;
        if (version === undefined && installer.oauthOptionKeys && !(specMaxAge.state === "known" && specMaxAge.value === 0)) {
          // Unversioned (a patch of a ClusterConfiguration without its version label, a cluster whose version the
          // stack does not say): what ks-installer renders depends on the version, and 3.1 breaks this member.
          const what = specMaxAge.state === "absent" ? "without accessTokenMaxAge" : "with an accessTokenMaxAge that is not 0";
          findings.push({
            ruleId: INSTALLER_MEMBER_ROLE,
            enforcement: Enforcement.advisory,
            cluster: cluster.name,
            source: specMaxAge.source,
            message:
              `Member '${cluster.name}' (${where}) sets spec.authentication.oauthOptions ${what}, and its KubeSphere version is not known here (undecided: version). ` +
              `On 3.1 ks-installer renders the spec's oauthOptions instead of the member's accessTokenMaxAge: 0, and the member then rejects the host's tokens; 3.0 and 3.2-3.4 render the 0. ` +
              `Fix: set spec.authentication.oauthOptions.accessTokenMaxAge: 0, or say the version (the ClusterConfiguration's metadata.labels.version, or the cluster's version in the stack).`,
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

/**
 * A kubesphere-config that ks-installer's next run writes back: mandatory unless the only change is a host's
 * accessTokenMaxAge (a host works with any non-zero value).
 */
function revertFinding(cluster: string, isMember: boolean, installer: AuthSettings, config: AuthSettings, version: string | undefined): Finding | undefined {
  // A revert to what the fleet needs (a member's 0 or its member role) repairs a config rather than breaking it;
  // the config's own value is judged by the other rules.
  const repairs = (r: InstallerRevert) =>
    isMember && ((r.setting === "accessTokenMaxAge" && r.renderedValue === 0) || (r.setting === "clusterRole" && r.renderedValue === ClusterRole.member));
  const reverts = installerReverts(installer, config).filter((r) => !repairs(r));
  if (reverts.length === 0) return undefined;
  const who = isMember ? "Member" : "Cluster";
  const keys = reverts.map((r) => `${r.key} ${r.config} -> ${r.rendered}`).join("; ");
  const fixes = reverts.map((r) => specFix(r.setting, isMember, version, installer)).filter((f, i, all) => all.indexOf(f) === i);
  const harmless = !isMember && reverts.every((r) => r.setting === "accessTokenMaxAge");
  return {
    ruleId: INSTALLER_MEMBER_ROLE,
    enforcement: harmless ? Enforcement.advisory : Enforcement.mandatory,
    cluster,
    // The ClusterConfiguration is what renders the values back, so the finding is about it.
    source: installer.source,
    message:
      `${who} '${cluster}' ${config.source} is reverted by ks-installer's next run (its pod restarting, any change to the ClusterConfiguration's .spec, an upgrade), ` +
      `which renders it from ${installer.source}: ${keys}. ` +
      `Fix: manage this cluster through the ClusterConfiguration (kubesphere-fleet: manage: installer), or correct the spec: ${fixes.join("; ")}.`,
  };
}

function specFix(setting: "jwtSecret" | "accessTokenMaxAge" | "clusterRole", isMember: boolean, version: string | undefined, installer: AuthSettings): string {
  switch (setting) {
    case "jwtSecret":
      return "set spec.authentication.jwtSecret to the fleet's jwtSecret";
    case "clusterRole":
      return `set spec.multicluster.clusterRole: ${isMember ? "member" : "host"}`;
    case "accessTokenMaxAge":
      if (!isMember) return "set spec.authentication.oauthOptions.accessTokenMaxAge to the value kubesphere-config should keep";
      if (!(installer.role.state === "known" && installer.role.value === ClusterRole.member)) return "set spec.multicluster.clusterRole: member";
      return version === "3.1" ? "set spec.authentication.oauthOptions.accessTokenMaxAge: 0 (3.1 renders the spec's oauthOptions instead of the member's 0)" : "set spec.authentication.oauthOptions.accessTokenMaxAge: 0";
  }
}
