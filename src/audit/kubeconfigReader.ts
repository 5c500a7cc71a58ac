import type { RequestOptions } from "node:https";
import { KubeConfig, type User } from "@kubernetes/client-node";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { AnswerTooLarge, boundedGet } from "./boundedGet";
import { execConfigOf, runExecPlugin, type ExecCredentialStatus } from "./execCredential";
import { FailureKind, ReadFailure, type ClusterReader, type Failure, type ObjectRef } from "./reader";
import { redactorFor, sentCredentials, type Redact } from "./redact";

/**
 * The most the audit reads of one answer. Kubernetes stores at most 1 MiB in a ConfigMap or Secret (and about
 * 1.5 MiB in any object); a few MiB leave room for server metadata and the last-applied copy, and stop a broken
 * proxy or a hostile server from filling memory.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface ReaderLimits {
  readonly maxResponseBytes: number;
}

/** The request settings of one cluster: TLS, agent, headers, and a scrubber for what was sent. */
interface Connection {
  readonly server: string;
  readonly options: RequestOptions;
  readonly redact: Redact;
}

/**
 * A `ClusterReader` for a `KubeConfig` whose current context is the cluster. client-node turns the kubeconfig into
 * TLS settings and credentials (files, tokens, auth-providers); the audit runs an exec plugin itself and makes each
 * GET itself, so that every read is bounded: the abort signal covers the plugin, the connection and the body, an
 * answer stops at `maxResponseBytes`, no redirect is followed, and server text is scrubbed of the credentials sent.
 * Returns the API's JSON as sent, `undefined` on a 404, and throws `ReadFailure` for everything else.
 */
export function kubeconfigReader(kubeConfig: KubeConfig, limits: ReaderLimits = { maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES }): ClusterReader {
  let connection: Promise<Connection> | undefined;
  return {
    async read(ref: ObjectRef, signal: AbortSignal): Promise<KubernetesObject | undefined> {
      connection ??= connect(kubeConfig, signal);
      const { server, options, redact } = await connection;
      const what = `${ref.kind} ${ref.namespace}/${ref.name}`;
      let answer;
      try {
        answer = await boundedGet(objectUrl(server, ref), options, { maxBytes: limits.maxResponseBytes, signal });
      } catch (error) {
        if (error instanceof AnswerTooLarge) throw new ReadFailure(tooLarge(what, error));
        throw new ReadFailure(classifyFailure(error, signal));
      }
      const { status, body } = answer;
      if (status === 404) return undefined;
      if (status >= 300 && status < 400) throw new ReadFailure(redirected(what, status, answer.headers.location, server, redact));
      if (status < 200 || status >= 300) throw new ReadFailure(statusFailure(status, body, redact));
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new ReadFailure({ kind: FailureKind.apiError, status, detail: `${what} is not JSON` });
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new ReadFailure({ kind: FailureKind.apiError, status, detail: `${what} is not a JSON object` });
      return parsed as KubernetesObject;
    },
  };
}

/** Credentials first (running an exec plugin within `signal`), then client-node's TLS options and headers for them. */
async function connect(kubeConfig: KubeConfig, signal: AbortSignal): Promise<Connection> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new ReadFailure({ kind: FailureKind.unreachable, detail: "the kubeconfig's cluster has no server" });
  const user = kubeConfig.getCurrentUser();
  const exec = execConfigOf(user);
  const effective = user && exec ? withCredential(kubeConfig, user, await runExecPlugin(exec, signal)) : kubeConfig;
  const options: RequestOptions = {};
  try {
    await effective.applyToHTTPSOptions(options);
  } catch (error) {
    throw new ReadFailure(credentialsFailure(error));
  }
  options.headers = { ...(options.headers as Record<string, string> | undefined), Accept: "application/json", "User-Agent": "kubesphere-fleet-audit" };
  return { server, options, redact: redactorFor(sentCredentials(options, user ?? undefined)) };
}

/** The kubeconfig with the user's exec plugin replaced by the credential it printed. */
function withCredential(kubeConfig: KubeConfig, user: User, credential: ExecCredentialStatus): KubeConfig {
  const { exec: _exec, authProvider: _authProvider, ...rest } = user;
  const replaced: User = {
    ...rest,
    ...(credential.token ? { token: credential.token } : {}),
    ...(credential.clientCertificateData && credential.clientKeyData
      ? { certData: Buffer.from(credential.clientCertificateData).toString("base64"), keyData: Buffer.from(credential.clientKeyData).toString("base64"), certFile: undefined, keyFile: undefined }
      : {}),
  } as User;
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kubeConfig.clusters,
    contexts: kubeConfig.contexts,
    users: kubeConfig.users.map((u) => (u.name === user.name ? replaced : u)),
    currentContext: kubeConfig.getCurrentContext(),
  });
  return copy;
}

