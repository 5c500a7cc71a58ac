import type { KubernetesObject } from "../model/kubernetesObjects";

/** One object the audit reads from a cluster. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Reads objects from one cluster's API. The live implementation is `kubeconfigReader`; anything that
 * speaks the same contract can stand in. Returns the object as the API sends it (wire JSON), `undefined` on a 404,
 * and throws `ReadFailure` for everything else.
 */
export interface ClusterReader {
  read(ref: ObjectRef, signal: AbortSignal): Promise<KubernetesObject | undefined>;
}

/** Why a read failed, in the words the report uses. */
export const FailureKind = {
  /** HTTP 401: the API server does not accept the credentials. */
  unauthorised: "unauthorised",
  /** The TLS layer refused the client certificate (alert `certificate expired`, `bad certificate`, …). */
  certificateRejected: "certificate-rejected",
  /** The kubeconfig's credentials could not be produced: an exec plugin failed, a key or token file is unreadable. */
  credentialsUnavailable: "credentials-unavailable",
  /** HTTP 403. */
  forbidden: "forbidden",
  /** This side does not trust the server's certificate (wrong CA, wrong host name). */
  serverUntrusted: "server-untrusted",
  /** Connection refused, no route, DNS failure, reset. */
  unreachable: "unreachable",
  /** No answer within the per-cluster timeout. */
  timeout: "timeout",
  /** An answer larger than the audit reads (`DEFAULT_MAX_RESPONSE_BYTES`): reading stopped at the cap. */
  tooLarge: "too-large",
  /** Any other API answer (5xx, a redirect, an unexpected body). */
  apiError: "api-error",
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

export interface Failure {
  readonly kind: FailureKind;
  /** The HTTP status, when there was an HTTP answer. */
  readonly status?: number;
  /** One line: the API's Status message or the network error code. Never a credential. */
  readonly detail: string;
}

export class ReadFailure extends Error {
  override readonly name = "ReadFailure";
  constructor(readonly failure: Failure) {
    super(`${failure.kind}: ${failure.detail}`);
  }
}
