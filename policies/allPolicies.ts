import type { Policy } from "@pulumi/policy";
import { apiserverRedisCache } from "./apiserverRedisCache";
import { configParses } from "./configParses";
import { fleetConsistentClockSkew } from "./fleetConsistentClockSkew";
import { fleetSharedJwtSecret } from "./fleetSharedJwtSecret";
import { fleetSingleHost } from "./fleetSingleHost";
import { installerMemberRole } from "./installerMemberRole";
import { kubeconfigRenewCertificate } from "./kubeconfigRenewCertificate";
import { kubeconfigValidCertificate } from "./kubeconfigValidCertificate";
import { memberZeroAccessTokenMaxAge } from "./memberZeroAccessTokenMaxAge";
import { registeredPolicies, registerPolicy } from "./registry";
import { strongJwtSecret } from "./strongJwtSecret";
import { warnUndecidedDuringPreview } from "./warnUndecidedDuringPreview";

for (const policy of [
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
  warnUndecidedDuringPreview,
]) {
  registerPolicy(policy);
}

/** Every policy of the kubesphere-fleet pack, in the order the pack lists them. */
export function allPolicies(): Policy[] {
  return registeredPolicies();
}
