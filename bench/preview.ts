import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { makeCertificateAuthority } from "../test/helpers/certificates";
import { startRealClusters, stopRealClusters, type RealCluster } from "../test/real/helpers/cluster";
import { installV34, installV41Member } from "../test/real/helpers/kubesphere";
import { pulumiWorkspace } from "../test/real/helpers/pulumiCli";
import { missingTools } from "../test/real/helpers/tools";
import { devCheckMs } from "./check";
import { REPO_ROOT } from "./paths";
import { ratioRow, type BenchRow } from "./result";
import { formatMs, median, timed } from "./stats";

/** What the real preview needs: `npm run real-tools` builds the first four; kubectl and openssl come from the machine. */
const NEEDED = ["etcd", "kube-apiserver", "pulumi", "pulumi-resource-kubernetes", "kubectl", "openssl"] as const;
const CLUSTERS_KEY = "kubesphere-fleet:clusters";

interface DevCluster {
  readonly name: string;
  readonly role: "host" | "member";
  readonly version: string;
  readonly kubeconfig?: unknown;
}

/**
 * What a user runs against live clusters instead of the offline check: `pulumi preview --policy-pack policies` of
 * stack dev with the real Pulumi CLI, the real Kubernetes provider and the pack, against one real kube-apiserver +
 * etcd per cluster of stacks/Pulumi.dev.yaml holding KubeSphere's objects as the installers leave them (the real
 * tests' helpers), vs `npm run check -- --stack dev` as the README runs it. Rounds alternate; starting the servers
 * is not timed. The stack file is the dev stack's, with each kubeconfig pointing at its real server.
 */
export async function benchPreview(runs: number): Promise<BenchRow[]> {
  const missing = missingTools(NEEDED);
  if (missing) throw new Error(`missing ${missing}`);
  const dev = devClusters();
  const ca = makeCertificateAuthority();
  let clusters: Record<string, RealCluster> | undefined;
  let workspace: Awaited<ReturnType<typeof pulumiWorkspace>> | undefined;
  try {
    clusters = await startRealClusters(ca, dev.map((c) => c.name));
    const servers = clusters;
    await Promise.all(dev.map((c) => installed(servers[c.name]!, c)));
    workspace = await pulumiWorkspace("dev", { [CLUSTERS_KEY]: dev.map((c) => ({ ...c, kubeconfig: { path: servers[c.name]!.kubeconfig } })) });
    const previewMs: number[] = [];
    const checkMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const preview = await timed(() => workspace!.pulumi(["preview", "--policy-pack", join(REPO_ROOT, "policies")]));
      if (preview.result.code !== 0) throw new Error(`pulumi preview --policy-pack policies exited ${preview.result.code}: ${`${preview.result.stdout}\n${preview.result.stderr}`.trim().split("\n").slice(-3).join(" ")}`);
      previewMs.push(preview.ms);
      checkMs.push(await devCheckMs());
    }
    const preview = median(previewMs);
    const check = median(checkMs);
    return [
      ratioRow(
        {
          measure: `\`pulumi preview --policy-pack policies\` of stack dev against real API servers (real CLI, provider and pack) vs the offline check (median of ${runs}, alternating)`,
          size: `stack dev (${dev.length} clusters)`,
          value: formatMs(preview),
          baseline: `${formatMs(check)} (\`npm run check -- --stack dev\`)`,
        },
        preview / check,
      ),
    ];
  } finally {
    workspace?.remove();
    await stopRealClusters(clusters);
    ca.dispose();
  }
}

/** The clusters of stacks/Pulumi.dev.yaml (names, roles, versions): the stack both commands are timed on. */
function devClusters(): DevCluster[] {
  const file = join(REPO_ROOT, "stacks", "Pulumi.dev.yaml");
  const clusters = (parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config?.[CLUSTERS_KEY];
  if (!Array.isArray(clusters)) throw new Error(`${file}: ${CLUSTERS_KEY} is not a list of clusters`);
  return clusters as DevCluster[];
}

/** KubeSphere's objects on a real server as the installer of the cluster's version leaves them. */
async function installed(cluster: RealCluster, declared: DevCluster): Promise<void> {
  if (declared.version.startsWith("4.")) {
    if (declared.role !== "member") throw new Error(`stack dev, cluster ${declared.name}: the bench installs 4.x members only`);
    return installV41Member(cluster);
  }
  if (declared.version.startsWith("3.")) return installV34(cluster, declared.role);
  throw new Error(`stack dev, cluster ${declared.name}: no installer for version ${declared.version}`);
}
