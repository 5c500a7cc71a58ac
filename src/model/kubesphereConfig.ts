import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import { LineCounter, parseDocument } from "yaml";
import { CacheType, ClusterRole, KubeSphereLayout, type AuthSettings, type ParseProblem } from "./fleet";
import { isPlainObject, lookup } from "./lookup";
import { absent, known, unknown, type Observed } from "./observed";
import { TextMemo } from "./memo";
import { SettingsReader } from "./settingsReader";

/** The ConfigMap data key that holds ks-apiserver's configuration. */
export const KUBESPHERE_CONFIG_KEY = "kubesphere.yaml";

/**
 * Whether kubesphere.yaml text carries ks-apiserver's `authentication` section as a top-level key, parsed or not (so
 * a config that does not parse is still recognised, and reported). Every 3.x and 4.x template renders it
 * (ks-installer `kubesphere-config.yaml.j2`, ks-core `templates/kubesphere-config.yaml`), and so does
 * ks-controller-manager's re-marshal.
 */
export function kubesphereYamlHoldsAuth(text: string): boolean {
  return /^["']?authentication["']?[ \t]*:/m.test(text);
}

/** Key paths of the two auth settings in each layout of kubesphere.yaml. */
export const AUTH_PATHS = {
  [KubeSphereLayout.v3]: {
    jwtSecret: ["authentication", "jwtSecret"],
    accessTokenMaxAge: ["authentication", "oauthOptions", "accessTokenMaxAge"],
    maximumClockSkew: ["authentication", "maximumClockSkew"],
  },
  [KubeSphereLayout.v4]: {
    jwtSecret: ["authentication", "issuer", "jwtSecret"],
    accessTokenMaxAge: ["authentication", "issuer", "accessTokenMaxAge"],
    maximumClockSkew: ["authentication", "issuer", "maximumClockSkew"],
  },
} as const;

export interface ParsedKubesphereYaml {
  readonly data?: Record<string, unknown>;
  readonly problem?: ParseProblem;
}

/**
 * Parses kubesphere.yaml text. A failure names line and column and the parser's reason, never the text itself,
 * because the failing line may hold the jwtSecret.
 *
 * The policy pack parses every cluster's config on each AnalyzeStack, so the read goes through js-yaml (YAML 1.2
 * core schema, duplicate keys refused, like ks-apiserver's parser), about fifteen times faster than the `yaml`
 * Document API; `yaml` is kept for what needs its document model: locating a failure here, and editing.
 */
export function parseKubesphereYaml(text: string, source: string): ParsedKubesphereYaml {
  let data: unknown;
  try {
    data = loadYaml(text, { schema: CORE_SCHEMA });
  } catch {
    return locateProblem(text, source);
  }
  if (data === null || data === undefined) return { data: {} };
  if (!isPlainObject(data)) {
    return { problem: { source, where: KUBESPHERE_CONFIG_KEY, message: `${KUBESPHERE_CONFIG_KEY} is not a YAML mapping` } };
  }
  return { data };
}

/**
 * The line, column and reason of a parse failure, from the `yaml` library's error (which never quotes the text).
 * Should `yaml` read a text that js-yaml refused, its reading stands.
 */
function locateProblem(text: string, source: string): ParsedKubesphereYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  const error = doc.errors[0];
  if (error) {
    const pos = lineCounter.linePos(error.pos[0]);
    const where = pos ? `${KUBESPHERE_CONFIG_KEY} line ${pos.line}, column ${pos.col}` : KUBESPHERE_CONFIG_KEY;
    const reason = error.message.split(/ at line \d+/)[0]!.split("\n")[0]!;
    return { problem: { source, where, message: `${where} does not parse: ${reason} (${error.code})` } };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) return { data: {} };
  if (!isPlainObject(data)) {
    return { problem: { source, where: KUBESPHERE_CONFIG_KEY, message: `${KUBESPHERE_CONFIG_KEY} is not a YAML mapping` } };
  }
  return { data };
}

/** The layout a parsed kubesphere.yaml uses: v4 when `authentication.issuer` is present. */
export function layoutOf(data: unknown): KubeSphereLayout {
  const issuer = lookup(data, ["authentication", "issuer"]);
  return issuer.state === "known" && isPlainObject(issuer.value) ? KubeSphereLayout.v4 : KubeSphereLayout.v3;
}

/**
 * The auth settings a kubesphere.yaml makes effective. `text` may be Pulumi's unknown sentinel during preview.
 * The role of a 3.0–3.2 config, which has no `multicluster.clusterRole`, is `host` when `multicluster.enable` is
 * true and absent otherwise.
 */
export function readKubesphereConfig(text: string | undefined, source: string, unknownReason?: string): AuthSettings {
  if (text === undefined) {
    const missing = (): Observed<never> =>
      unknownReason ? unknown(`${source}: ${KUBESPHERE_CONFIG_KEY}`, unknownReason) : absent(`${source}: ${KUBESPHERE_CONFIG_KEY}`);
    return { source, kind: "config", role: missing(), jwtSecret: missing(), accessTokenMaxAge: missing(), maximumClockSkew: missing(), cache: missing(), problems: [] };
  }
  return READ_CONFIGS.get(source, text, () => readKubesphereText(text, source));
}

/**
 * Every read of a kubesphere.yaml, by source and text: the policy SDK hands each policy its own copy of the same
 * resources, and this keeps the YAML parse to once per text (the result is read-only, see `TextMemo`).
 */
const READ_CONFIGS = new TextMemo<AuthSettings>();

function readKubesphereText(text: string, source: string): AuthSettings {
  const parsed = parseKubesphereYaml(text, source);
  if (!parsed.data) {
    const broken = absent<never>(`${source}: ${KUBESPHERE_CONFIG_KEY}`);
    return { source, kind: "config", role: broken, jwtSecret: broken, accessTokenMaxAge: broken, maximumClockSkew: broken, cache: broken, problems: [parsed.problem!] };
  }
  const layout = layoutOf(parsed.data);
  const paths = AUTH_PATHS[layout];
  const reader = new SettingsReader(parsed.data, `${source}: ${KUBESPHERE_CONFIG_KEY}`);
  return {
    source,
    kind: "config",
    layout,
    role: roleOf(reader),
    jwtSecret: reader.secret(paths.jwtSecret),
    accessTokenMaxAge: reader.duration(paths.accessTokenMaxAge),
    maximumClockSkew: reader.duration(paths.maximumClockSkew),
    cache: cacheOf(reader),
    problems: reader.problems,
  };
}

function roleOf(reader: SettingsReader): Observed<ClusterRole> {
  const role = reader.role(["multicluster", "clusterRole"]);
  if (role.state !== "absent") return role;
  const enabled = reader.raw(["multicluster", "enable"]);
  if (enabled.state === "known" && enabled.value === true) return known(ClusterRole.host, enabled.source);
  return role;
}

/** 3.3+ and 4.x: `cache.type`; 3.0–3.2: a top-level `redis` section with a host. Otherwise in-memory. */
function cacheOf(reader: SettingsReader): Observed<CacheType> {
  const type = reader.raw(["cache", "type"]);
  if (type.state === "unknown") return type;
  if (type.state === "known") return known(String(type.value).toLowerCase() === "redis" ? CacheType.redis : CacheType.inMemory, type.source);
  const redisHost = reader.raw(["redis", "host"]);
  if (redisHost.state === "unknown") return redisHost;
  if (redisHost.state === "known" && String(redisHost.value) !== "") return known(CacheType.redis, redisHost.source);
  return absent(type.source);
}
