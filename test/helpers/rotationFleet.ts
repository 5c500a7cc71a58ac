/**
 * A fleet of every layout a rotation has to handle, from the KubeSphere fixtures: a 3.4 host (installer mode), a
 * 3.4 member in configmap mode, a 3.2 member in installer mode, a 3.2 member in configmap mode with DevOps enabled,
 * and a 4.1 member. All run the fixture secret today; the stack rotates them to `ROTATED_JWT_SECRET`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { FleetConfigInput } from "../../src/config/validateFleetConfig";
import type { KubernetesObject } from "../../src/model/kubernetesObjects";
import { FIXTURE_JWT_SECRET, fixtureObject } from "./fixtures";

export const ROTATED_JWT_SECRET = "rotatedJwtSecretDDDDDDDDDDDDDDDDDD";
const REPO = join(__dirname, "..", "..");

interface RotationCluster {
  readonly name: string;
  readonly role: "host" | "member";
  readonly version: string;
  readonly manage?: "installer" | "configmap";
  readonly kubeconfig: string;
  readonly objects: () => KubernetesObject[];
}

function clusterConfiguration(version: "v3.2" | "v3.4", role: string, jwtSecret: string): KubernetesObject {
  const cc = fixtureObject(`${version}/cluster-configuration.yaml`) as KubernetesObject & { spec: { multicluster: { clusterRole: string }; authentication: { jwtSecret: string } } };
  cc.spec.multicluster.clusterRole = role;
  cc.spec.authentication.jwtSecret = jwtSecret;
  return cc;
}

export const ROTATION_CLUSTERS: readonly RotationCluster[] = [
  {
    name: "host",
    role: "host",
    version: "3.4",
    kubeconfig: "stacks/dev/kubeconfigs/host.yaml",
    objects: () => [fixtureObject("v3.4/kubesphere-config.host.yaml"), fixtureObject("v3.4/kubesphere-secret.yaml"), clusterConfiguration("v3.4", "host", "")],
  },
  {
    name: "edge-34",
    role: "member",
    version: "3.4",
    manage: "configmap",
    kubeconfig: "stacks/dev/kubeconfigs/member-1.yaml",
    // The spec leaves jwtSecret to kubesphere-secret: one that pinned the old secret would render it back over the
    // rotated config, which the policy pack refuses (kubesphere-installer-configure-member-role).
    objects: () => [fixtureObject("v3.4/kubesphere-config.member.yaml"), fixtureObject("v3.4/kubesphere-secret.yaml"), clusterConfiguration("v3.4", "member", "")],
  },
  {
    name: "plant-32",
    role: "member",
    version: "3.2",
    manage: "installer",
    kubeconfig: "stacks/dev/kubeconfigs/member-1.yaml",
    objects: () => [fixtureObject("v3.2/kubesphere-config.member.yaml"), fixtureObject("v3.2/kubesphere-secret.yaml"), clusterConfiguration("v3.2", "member", FIXTURE_JWT_SECRET)],
  },
  {
    name: "ci-32",
    role: "member",
    version: "3.2",
    manage: "configmap",
    kubeconfig: "stacks/dev/kubeconfigs/member-1.yaml",
    objects: () => [fixtureObject("v3.2/kubesphere-config.member-devops.yaml"), fixtureObject("v3.2/kubesphere-secret.yaml"), clusterConfiguration("v3.2", "member", "")],
  },
  {
    name: "lab-41",
    role: "member",
    version: "4.1",
    kubeconfig: "stacks/dev/kubeconfigs/member-2.yaml",
    objects: () => [fixtureObject("v4.1/kubesphere-config.member.yaml")],
  },
];

/** The stack config of the rotation fleet; kubeconfig paths are relative to the repository. */
export function rotationInput(jwtSecret: string = ROTATED_JWT_SECRET, absolutePaths = false): FleetConfigInput {
  return {
    clusters: ROTATION_CLUSTERS.map((c) => ({
      name: c.name,
      role: c.role,
      version: c.version,
      kubeconfig: { path: absolutePaths ? join(REPO, c.kubeconfig) : c.kubeconfig },
      ...(c.manage ? { manage: c.manage } : {}),
    })),
    jwtSecret,
  };
}

export function rotationObjects(): Map<string, KubernetesObject[]> {
  return new Map(ROTATION_CLUSTERS.map((c) => [c.name, c.objects()]));
}

/** A project folder with stack `stack` for the rotation fleet and its live snapshot. */
export function rotationProject(stack: string, jwtSecret: string = ROTATED_JWT_SECRET): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-rotation-"));
  const input = rotationInput(jwtSecret, true);
  mkdirSync(join(dir, "stacks"), { recursive: true });
  writeFileSync(join(dir, "stacks", `Pulumi.${stack}.yaml`), stringify({ config: { "kubesphere-fleet:clusters": input.clusters, "kubesphere-fleet:jwtSecret": input.jwtSecret } }));
  for (const [cluster, objects] of rotationObjects()) {
    const folder = join(dir, "stacks", stack, "live", cluster);
    mkdirSync(folder, { recursive: true });
    objects.forEach((object, i) => writeFileSync(join(folder, `${i}-${String(object.kind).toLowerCase()}.yaml`), stringify(object)));
  }
  return dir;
}
