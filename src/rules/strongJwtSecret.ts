import { MIN_JWT_SECRET_LENGTH } from "../model/secretFacts";
import { Enforcement, ObjectRead, SETTINGS_SOURCES, RuleScope, Severity, type Finding, type Rule } from "./rule";

export const STRONG_JWT_SECRET = "kubesphere-auth-disallow-weak-jwt-secret";

/** A jwtSecret signs every session token of the fleet: at least 32 characters, and never a published or placeholder value. */
export const strongJwtSecret: Rule = {
  id: STRONG_JWT_SECRET,
  description: `Checks whether every jwtSecret has at least ${MIN_JWT_SECRET_LENGTH} characters and is not a known default.`,
  severity: Severity.critical,
  enforcement: Enforcement.mandatory,
  scope: RuleScope.resource,
  reads: [...SETTINGS_SOURCES, ObjectRead.kubesphereSecret],
  remediationSteps:
    `Generate a new secret (for example \`openssl rand -hex 16\`, ${MIN_JWT_SECRET_LENGTH} characters), store it with ` +
    "`pulumi config set --secret jwtSecret`, and roll it to every cluster of the fleet at once. Tokens signed with the old secret stop working, " +
    "and on 3.x kubesphere-secret's token must be regenerated.",
  evaluate(fleet) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const cluster of fleet.clusters) {
      for (const settings of cluster.settings) {
        const secret = settings.jwtSecret;
        if (secret.state !== "known") continue;
        const key = `${cluster.name}\0${secret.value.digest}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const { length, knownDefault, fingerprint } = secret.value;
        const reason = knownDefault
          ? `is ${knownDefault}`
          : length < MIN_JWT_SECRET_LENGTH
            ? `has ${length} characters; the minimum is ${MIN_JWT_SECRET_LENGTH}`
            : undefined;
        if (!reason) continue;
        findings.push({
          ruleId: STRONG_JWT_SECRET,
          enforcement: Enforcement.mandatory,
          cluster: cluster.name,
          source: secret.source,
          message: `Cluster '${cluster.name}' jwtSecret (${secret.source}, ${fingerprint}) ${reason}. Use a random secret of at least ${MIN_JWT_SECRET_LENGTH} characters.`,
        });
      }
    }
    return findings;
  },
};
