import { Switch, type Rotation } from "./report";

interface Style {
  bold(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
}

/**
 * The rotation plan for people, printed before the usual table: who is signed out, the order in which each
 * cluster switches to the new secret, and what stays signed with the old one. Fingerprints only.
 */
export function formatRotation(rotation: Rotation, style: Style): string[] {
  const { clusters } = rotation;
  const list = (switches: readonly { cluster: string; version: string; mode: string }[]) => switches.map((c) => `${c.cluster} (${c.version}, ${c.mode})`).join(", ");
  const declared = clusters.filter((c) => c.switch === Switch.restartAfterFleetPatches);
  const byInstaller = clusters.filter((c) => c.switch === Switch.restartByInstaller);
  const reloading = clusters.filter((c) => c.switch === Switch.reload);
  const lines = [
    style.bold(`Rotation of the fleet's jwtSecret: ${rotation.from} → ${rotation.to}, on all ${clusters.length} cluster${clusters.length === 1 ? "" : "s"} in one update`),
    `  Every signed-in user is signed out: tokens signed with the old secret fail with "signature is invalid" once a cluster uses the new one; everyone logs in again.`,
    `  1. Config patches, all clusters at once: ${clusters.map((c) => `${c.cluster} (${c.patched})`).join(", ")}.`,
  ];
  let step = 2;
  if (declared.length) {
    lines.push(`  ${step++}. After every config patch of the fleet, ks-apiserver restarts (DeploymentPatch, in parallel): ${list(declared)}.`);
  }
  if (byInstaller.length) {
    lines.push(`  ${step++}. ks-installer re-renders kubesphere-config and restarts ks-apiserver itself at the end of its run (minutes, after pulumi up returns): ${list(byInstaller)}.`);
  }
  if (reloading.length) {
    lines.push(`  ${step++}. No restart: ks-apiserver reloads kubesphere.yaml once the ConfigMap volume updates (a minute or more; installer mode after ks-installer re-renders it): ${list(reloading)}.`);
  }
  lines.push(`  Until the last of these, host and members disagree and cross-cluster requests fail; see docs/rotation.md.`);
  const stale = rotation.staleValues.filter((v) => v.state === "stale");
  const recreated = rotation.staleValues.filter((v) => v.state === "re-created");
  for (const value of recreated) lines.push(`  ${value.cluster}: ${value.object} ${value.key}: ${value.why}.`);
  if (stale.length) {
    lines.push(style.yellow(`  Stale after the update (still on the old secret):`));
    for (const value of stale) {
      lines.push(style.yellow(`    - ${value.cluster}: ${value.object} ${value.key}: ${value.why}.`));
      if (value.fix) lines.push(style.dim(`      Fix: ${value.fix}.`));
    }
  }
  lines.push("");
  return lines;
}
