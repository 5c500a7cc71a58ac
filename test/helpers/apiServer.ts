/**
 * A Kubernetes API server stand-in for tests: HTTPS on 127.0.0.1 with client-certificate authentication by the test
 * CA, serving objects at their real REST paths (`/api/v1/namespaces/<ns>/configmaps/<name>`,
 * `/apis/apps/v1/namespaces/<ns>/deployments/<name>`, …), Lists on the collection paths, and `Status` objects for
 * 401, 403, 404 and 405 with the reasons and messages kube-apiserver uses.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { issueServerCertificate, type CertificateAuthority } from "./certificates";

/** An object as the API returns it; `apiVersion`, `kind` and `metadata.name`/`namespace` are required here. */
export interface ServedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export interface ApiServerOptions {
  readonly ca: CertificateAuthority;
  readonly objects: readonly ServedObject[];
  /**
   * How an invalid client certificate (expired, not yet valid, other CA) is refused:
   * - `status` (default): like kube-apiserver, the TLS handshake accepts it and every request gets a 401 Status;
   * - `handshake`: the TLS layer refuses it and closes the connection (Node's `rejectUnauthorized`), as a
   *   TLS-terminating proxy in front of the API does.
   */
  readonly rejectInvalidCertificates?: "status" | "handshake";
  /**
   * Highest TLS version, default `TLSv1.3`. Under TLS 1.2 a `handshake` refusal lands inside the handshake; under
   * TLS 1.3 the client has finished its side already and only sees the connection close (a hang-up).
   */
  readonly maxTlsVersion?: "TLSv1.2" | "TLSv1.3";
  /** Per user (certificate CN), the resource plurals it may not read (403). */
  readonly forbidden?: Readonly<Record<string, readonly string[]>>;
  /**
   * A hostile or broken server's answer, tried before anything else: return true when it answered the request
   * (a redirect, an echo of the request's headers, an endless body, …), false to serve it normally.
   */
  readonly intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface RunningApiServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** `METHOD path` of every request that reached HTTP, in order. */
  readonly requests: readonly string[];
  /** The `Authorization` header of every request that reached HTTP (undefined when there was none), in order. */
  readonly authorizations: readonly (string | undefined)[];
  /** Whether each request came with a client certificate, in order. */
  readonly clientCertificates: readonly boolean[];
  close(): Promise<void>;
}

/** Plural resource name, API group/version and whether a kind is namespaced, for the kinds the audit reads. */
const RESOURCES: Readonly<Record<string, { plural: string; namespaced: boolean }>> = {
  ConfigMap: { plural: "configmaps", namespaced: true },
  Secret: { plural: "secrets", namespaced: true },
  Deployment: { plural: "deployments", namespaced: true },
  ClusterConfiguration: { plural: "clusterconfigurations", namespaced: true },
  Namespace: { plural: "namespaces", namespaced: false },
};

/** The REST path of one object, e.g. `/apis/apps/v1/namespaces/kubesphere-system/deployments/ks-apiserver`. */
export function objectPath(object: ServedObject): string {
  const resource = RESOURCES[object.kind];
  if (!resource) throw new Error(`apiServer: no REST mapping for kind ${object.kind}; add it to RESOURCES.`);
  const prefix = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const scope = resource.namespaced ? `/namespaces/${object.metadata.namespace ?? "default"}` : "";
  return `${prefix}${scope}/${resource.plural}/${object.metadata.name}`;
}

