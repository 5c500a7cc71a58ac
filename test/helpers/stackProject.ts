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
