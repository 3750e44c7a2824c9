import { REGION, type ConfigProblems } from "./problems";
import { identityCenterChecks } from "./identity-center-checks";
import { isAwsRegion, regionProblem } from "./regions";
import type { StageConfig } from "./stage-config";

/**
 * Checks that need several sections at once. They used to throw from inside the composition, after
 * part of the stage was declared; here they run before anything is, each with its key. (The
 * composition and the components keep their own checks as defence in depth.)
 */
export function crossAreaChecks(config: StageConfig, p: ConfigProblems): void {
  const { quotas: q, telemetry: t, cicd: ci, distribution: d, identityProvider: idp } = config;
  const cognito = config.federation.mode === "cognito-identity-pool";
  identityCenterChecks(config, p);

  // The role session name is chosen by whoever calls AssumeRoleWithWebIdentity (any name, with the
  // user's own id_token), so a deny keyed on it is escaped by renaming the session. Only a session tag
  // from the signed token identifies the user to IAM.
  if (q.enabled && q.mode === "block" && q.serverSideBlock && config.federation.mode === "direct" && !idp?.emailSessionTag) {
    p.add(
      "stage.identityProvider.emailSessionTag",
      "is required with quotas.mode: block and quotas.enforcement.serverSideBlock in direct federation: the IAM deny must key on the email as a session tag the IdP sends (https://aws.amazon.com/tags claim, principal_tags), because the role session name is chosen by the caller of AssumeRoleWithWebIdentity and a blocked user could escape the deny under another name; map the email as a session tag at the IdP and set e.g. emailSessionTag: email, or set quotas.enforcement.serverSideBlock: false",
    );
  }

  // A Cognito identity pool sets the email principal tag only when the token has the email claim, and the
  // pool role's trust does not require the tag: a token without the claim would get a session that the
  // IAM deny (aws:PrincipalTag/email) never matches. See docs/quotas.md.
  if (q.enabled && q.mode === "block" && q.serverSideBlock && cognito) {
    p.add(
      "stage.quotas.enforcement.serverSideBlock",
      "cannot be enforced with federation.mode: cognito-identity-pool: the identity pool's role does not require the email session tag the IAM block keys on, so a token without the email claim escapes the block; use federation.mode: direct with identityProvider.emailSessionTag, or set quotas.enforcement.serverSideBlock: false (the helper's /check still refuses credentials)",
    );
  }

  if (q.enabled) {
    const logs = config.inference.invocationLogging.enabled;
    if (q.sources.telemetry === true && !t.enabled)
      p.add(
        "stage.quotas.sources.telemetry",
        "is true but stage.telemetry.enabled is false: the telemetry area publishes the per-user token metric; enable telemetry or set it to auto",
      );
    if (q.sources.invocationLogs === true && !logs)
      p.add(
        "stage.quotas.sources.invocationLogs",
        "is true but stage.inference.invocationLogging.enabled is false; enable invocation logging or set it to auto",
      );
    if (q.sources.invocationLogs === true && cognito) {
      p.add(
        "stage.quotas.sources.invocationLogs",
        "cannot attribute usage with federation.mode cognito-identity-pool (every session is named CognitoIdentityCredentials); set it to auto or false",
      );
    }
    const useTelemetry = q.sources.telemetry !== false && t.enabled;
    const useLogs = q.sources.invocationLogs !== false && logs && !cognito;
    if (!useTelemetry && !useLogs)
      p.add(
        "stage.quotas.sources",
        "leaves nothing to meter: enable stage.telemetry (client telemetry) or stage.inference.invocationLogging (direct federation)",
      );
    if (q.enforceOn === "telemetry" && !useTelemetry)
      p.add("stage.quotas.enforceOn", "is telemetry but the telemetry source is off; enable stage.telemetry or use enforceOn: max");
    if (q.enforceOn === "invocation-logs" && !useLogs)
      p.add(
        "stage.quotas.enforceOn",
        "is invocation-logs but invocation logs are not a source (they need invocationLogging and direct federation); use enforceOn: max",
      );
  }

  if (t.enabled && t.certificateArn) {
    // The load balancer in the telemetry account and the stage's Region can use only a certificate of its own.
    const [, , , certRegion, certAccount] = t.certificateArn.split(":");
    if (certAccount !== config.accounts.telemetry.id || certRegion !== config.region) {
      p.add(
        "stage.telemetry.certificateArn",
        `is in account ${certAccount}, Region ${certRegion}, but the collector's load balancer is in account ${config.accounts.telemetry.id}, Region ${config.region}; import or issue the certificate there (or set hostedZoneId to issue one)`,
      );
    }
  }
  if (t.enabled && idp?.kind === "generic" && !t.jwksUri) {
    p.add(
      "stage.telemetry.jwksUri",
      `is required for identityProvider.kind: generic; copy jwks_uri from ${idp.issuer.url || "<issuer>"}/.well-known/openid-configuration`,
    );
  }

  if (d.enabled) {
    const registryAccount = d.account === "inference" ? config.accounts.inference.id : config.accounts.telemetry.id;
    if (d.readers.organization && !config.organizationId) {
      p.add(
        "stage.distribution.readers.organization",
        "is true but the stage has no organisation: set stage.organizationId, or set it to false and list readers.accountIds",
      );
    }
    if (d.publisher?.kind === "roles" && d.publisher.accountId && d.publisher.accountId !== registryAccount && !config.organizationId) {
      p.add(
        "stage.distribution.publisher.accountId",
        `CI roles in account ${d.publisher.accountId} (not the registry's ${registryAccount}) need the organisation for the trust condition: set stage.organizationId`,
      );
    }
    if (
      d.publisher?.kind === "github" &&
      /:iam::\d{12}:/.test(d.publisher.oidcProviderArn) &&
      d.publisher.oidcProviderArn.split(":")[4] !== registryAccount
    ) {
      p.add(
        "stage.distribution.publisher.github.oidcProviderArn",
        `is in account ${d.publisher.oidcProviderArn.split(":")[4]}, but the publisher role lives with the registry in account ${registryAccount}; use that account's GitHub OIDC provider`,
      );
    }
  }

  if (ci.enabled) {
    const ids = new Set([config.accounts.inference.id, config.accounts.telemetry.id, ...config.accounts.workloads.map((w) => w.id)]);
    if (ids.size > 1 && !config.organizationId) {
      p.add(
        "stage.organizationId",
        `is required with stage.cicd across ${ids.size} accounts: the CI roles of the other accounts trust the inference account's roles only inside the organisation (aws:PrincipalOrgID)`,
      );
    }
    if (ci.release && !ci.release.codeArtifact && !d.enabled) {
      p.add(
        "stage.cicd.release",
        "needs a registry to publish to: enable stage.distribution, or set stage.cicd.release.codeArtifact (domain, repository, packageName)",
      );
    }
    const oidc = ci.github?.existingOidcProviderArn;
    // CI signs in to the inference account; its roles can trust only that account's provider.
    if (oidc && oidc.split(":")[4] !== config.accounts.inference.id) {
      p.add(
        "stage.cicd.github.existingOidcProviderArn",
        `is in account ${oidc.split(":")[4]}, but the CI roles are created in the inference account ${config.accounts.inference.id}; use that account's token.actions.githubusercontent.com provider or remove the key to create one`,
      );
    }
    const kmsRegion = ci.stateBackend?.kmsKeyArn?.split(":")[3];
    if (kmsRegion && !isAwsRegion(kmsRegion)) p.add("stage.cicd.stateBackend.kmsKeyArn", `names the Region ${regionProblem(kmsRegion)}`);
    ci.additionalRegions.forEach((region, i) => {
      if (REGION.test(region) && !isAwsRegion(region)) p.add(`stage.cicd.additionalRegions[${i}]`, regionProblem(region));
    });
  }
}