/** The REST path of an object under the server's URL (which may carry a path, e.g. behind Rancher). */
export function objectUrl(server: string, ref: ObjectRef): URL {
  const segment = encodeURIComponent;
  const scope = `namespaces/${segment(ref.namespace)}`;
  let path: string;
  if (ref.apiVersion === "v1") path = `/api/v1/${scope}/${pluralOf(ref.kind)}/${segment(ref.name)}`;
  else {
    const [group, version] = ref.apiVersion.split("/");
    if (!group || !version) throw new Error(`kubeconfigReader: ${ref.kind} ${ref.apiVersion} has no API group.`);
    path = `/apis/${segment(group)}/${segment(version)}/${scope}/${pluralOf(ref.kind)}/${segment(ref.name)}`;
  }
  const base = new URL(server);
  base.pathname = base.pathname.replace(/\/+$/, "") + path;
  return base;
}

/** `ClusterConfiguration` → `clusterconfigurations`, `ConfigMap` → `configmaps`: the REST resource of a kind. */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith("s") ? `${lower}es` : lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

function tooLarge(what: string, error: AnswerTooLarge): Failure {
  const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  const announced = error.declaredBytes !== undefined ? ` (it announced ${mib(error.declaredBytes)})` : "";
  return { kind: FailureKind.tooLarge, detail: `${what}: the answer is larger than the audit's limit of ${mib(error.limitBytes)}${announced}; reading stopped there` };
}

/** A 3xx: not followed, so neither the token nor the client certificate goes anywhere else. */
function redirected(what: string, status: number, location: string | undefined, server: string, redact: Redact): Failure {
  let target = "an address it did not give";
  if (location) {
    try {
      const to = new URL(location, server);
      target = redact(`${to.origin}${to.pathname}`);
    } catch {
      target = "an address that is not a URL";
    }
  }
  return { kind: FailureKind.apiError, status, detail: `HTTP ${status} redirect of ${what} to ${target}, not followed (the audit follows no redirects, so no credential goes to another address)` };
}

/** A non-2xx answer. kube-apiserver sends a `Status`; its message is shown scrubbed, as is any other server text. */
function statusFailure(status: number, body: string, redact: Redact): Failure {
  const message = statusMessage(body, redact) ?? `HTTP ${status}`;
  if (status === 401) return { kind: FailureKind.unauthorised, status, detail: message };
  if (status === 403) return { kind: FailureKind.forbidden, status, detail: message };
  return { kind: FailureKind.apiError, status, detail: message };
}

function statusMessage(body: string, redact: Redact): string | undefined {
  try {
    const status = JSON.parse(body) as { kind?: unknown; message?: unknown };
    return status.kind === "Status" && typeof status.message === "string" ? redact(status.message.split("\n")[0] ?? "") : undefined;
  } catch {
    return undefined;
  }
}

/** A failure while producing the credentials. The error's message is not used: it may quote a key or a token. */
function credentialsFailure(error: unknown): Failure {
  return {
    kind: FailureKind.credentialsUnavailable,
    detail: `the credentials could not be produced (${error instanceof Error ? error.name : "error"}: an unreadable key, certificate or token file, or an auth-provider that failed)`,
  };
}

/** TLS alert codes (OpenSSL `ERR_SSL_*_ALERT_*`) by which a server refuses the client's certificate. */
const CERTIFICATE_ALERT = /ALERT_(CERTIFICATE_EXPIRED|BAD_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|CERTIFICATE_REQUIRED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)/;
/** Node's codes for a server certificate this side does not trust. */
const UNTRUSTED_SERVER = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;
const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE", "ECONNABORTED"]);

/** What a transport failure means, named by its code (never by its message, which may quote a certificate or a header). */
export function classifyFailure(error: unknown, signal: AbortSignal): Failure {
  if (signal.aborted || (error instanceof Error && error.name === "AbortError")) return { kind: FailureKind.timeout, detail: "no answer before the timeout" };
  const code = errorCode(error);
  if (code && CERTIFICATE_ALERT.test(code)) {
    return { kind: FailureKind.certificateRejected, detail: `TLS alert ${code.replace(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/, "").toLowerCase().replace(/_/g, " ")} (${code})` };
  }
  if (code === "ECONNRESET" && error instanceof Error && /before secure TLS connection was established/.test(error.message)) {
    return { kind: FailureKind.certificateRejected, detail: "the server closed the connection during the TLS handshake (ECONNRESET)" };
  }
  if (code && UNTRUSTED_SERVER.test(code)) return { kind: FailureKind.serverUntrusted, detail: `the server certificate is not trusted (${code})` };
  if (code && UNREACHABLE.has(code)) return { kind: FailureKind.unreachable, detail: code };
  return { kind: FailureKind.apiError, detail: code ?? (error instanceof Error ? error.name : "unknown error") };
}

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const withCode = error as Error & { code?: unknown; errno?: unknown; cause?: unknown };
  if (typeof withCode.code === "string") return withCode.code;
  if (typeof withCode.errno === "string") return withCode.errno;
  return errorCode(withCode.cause);
}