/** Starts the server on an ephemeral port of 127.0.0.1. Close it in `t.teardown` / `test.after.always`. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const serving = issueServerCertificate(options.ca, { ip: "127.0.0.1" });
  const byPath = new Map<string, ServedObject>();
  const collections = new Map<string, { kind: string; apiVersion: string; items: ServedObject[] }>();
  for (const object of options.objects) {
    const path = objectPath(object);
    byPath.set(path, object);
    const collection = path.slice(0, path.lastIndexOf("/"));
    const list = collections.get(collection) ?? { kind: `${object.kind}List`, apiVersion: object.apiVersion, items: [] };
    list.items.push(object);
    collections.set(collection, list);
  }
  const groupVersions = new Set(options.objects.map((o) => (o.apiVersion.includes("/") ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`)));
  groupVersions.add("/api/v1");
  groupVersions.add("/apis/apps/v1");

  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const clientCertificates: boolean[] = [];
  const handshake = options.rejectInvalidCertificates === "handshake";
  const server: Server = createServer(
    { key: serving.keyPem, cert: serving.certPem, ca: options.ca.certPem, requestCert: true, rejectUnauthorized: handshake, maxVersion: options.maxTlsVersion ?? "TLSv1.3" },
    (req, res) => handle(req, res),
  );

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    requests.push(`${req.method} ${url.pathname}`);
    authorizations.push(req.headers.authorization);
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    clientCertificates.push(Boolean(peer && peer.subject));
    if (options.intercept?.(req, res)) return;
    if (!socket.authorized || !peer || !peer.subject) return status(res, 401, "Unauthorized", "Unauthorized");
    const user = String(peer.subject.CN);
    if (req.method !== "GET") return status(res, 405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);

    const segments = url.pathname.split("/").filter(Boolean);
    const plural = pluralOf(segments);
    const forbidden = options.forbidden?.[user] ?? [];
    if (plural && forbidden.includes(plural.plural)) {
      const where = plural.namespace ? ` in the namespace "${plural.namespace}"` : " at the cluster scope";
      const name = plural.name ? `${plural.plural} "${plural.name}"` : plural.plural;
      return status(res, 403, "Forbidden", `${name} is forbidden: User "${user}" cannot ${plural.name ? "get" : "list"} resource "${plural.plural}" in API group "${plural.group}"${where}`, plural);
    }
    const object = byPath.get(url.pathname);
    if (object) return json(res, 200, object);
    const list = collections.get(url.pathname);
    if (list) return json(res, 200, { apiVersion: list.apiVersion, kind: list.kind, metadata: { resourceVersion: "1000" }, items: list.items });
    if (!plural || !groupVersions.has(plural.groupVersionPath)) {
      return status(res, 404, "NotFound", "the server could not find the requested resource");
    }
    if (plural.name) return status(res, 404, "NotFound", `${plural.plural}${plural.group ? `.${plural.group}` : ""} "${plural.name}" not found`, plural);
    return json(res, 200, { apiVersion: "v1", kind: "List", metadata: { resourceVersion: "1000" }, items: [] });
  }

  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A rejected handshake is expected in `handshake` mode; keep it from surfacing as an unhandled error.
  server.on("tlsClientError", () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    authorizations,
    clientCertificates,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface ResourcePath {
  readonly groupVersionPath: string;
  readonly group: string;
  readonly plural: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** Splits `/api/v1/namespaces/ns/configmaps/name` or `/apis/g/v/namespaces/ns/plural/name` into its parts. */
function pluralOf(segments: readonly string[]): ResourcePath | undefined {
  let rest: readonly string[];
  let group: string;
  let groupVersionPath: string;
  if (segments[0] === "api" && segments.length >= 3) {
    group = "";
    groupVersionPath = `/api/${segments[1]}`;
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 4) {
    group = segments[1]!;
    groupVersionPath = `/apis/${segments[1]}/${segments[2]}`;
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (rest[0] === "namespaces" && rest.length >= 3) {
    return { groupVersionPath, group, namespace: rest[1]!, plural: rest[2]!, ...(rest[3] ? { name: rest[3] } : {}) };
  }
  return { groupVersionPath, group, plural: rest[0]!, ...(rest[1] ? { name: rest[1] } : {}) };
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** A `metav1.Status` failure, as kube-apiserver sends it. */
function status(res: ServerResponse, code: number, reason: string, message: string, details?: ResourcePath): void {
  json(res, code, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details: { ...(details.name ? { name: details.name } : {}), ...(details.group ? { group: details.group } : {}), kind: details.plural } } : {}),
    code,
  });
}

/**
 * The object as a live cluster returns it: server metadata (uid, resourceVersion, creationTimestamp, managedFields)
 * and, like ks-installer's `kubectl apply`, a `kubectl.kubernetes.io/last-applied-configuration` annotation holding
 * a second full copy of the object (with its secrets).
 */
export function asLiveObject(object: ServedObject, index = 1): ServedObject {
  const { metadata, ...rest } = object;
  const annotations = (metadata["annotations"] as Record<string, string> | undefined) ?? {};
  return {
    ...rest,
    metadata: {
      ...metadata,
      annotations: { ...annotations, "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(object) + "\n" },
      creationTimestamp: "2026-01-05T10:00:00Z",
      resourceVersion: String(4000 + index),
      uid: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      managedFields: [
        { apiVersion: object.apiVersion, fieldsType: "FieldsV1", fieldsV1: { "f:metadata": {} }, manager: "kubectl-client-side-apply", operation: "Update", time: "2026-01-05T10:00:00Z" },
      ],
    },
  };
}
