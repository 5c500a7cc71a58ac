import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { REPO } from "./checkCli";

/**
 * A project folder (in the temp dir) with one stack made from the dev example, its live snapshot copied, kubeconfig
 * paths absolute; `edit` changes the stack file's root (config, encryptionsalt) before it is written.
 */
export function projectWith(stack: string, edit: (root: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-project-"));
  const root = parse(readFileSync(join(REPO, "stacks", "Pulumi.dev.yaml"), "utf8")) as Record<string, any>;
  for (const cluster of root.config["kubesphere-fleet:clusters"]) cluster.kubeconfig.path = join(REPO, cluster.kubeconfig.path);
  edit(root);
  mkdirSync(join(dir, "stacks", stack), { recursive: true });
  writeFileSync(join(dir, "stacks", `Pulumi.${stack}.yaml`), stringify(root));
  cpSync(join(REPO, "stacks", "dev", "live"), join(dir, "stacks", stack, "live"), { recursive: true });
  return dir;
}

/** ks-apiserver as `kubectl get deployment -o yaml` prints it, at `replicas`. */
export function ksApiserverDeployment(replicas: number): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ks-apiserver", namespace: "kubesphere-system", resourceVersion: "4711", generation: 2, labels: { app: "ks-apiserver" } },
    spec: {
      replicas,
      selector: { matchLabels: { app: "ks-apiserver" } },
      template: {
        metadata: { labels: { app: "ks-apiserver" }, annotations: { "kubesphere.io/restartedAt": "2026-01-01T00:00:00Z" } },
        spec: { containers: [{ name: "ks-apiserver", image: "kubesphere/ks-apiserver:v4.1.3" }] },
      },
    },
    status: { replicas, readyReplicas: replicas },
  };
}
