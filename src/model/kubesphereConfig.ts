import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { CacheType, ClusterRole, KubeSphereLayout, type AuthSettings, type ParseProblem, type RepeatedKey } from "./fleet";
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
  /** 3.x layout only: keys written more than once (ks-apiserver 3.x reads the last of each). */
  readonly repeatedKeys?: readonly RepeatedKey[];
}

/**
 * Parses kubesphere.yaml text the way the ks-apiserver of its layout does. A failure names line and column and the
 * parser's reason, never the text itself, because the failing line may hold the jwtSecret.
 *
 * Repeated keys: KubeSphere 3.x (every 3.x tag's go.mod replaces viper with v1.4.0, whose YAML codec is yaml.v2's
 * non-strict `Unmarshal`) accepts a key written twice in one mapping and keeps the last value; ks-installer 3.3/3.4
 * renders a member's `accessTokenMaxAge` twice when the ClusterConfiguration also sets it, and such a member works.
 * KubeSphere 4.1 (viper v1.18.2 → yaml.v3, kubesphere/kubesphere v4.1.3 go.mod) refuses the file: "mapping key …
 * already defined at line …". So a repeated key is read last-wins in the v3 layout and refused in the v4 layout.
 *
 * The common read goes through js-yaml (YAML 1.2 core schema), about fifteen times faster than the `yaml` Document
 * API; js-yaml refuses repeated keys, so such a text (and any other js-yaml refuses) is read again with `yaml`, with
 * its own `uniqueKeys: false` option, which keeps every pair and lets the last one win in `toJS`.
 */
export function parseKubesphereYaml(text: string, source: string): ParsedKubesphereYaml {
  let data: unknown;
  try {
    data = loadYaml(text, { schema: CORE_SCHEMA });
  } catch {
    return readWithYaml(text, source);
  }
  return asMapping(data, source);
}

function asMapping(data: unknown, source: string, repeatedKeys?: readonly RepeatedKey[]): ParsedKubesphereYaml {
  if (data === null || data === undefined) return { data: {} };
  if (!isPlainObject(data)) {
    return { problem: { source, where: KUBESPHERE_CONFIG_KEY, message: `${KUBESPHERE_CONFIG_KEY} is not a YAML mapping` } };
  }
  return repeatedKeys && repeatedKeys.length > 0 ? { data, repeatedKeys } : { data };
}

/**
 * The `yaml` library's reading with repeated keys allowed: the line, column and reason of a syntax error (its error
 * never quotes the text), else the data with the last of each repeated key, else (v4 layout) the repeated key refused.
 */
function readWithYaml(text: string, source: string): ParsedKubesphereYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const pos = lineCounter.linePos(error.pos[0]);
    const where = pos ? `${KUBESPHERE_CONFIG_KEY} line ${pos.line}, column ${pos.col}` : KUBESPHERE_CONFIG_KEY;
    const reason = error.message.split(/ at line \d+/)[0]!.split("\n")[0]!;
    return { problem: { source, where, message: `${where} does not parse: ${reason} (${error.code})` } };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const repeated = repeatedKeysOf(doc.contents, [], lineCounter);
  if (repeated.length > 0 && layoutOf(data) === KubeSphereLayout.v4) {
    const first = repeated[0]!;
    const where = `${KUBESPHERE_CONFIG_KEY} line ${first.lines[1]}, column ${first.column}`;
    return {
      problem: {
        source,
        where,
        message:
          `${where} writes ${first.path} again (first at line ${first.lines[0]}); ks-apiserver 4.x (viper 1.18, yaml.v3) refuses a repeated key and does not start; ` +
          `keep one ${first.path.split(".").pop()} line in that mapping`,
      },
    };
  }
  return asMapping(data, source, repeated);
}

/** Keys written more than once in any block or flow mapping, depth first, in document order. */
export function repeatedKeysOf(node: unknown, path: readonly string[], lineCounter: LineCounter): RepeatedKey[] {
  const found: RepeatedKey[] = [];
  if (isMap(node)) {
    const positions = new Map<string, { line: number; col: number }[]>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const start = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : undefined;
      const list = positions.get(key) ?? [];
      list.push(start === undefined ? { line: 0, col: 0 } : lineCounter.linePos(start));
      positions.set(key, list);
    }
    for (const [key, at] of positions) {
      if (at.length > 1) found.push({ path: [...path, key].join("."), lines: at.map((p) => p.line), column: at[at.length - 1]!.col });
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      found.push(...repeatedKeysOf(pair.value, [...path, key], lineCounter));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => found.push(...repeatedKeysOf(item, [...path, String(i)], lineCounter)));
  }
  return found;
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
    ...(parsed.repeatedKeys ? { repeatedKeys: parsed.repeatedKeys } : {}),
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
