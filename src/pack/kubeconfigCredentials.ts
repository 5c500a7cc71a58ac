import { homedir } from "node:os";
import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import { credentialFacts, readBoundedFile, type KubeconfigUser } from "../model/credentials";
import type { CredentialFacts } from "../model/fleet";
import { isPlainObject } from "../model/lookup";
import { TextMemo } from "../model/memo";
import { isUnknownValue } from "../model/unknownValue";

/** The inputs of a `pulumi:providers:kubernetes` that decide which credentials it uses. */
export interface KubernetesProviderInputs {
  /** Kubeconfig content (YAML or JSON) or a path to it. */
  readonly kubeconfig?: unknown;
  /** Overrides the kubeconfig's current-context. */
  readonly context?: unknown;
}

/**
 * The credentials of every kubeconfig user the provider can use: the users of the selected `context` (else the
 * current-context; else, with no contexts at all, every user). `source` names the provider, never the content.
 * A kubeconfig that is unknown during preview, cannot be read or does not parse gives no credentials: the provider
 * itself reports that, and an unknown must not become a false violation.
 */
export function providerCredentials(inputs: KubernetesProviderInputs, source: string, readFile: (path: string) => Buffer = readBoundedFile): CredentialFacts[] {
  const { kubeconfig, context } = inputs;
  // Content is read once per text: each certificate policy reads it again. (A pack process lives for one preview or
  // update, so a certificate file the content names is read once in it too; a kubeconfig path is read every time.)
  if (readFile === readBoundedFile && isKubeconfigContent(kubeconfig) && (context === undefined || typeof context === "string")) {
    return READ_CREDENTIALS.get(`${source}\0${context ?? ""}`, kubeconfig as string, () => readCredentials(inputs, source, readFile));
  }
  return readCredentials(inputs, source, readFile);
}

const READ_CREDENTIALS = new TextMemo<CredentialFacts[]>();

/** Kubeconfig text rather than a path to it: YAML has a newline, JSON a brace. */
function isKubeconfigContent(kubeconfig: unknown): boolean {
  return typeof kubeconfig === "string" && /[\n{]/.test(kubeconfig);
}

function readCredentials(inputs: KubernetesProviderInputs, source: string, readFile: (path: string) => Buffer): CredentialFacts[] {
  const config = kubeconfigDocument(inputs.kubeconfig, readFile);
  if (!config) return [];
  const users = namedEntries(config["users"], "user");
  const contexts = namedEntries(config["contexts"], "context");
  const selected = typeof inputs.context === "string" && !isUnknownValue(inputs.context) && inputs.context !== "" ? inputs.context : config["current-context"];
  let userNames: string[];
  if (contexts.size === 0) userNames = [...users.keys()];
  else {
    const context = typeof selected === "string" ? contexts.get(selected) : undefined;
    const user = context?.["user"];
    userNames = typeof user === "string" ? [user] : [];
  }
  return userNames
    .filter((name) => users.has(name))
    .map((name) => credentialFacts(kubeconfigUser(name, users.get(name)!), source, readFile));
}

function kubeconfigDocument(kubeconfig: unknown, readFile: (path: string) => Buffer): Record<string, unknown> | undefined {
  if (typeof kubeconfig !== "string" || kubeconfig.trim() === "" || isUnknownValue(kubeconfig)) return undefined;
  let text = kubeconfig;
  if (!isKubeconfigContent(kubeconfig)) {
    try {
      text = readFile(kubeconfig.replace(/^~(?=\/)/, homedir())).toString("utf8");
    } catch {
      return undefined;
    }
  }
  try {
    // js-yaml: every provider's kubeconfig is read on each AnalyzeStack, and it reads YAML (and JSON) much faster.
    const doc: unknown = loadYaml(text, { schema: CORE_SCHEMA });
    return isPlainObject(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

function namedEntries(list: unknown, field: string): Map<string, Record<string, unknown>> {
  const entries = new Map<string, Record<string, unknown>>();
  if (!Array.isArray(list)) return entries;
  for (const item of list) {
    if (!isPlainObject(item) || typeof item["name"] !== "string") continue;
    const body = item[field];
    entries.set(item["name"], isPlainObject(body) ? body : {});
  }
  return entries;
}

function kubeconfigUser(name: string, user: Record<string, unknown>): KubeconfigUser {
  const str = (key: string) => (typeof user[key] === "string" && !isUnknownValue(user[key]) && user[key] !== "" ? (user[key] as string) : undefined);
  const certData = str("client-certificate-data");
  const certFile = str("client-certificate");
  const token = str("token") ?? str("tokenFile");
  const username = str("username");
  return {
    name,
    ...(certData ? { certData } : {}),
    ...(certFile ? { certFile } : {}),
    ...(token ? { token } : {}),
    ...(user["exec"] ? { exec: user["exec"] } : {}),
    ...(user["auth-provider"] ? { authProvider: user["auth-provider"] } : {}),
    ...(username ? { username } : {}),
  };
}
