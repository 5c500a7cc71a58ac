/**
 * The config check reads kubeconfigs without @kubernetes/client-node (its API client is as slow to load as the Pulumi
 * SDK); it must accept and refuse exactly what client-node's `KubeConfig.loadFromString` does, and find the same
 * contexts. Each case is run through both.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { checkKubeconfig } from "../../src/config/kubeconfigCheck";
import { REPO } from "../helpers/checkCli";

const DEV_HOST = readFileSync(join(REPO, "stacks", "dev", "kubeconfigs", "host.yaml"), "utf8");

const cluster = (name: string, body: string) => `- name: ${name}\n  cluster:\n${body}`;
const context = (name: string, body: string) => `- name: ${name}\n  context:\n${body}`;
function kubeconfig(parts: { clusters?: string; contexts?: string; users?: string; current?: string }): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `clusters:\n${parts.clusters ?? cluster("a", "    server: https://127.0.0.1:6443")}`,
    `contexts:\n${parts.contexts ?? context("a", "    cluster: a\n    user: a")}`,
    `users:\n${parts.users ?? "- name: a\n  user:\n    token: t"}`,
    ...(parts.current === undefined ? [] : [`current-context: ${parts.current}`]),
  ].join("\n");
}

const CASES: [string, string][] = [
  ["the dev stack's host kubeconfig", DEV_HOST],
  ["a minimal kubeconfig", kubeconfig({ current: "a" })],
  ["no current-context", kubeconfig({})],
  ["a current-context that names no context", kubeconfig({ current: "gone" })],
  ["a cluster without a server", kubeconfig({ clusters: cluster("a", "    insecure-skip-tls-verify: true") })],
  ["a cluster whose server is a number", kubeconfig({ clusters: cluster("a", "    server: 6443") })],
  ["a cluster without its body", kubeconfig({ clusters: "- name: a" })],
  ["a cluster without a name", kubeconfig({ clusters: "- cluster:\n    server: https://x" })],
  ["a context without a cluster", kubeconfig({ contexts: context("a", "    user: a"), current: "a" })],
  ["a context without its body", kubeconfig({ contexts: "- name: a", current: "a" })],
  ["a user without a name", kubeconfig({ users: "- user:\n    token: t" })],
  ["lists that are not lists", "clusters: {}\ncontexts: 3\nusers: x\ncurrent-context: a\n"],
  ["a null entry", kubeconfig({ contexts: "- null", current: "a" })],
  ["two contexts, the second current", kubeconfig({ contexts: `${context("a", "    cluster: a")}\n${context("b", "    cluster: a")}`, current: "b" })],
  ["YAML that does not parse", "clusters: [\n"],
  ["bad indentation", "clusters:\n  - name: a\n   cluster: {}\n"],
  ["an empty file", ""],
  ["a comment only", "# nothing\n"],
  ["a scalar", "just text"],
  ["two documents", `${kubeconfig({ current: "a" })}\n---\n${kubeconfig({})}`],
  ["JSON", JSON.stringify({ clusters: [{ name: "a", cluster: { server: "https://x" } }], contexts: [{ name: "a", context: { cluster: "a" } }], "current-context": "a" })],
  ["a merge key", "base: &b\n  cluster: a\ncontexts:\n- name: a\n  context:\n    <<: *b\ncurrent-context: a\n"],
];

/** client-node's verdict in the same words checkKubeconfig uses. */
function clientNodeVerdict(content: string, context: string | undefined): string | undefined {
  const config = new KubeConfig();
  try {
    config.loadFromString(content);
  } catch (error) {
    const position = /\((\d+):(\d+)\)/.exec(String((error as Error).message).split("\n")[0] ?? "");
    return `is not a readable kubeconfig${position ? ` (line ${position[1]}, column ${position[2]})` : ""}`;
  }
  const contexts = config.getContexts().map((c) => c.name);
  const wanted = context ?? (config.getCurrentContext() || undefined);
  if (wanted === undefined) return `has no current-context and no context is set; one of ${contexts.join(",")}`;
  if (!contexts.includes(wanted)) return `has no ${context !== undefined ? "context" : "current-context"} '${wanted}'; one of ${contexts.join(",")}`;
  return undefined;
}

function ourVerdict(content: string, context: string | undefined): string | undefined {
  const problem = checkKubeconfig(content, context);
  if (!problem) return undefined;
  const listed = /one of: (.*)$/.exec(problem.fix)?.[1];
  return problem.message.startsWith("is not") ? problem.message : `${problem.message}; one of ${listed === "(it has no contexts)" ? "" : listed!.split(", ").join(",")}`;
}

for (const [name, content] of CASES) {
  test(`as client-node reads it: ${name}`, (t) => {
    for (const context of [undefined, "a", "b"]) {
      t.is(ourVerdict(content, context), clientNodeVerdict(content, context), `context ${context ?? "(current)"}`);
    }
  });
}

test("the cases cover acceptance, each refusal and each context problem", (t) => {
  const verdicts = new Set(CASES.map(([, content]) => clientNodeVerdict(content, undefined)?.replace(/[(;].*$/, "").trim() ?? "fine"));
  for (const kind of ["fine", "has no current-context 'gone'", "has no current-context and no context is set", "is not a readable kubeconfig"]) t.true(verdicts.has(kind), kind);
});
