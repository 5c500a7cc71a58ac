import type { FleetView } from "../model/fleet";
import { apiserverRedisCache } from "./apiserverRedisCache";
import { kubeconfigRenewCertificate, kubeconfigValidCertificate } from "./certificates";
import { configParses } from "./configParses";
import { fleetConsistentClockSkew } from "./fleetClockSkew";
import { fleetSharedJwtSecret } from "./fleetSharedJwtSecret";
import { fleetSingleHost } from "./fleetSingleHost";
import { installerMemberRole } from "./installerMemberRole";
import { memberZeroAccessTokenMaxAge } from "./memberZeroAccessTokenMaxAge";
import type { Finding, Rule, RuleOptions } from "./rule";
import { strongJwtSecret } from "./strongJwtSecret";

export * from "./rule";

const registry = new Map<string, Rule>();

/** Adds a rule to the registry; a second rule with the same id is a programming error. */
export function registerRule(rule: Rule): Rule {
  if (registry.has(rule.id)) throw new Error(`Rule '${rule.id}' already exists; give each rule a unique id.`);
  registry.set(rule.id, rule);
  return rule;
}

for (const rule of [
  fleetSharedJwtSecret,
  memberZeroAccessTokenMaxAge,
  fleetSingleHost,
  installerMemberRole,
  strongJwtSecret,
  kubeconfigValidCertificate,
  kubeconfigRenewCertificate,
  fleetConsistentClockSkew,
  apiserverRedisCache,
  configParses,
]) {
  registerRule(rule);
}

/** Every registered rule, in registration order. */
export function allRules(): readonly Rule[] {
  return [...registry.values()];
}

export function ruleById(id: string): Rule | undefined {
  return registry.get(id);
}

/** Runs every rule (or the given ones) over the fleet. */
export function evaluateFleet(fleet: FleetView, options: RuleOptions, rules: readonly Rule[] = allRules()): Finding[] {
  return rules.flatMap((rule) => rule.evaluate(fleet, options));
}

export {
  apiserverRedisCache,
  configParses,
  fleetConsistentClockSkew,
  fleetSharedJwtSecret,
  fleetSingleHost,
  installerMemberRole,
  kubeconfigRenewCertificate,
  kubeconfigValidCertificate,
  memberZeroAccessTokenMaxAge,
  strongJwtSecret,
};
