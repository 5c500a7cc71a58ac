import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir } from "./paths";

/** A client certificate and its key, PEM. The key is a credential: write it only into generated kubeconfigs. */
export interface ClientCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * One self-signed EC P-256 client certificate (`O=system:masters, CN=admin`, valid a year from now), made once with
 * the openssl CLI and reused by every generated cluster: the pack parses each kubeconfig's certificate, and
 * generating thousands would only measure openssl.
 */
export function makeClientCertificate(): ClientCertificate {
  const dir = benchDir("certificate");
  const certFile = join(dir, "client.crt");
  const keyFile = join(dir, "client.key");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-subj", "/O=system:masters/CN=admin", "-days", "365"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return { certPem: readFileSync(certFile, "utf8"), keyPem: readFileSync(keyFile, "utf8") };
}
