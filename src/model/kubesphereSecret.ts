import type { AuthSettings } from "./fleet";
import { absent, known, type Observed } from "./observed";
import { secretFacts, type SecretFacts } from "./secretFacts";
import { isUnknownValue } from "./unknownValue";

export const KUBESPHERE_SECRET_NAME = "kubesphere-secret";

/**
 * The jwtSecret held by Secret `kubesphere-secret` (3.x), key `secret`: base64 in `data`, plain in `stringData`.
 * ks-installer reads it back into kubesphere.yaml, so it counts as that cluster's secret.
 */
export function readKubesphereSecret(object: { data?: unknown; stringData?: unknown }, source: string): AuthSettings {
  const where = `${source}: secret`;
  const missing = absent<never>(where);
  return { source, kind: "secret", role: missing, jwtSecret: secretOf(object, where), accessTokenMaxAge: missing, maximumClockSkew: missing, cache: missing, problems: [] };
}

/**
 * The jwtSecret in clear held by a kubesphere-secret object (key `secret`): `stringData` first, else base64 `data`.
 * `unknown` when either is a preview unknown; undefined when neither holds a value.
 */
export function kubesphereSecretText(object: { data?: unknown; stringData?: unknown }): { text: string; field: "stringData" | "data" } | "unknown" | undefined {
  const plain = field(object.stringData);
  const encoded = field(object.data);
  if (isUnknownValue(plain) || isUnknownValue(encoded)) return "unknown";
  if (typeof plain === "string" && plain !== "") return { text: plain, field: "stringData" };
  if (typeof encoded === "string" && encoded !== "") return { text: Buffer.from(encoded, "base64").toString("utf8"), field: "data" };
  return undefined;
}

function secretOf(object: { data?: unknown; stringData?: unknown }, where: string): Observed<SecretFacts> {
  const secret = kubesphereSecretText(object);
  if (secret === "unknown") return { state: "unknown", source: where, reason: "not known until the deployment runs" };
  return secret ? known(secretFacts(secret.text), `${where} (${secret.field})`) : absent(where);
}

function field(map: unknown): unknown {
  if (isUnknownValue(map)) return map;
  return map !== null && typeof map === "object" ? (map as Record<string, unknown>)["secret"] : undefined;
}
