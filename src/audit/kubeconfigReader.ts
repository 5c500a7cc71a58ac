import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  ResponseContext,
  type ObservableMiddleware,
} from "@kubernetes/client-node";
import type { KubernetesObject } from "../model/kubernetesObjects";
import { FailureKind, ReadFailure, type ClusterReader, type Failure, type ObjectRef } from "./reader";

/**
 * A `ClusterReader` over `@kubernetes/client-node`, for a `KubeConfig` whose current context is the cluster. It
 * returns the API's JSON as sent (the generated models would rename fields and turn timestamps into Dates), honours
 * the abort signal, and turns every failure into a `ReadFailure` that names no credential.
 */
export function kubeconfigReader(kubeConfig: KubeConfig): ClusterReader {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  return {
    async read(ref: ObjectRef, signal: AbortSignal): Promise<KubernetesObject | undefined> {
      const exchange = rawExchange(signal);
      const options = { middleware: [exchange.middleware], middlewareMergeStrategy: "append" as const };
      const { namespace, name } = ref;
      try {
        if (ref.apiVersion === "v1" && ref.kind === "ConfigMap") await core.readNamespacedConfigMap({ namespace, name }, options);
        else if (ref.apiVersion === "v1" && ref.kind === "Secret") await core.readNamespacedSecret({ namespace, name }, options);
        else if (ref.apiVersion === "apps/v1" && ref.kind === "Deployment") await apps.readNamespacedDeployment({ namespace, name }, options);
        else {
          const [group, version] = ref.apiVersion.split("/");
          if (!group || !version) throw new Error(`kubeconfigReader: ${ref.kind} ${ref.apiVersion} is not a custom resource; add a typed read for it.`);
          await custom.getNamespacedCustomObject({ group, version, namespace, plural: pluralOf(ref.kind), name }, options);
        }
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        if (!exchange.sent()) throw new ReadFailure(credentialsFailure(error));
        throw new ReadFailure(classifyFailure(error, exchange.body(), signal));
      }
      const body = exchange.body();
      if (body === undefined) throw new ReadFailure({ kind: FailureKind.apiError, detail: `empty answer for ${ref.kind} ${namespace}/${name}` });
      try {
        return JSON.parse(body) as KubernetesObject;
      } catch {
        throw new ReadFailure({ kind: FailureKind.apiError, detail: `${ref.kind} ${namespace}/${name} is not JSON` });
      }
    },
  };
}

/** `ClusterConfiguration` → `clusterconfigurations`, the REST resource of a custom kind. */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith("s") ? `${lower}es` : lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/**
 * A middleware that attaches the abort signal and keeps the response text for the caller. client-node applies the
 * kubeconfig's credentials (running an exec plugin, reading key files) before middleware runs, so a failure
 * before `pre` is a credentials failure.
 */
function rawExchange(signal: AbortSignal): { middleware: ObservableMiddleware; body(): string | undefined; sent(): boolean } {
  let text: string | undefined;
  let sent = false;
  return {
    middleware: {
      pre(context) {
        sent = true;
        context.setSignal(signal);
        return new Observable(Promise.resolve(context));
      },
      post(context) {
        return new Observable(
          context.body.text().then((received) => {
            text = received;
            return new ResponseContext(context.httpStatusCode, context.headers, {
              text: async () => received,
              binary: async () => Buffer.from(received),
            });
          }),
        );
      },
    },
    body: () => text,
    sent: () => sent,
  };
}

/** A failure while producing the credentials. The error's message is not used: an exec plugin's stderr may hold a token. */
function credentialsFailure(error: unknown): Failure {
  const spawn = error as { syscall?: unknown; code?: unknown; path?: unknown };
  if (typeof spawn.syscall === "string" && spawn.syscall.startsWith("spawn")) {
    return { kind: FailureKind.credentialsUnavailable, detail: `the exec credential plugin could not be started (${String(spawn.code ?? "error")})` };
  }
  return { kind: FailureKind.credentialsUnavailable, detail: `the credentials could not be produced (${error instanceof Error ? error.name : "error"}: an exec plugin that failed, or an unreadable key, certificate or token file)` };
}

/** TLS alert codes (OpenSSL `ERR_SSL_*_ALERT_*`) by which a server refuses the client's certificate. */
const CERTIFICATE_ALERT = /ALERT_(CERTIFICATE_EXPIRED|BAD_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|CERTIFICATE_REQUIRED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)/;
/** Node's codes for a server certificate this side does not trust. */
const UNTRUSTED_SERVER = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;
const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE", "ECONNABORTED"]);

/**
 * What a failed read means. `body` is the raw answer, if there was one: kube-apiserver sends a `Status` whose
 * `message` is safe to show (it never carries credentials). Network errors are named by their code.
 */
export function classifyFailure(error: unknown, body: string | undefined, signal: AbortSignal): Failure {
  if (signal.aborted || (error instanceof Error && error.name === "AbortError")) return { kind: FailureKind.timeout, detail: "no answer before the timeout" };
  if (error instanceof ApiException) {
    const message = statusMessage(body) ?? `HTTP ${error.code}`;
    if (error.code === 401) return { kind: FailureKind.unauthorised, status: 401, detail: message };
    if (error.code === 403) return { kind: FailureKind.forbidden, status: 403, detail: message };
    return { kind: FailureKind.apiError, status: error.code, detail: message };
  }
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

function statusMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const status = JSON.parse(body) as { kind?: unknown; message?: unknown };
    return status.kind === "Status" && typeof status.message === "string" ? status.message.split("\n")[0] : undefined;
  } catch {
    return undefined;
  }
}
