import { ClusterRole, KubeSphereLayout, type AuthSettings } from "./fleet";
import { absent, known, type Observed } from "./observed";
import { SettingsReader } from "./settingsReader";

/**
 * Where a ks-core chart version reads the cluster's role. Every 4.x chart (kubesphere/kubesphere
 * `config/ks-core`, `templates/_helpers.tpl` and `templates/kubesphere-config.yaml`) reads
 * `authentication.issuer.{jwtSecret,accessTokenMaxAge,maximumClockSkew}`; the role moved:
 * - charts 1.1.0–1.1.3 (tags v4.1.1, helm-chart-1.1.2 = v4.1.2, helm-chart-1.1.3): top-level `role` (and
 *   `hostClusterName`), helper `define "role"`; a `multicluster:` value is not read at all;
 * - charts 1.1.4 and later (tags v4.1.3, helm-chart-1.1.5): `multicluster.role` (and `multicluster.hostClusterName`),
 *   helper `define "multicluster.role"`; a top-level `role` is not read at all.
 * Both helpers resolve an empty role to the existing kubesphere-config's `multicluster.clusterRole` (`none` → host),
 * else `host`; that depends on the live cluster, so an empty role is absent here.
 */
export const KS_CORE_ROLE_KEYS = [
  { charts: "1.1.0–1.1.3", kubesphere: "4.1.1, 4.1.2", role: ["role"], reads: (v: ChartVersion) => below(v, [1, 1, 4]) },
  { charts: "1.1.4 and later", kubesphere: "4.1.3 and later", role: ["multicluster", "role"], reads: (v: ChartVersion) => !below(v, [1, 1, 4]) },
] as const;

/** A chart version as Helm takes it: `1.1.2`, `v1.1.2`, `1.1.4-rc.0`. */
export type ChartVersion = readonly [number, number, number];

/**
 * The ks-core chart a release or chart installs, as far as its inputs pin it: `version` is an exact chart version,
 * `unpinned` (no version, or a range: Helm picks one from the repository), or `unknown` (a preview unknown).
 */
export type KsCoreChart = { readonly version: string } | { readonly unpinned: true } | { readonly unknown: true };

/**
 * The auth settings a ks-core Helm release (KubeSphere 4.x) renders from its values: `authentication.issuer.*` and
 * the role, read at the key the chart version reads (`KS_CORE_ROLE_KEYS`). The chart forces `accessTokenMaxAge: 0s`
 * for a member, whatever the values say. An empty jwtSecret means the chart reuses the existing ConfigMap's value or
 * generates one, so it is absent here. When the version is not pinned, the role is read at whichever key the values
 * set; both set and disagreeing is a problem (the chart Helm picks reads only one of them).
 */
export function readKsCoreValues(values: unknown, source: string, chart: KsCoreChart = { unpinned: true }): AuthSettings {
  const reader = new SettingsReader(values, source);
  const role = chartRole(reader, chart);
  const maxAge = reader.duration(["authentication", "issuer", "accessTokenMaxAge"]);
  return {
    source,
    kind: "helm-values",
    layout: KubeSphereLayout.v4,
    role,
    jwtSecret: reader.secret(["authentication", "issuer", "jwtSecret"]),
    accessTokenMaxAge: chartAccessTokenMaxAge(role, maxAge),
    maximumClockSkew: reader.duration(["authentication", "issuer", "maximumClockSkew"]),
    cache: absent(reader.where(["cache"])),
    problems: reader.problems,
  };
}

/** `1.1.2`, `v1.1.2` or `1.1.4-rc.0` as numbers; undefined for a range (`~1.1.0`, `>=1.1`) or anything else. */
export function parseChartVersion(text: string): ChartVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function chartRole(reader: SettingsReader, chart: KsCoreChart): Observed<ClusterRole> {
  const [old, current] = KS_CORE_ROLE_KEYS;
  const pinned = "version" in chart ? chart.version : undefined;
  const version = pinned === undefined ? undefined : parseChartVersion(pinned);
  if (version && below(version, [1, 1, 0])) {
    reader.problems.push({ source: reader.source, where: "version", message: `chart version ${pinned} is not a KubeSphere 4.x ks-core chart; this pack reads ks-core 1.1.0 and later` });
    return absent(reader.where(current.role));
  }
  if (version) {
    const [reads, ignored] = old.reads(version) ? [old, current] : [current, old];
    const role = reader.role(reads.role);
    const misplaced = reader.raw(ignored.role);
    if (role.state === "absent" && misplaced.state === "known" && String(misplaced.value) !== "") {
      reader.problem(
        ignored.role,
        `is not read by ks-core chart ${pinned}, which takes the role from ${reads.role.join(".")} (charts ${reads.charts}); ` +
          `the release would keep the existing config's role, or make the cluster a host. Fix: set ${reads.role.join(".")} instead`,
      );
    }
    return role;
  }
  // Not pinned, or not known yet: the role at whichever key the values set.
  const roles = [current, old].map((keys) => reader.role(keys.role));
  const stated = roles.filter((r) => r.state !== "absent");
  if (stated.length === 2 && stated[0]!.state === "known" && stated[1]!.state === "known" && stated[0]!.value !== stated[1]!.value) {
    reader.problem(old.role, `says ${stated[1]!.value} and multicluster.role says ${stated[0]!.value}; each ks-core chart reads only one of them (charts ${old.charts}: role, later: multicluster.role). Fix: pin the chart version and set its key`);
    return absent(reader.where(old.role));
  }
  return stated[0] ?? roles[0]!;
}

function below(version: ChartVersion, limit: ChartVersion): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== limit[i]) return version[i]! < limit[i]!;
  return false;
}

function chartAccessTokenMaxAge(role: Observed<ClusterRole>, declared: Observed<number>): Observed<number> {
  if (role.state === "known" && role.value === ClusterRole.member) return known(0, `${role.source} (the ks-core chart renders 0s for members)`);
  if (role.state === "unknown") return role;
  return declared.state === "absent" ? known(2 * 3600, `${declared.source} (chart default 2h)`) : declared;
}
