import { X509Certificate } from "node:crypto";
import { InputFileError, readInputBytes } from "../input/inputFile";
import type { CredentialFacts } from "./fleet";

/** The fields of a kubeconfig user that decide how it authenticates (the shape of @kubernetes/client-node's `User`). */
export interface KubeconfigUser {
  readonly name: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly token?: string;
  readonly exec?: unknown;
  readonly authProvider?: unknown;
  readonly username?: string;
}

/**
 * What can be known offline about a kubeconfig user's credentials: for a client certificate its validity; for exec,
 * token or auth-provider users only the kind (there is no certificate to check). `source` names where the
 * kubeconfig came from; it is echoed in messages, so it must never be the content.
 */
export function credentialFacts(user: KubeconfigUser, source: string, readFile: (path: string) => Buffer = readBoundedFile): CredentialFacts {
  const base = { user: user.name, source };
  if (user.certData || user.certFile) {
    let pem: Buffer;
    try {
      pem = user.certData ? Buffer.from(user.certData, "base64") : readFile(user.certFile!);
    } catch (error) {
      const why = error instanceof InputFileError ? error.problem : `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`;
      return { ...base, kind: "client-certificate", unreadable: `client-certificate ${user.certFile} ${why}` };
    }
    return { ...base, kind: "client-certificate", ...certificateValidity(pem) };
  }
  if (user.exec) return { ...base, kind: "exec" };
  if (user.authProvider) return { ...base, kind: "auth-provider" };
  if (user.token) return { ...base, kind: "token" };
  if (user.username) return { ...base, kind: "basic" };
  return { ...base, kind: "none" };
}

/** A file a kubeconfig names, through the bounded reader: regular files only, 8 MiB at most. */
export function readBoundedFile(path: string): Buffer {
  return readInputBytes(path, { label: "kubeconfig file" });
}

/** `notBefore`/`notAfter`/subject of the first certificate in a PEM (or DER) buffer. */
export function certificateValidity(pem: Buffer): Pick<CredentialFacts, "notAfter" | "notBefore" | "subject" | "unreadable"> {
  try {
    const cert = new X509Certificate(pem);
    return {
      notAfter: new Date(cert.validTo).toISOString(),
      notBefore: new Date(cert.validFrom).toISOString(),
      subject: cert.subject.replace(/\n/g, ", "),
    };
  } catch {
    return { unreadable: "client-certificate-data is not a PEM certificate" };
  }
}

/** Whole days from `now` until `notAfter` (negative once expired). */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / 86_400_000);
}

/** The steps that give a kubeconfig fresh credentials, per distribution. Shown wherever a certificate is dead. */
export const CREDENTIAL_REFRESH_STEPS = [
  "K3s: copy the current /etc/rancher/k3s/k3s.yaml from a server node (K3s renews its certificates; old copies stop working), or run `k3s certificate rotate` and restart k3s if it has expired there too",
  "minikube: `minikube update-context` (or `minikube start` to renew certificates)",
  "EKS: `aws eks update-kubeconfig --name <cluster> --region <region>`",
  "GKE: `gcloud container clusters get-credentials <cluster> --region <region>`",
  "kubeadm: `kubeadm kubeconfig user --client-name <user>` on a control-plane node, or `kubeadm certs renew admin.conf`",
] as const;
