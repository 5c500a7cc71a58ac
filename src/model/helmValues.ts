import { ClusterRole, KubeSphereLayout, type AuthSettings } from "./fleet";
import { absent, known, type Observed } from "./observed";
import { SettingsReader } from "./settingsReader";

/**
 * The auth settings a ks-core Helm release (KubeSphere 4.x) renders from its values: `authentication.issuer.*` and
 * `multicluster.role`. The chart forces `accessTokenMaxAge: 0s` for a member, whatever the values say. An empty
 * jwtSecret means the chart reuses the existing ConfigMap's value or generates one, so it is absent here.
 */
export function readKsCoreValues(values: unknown, source: string): AuthSettings {
  const reader = new SettingsReader(values, source);
  const role = reader.role(["multicluster", "role"]);
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

function chartAccessTokenMaxAge(role: Observed<ClusterRole>, declared: Observed<number>): Observed<number> {
  if (role.state === "known" && role.value === ClusterRole.member) return known(0, `${role.source} (the ks-core chart renders 0s for members)`);
  if (role.state === "unknown") return role;
  return declared.state === "absent" ? known(2 * 3600, `${declared.source} (chart default 2h)`) : declared;
}
