import type { ConfigProblems } from "./problems";
import type { StageConfig } from "./stage-config";

/**
 * What an IAM Identity Center stage needs from the other sections. IdC users have no id_token, so
 * everything that authenticates a developer must accept the IAM caller instead.
 */
export function identityCenterChecks(config: StageConfig, p: ConfigProblems): void {
  if (config.federation.mode !== "identity-center") return;
  if (!config.identityProvider && config.telemetry.enabled) {
    p.add(
      "stage.identityProvider",
      "is required with telemetry.enabled: the collector's load balancer validates the corporate IdP's id_tokens as its default issuer (the token endpoint only adds IdC users to it); add the identityProvider section (kind, issuer, clientId, allowedSubjects or requiredSessionTag), or set telemetry.enabled: false",
    );
  }
  const q = config.quotas;
  if (q.enabled && q.check.authorization !== "iam") {
    p.add(
      "stage.quotas.check.authorization",
      "must be iam with federation.mode: identity-center: IdC users have no id_token for the JWT authorizer; the helper signs /check with the SSO session's credentials (SigV4) and the check API takes the user from the verified IAM caller. Set quotas.check.authorization: iam",
    );
  }
  if (config.distribution.enabled && config.distribution.developerRoleReads) {
    p.add(
      "stage.distribution.developerRoleReads",
      "cannot grant registry reads to the role IdC provisions (IdC owns AWSReservedSSO_* roles; inline grants cannot be attached to them); set it to false and let developers read through distribution.readers (organisation or account ids)",
    );
  }
  if (config.inference.restrictTeamProfiles) {
    p.add(
      "stage.inference.restrictTeamProfiles",
      "needs a `team` session tag, which IdC sessions carry only with attributes for access control; IdC stages do not configure those yet: set it to false",
    );
  }
}
