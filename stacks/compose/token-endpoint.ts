import { federation, telemetry } from "@ccb/infra";
import type { StageConfig } from "../config/stage-config";
import type { StageProviders } from "./context";
import { lambdaCode } from "./lambda-code";

/** `aud` of the collector tokens the token endpoint issues. */
export const TELEMETRY_TOKEN_AUDIENCE = "claude-code-telemetry";
/** Value of the issuer-selecting header for tokens of the token endpoint. */
export const IAM_ISSUER_KEY = "iam";

/**
 * The telemetry token endpoint of an IAM Identity Center stage with telemetry on. It lives in the
 * inference account: that is where IdC provisions the developers' role, and an HTTP API's IAM
 * authorisation admits callers of its own account only (HTTP APIs have no resource policy).
 */
export function composeTokenEndpoint(
  config: StageConfig,
  providers: StageProviders,
  inferenceKeyArn: import("@pulumi/pulumi").Output<string>,
  tags: Record<string, string>,
  permissionsBoundaryArn: import("@pulumi/pulumi").Input<string>,
): telemetry.TokenEndpoint | undefined {
  const idc = config.federation.identityCenter;
  if (config.federation.mode !== "identity-center" || !idc || !config.telemetry.enabled) return undefined;
  const idp = config.identityProvider;
  // The identity store API answers only in the account that administers the instance.
  const readsDirectory = idc.adminAccount.id === config.accounts.inference.id;
  return new telemetry.TokenEndpoint(
    `${config.namePrefix}-telemetry-token`,
    {
      namePrefix: config.namePrefix,
      code: lambdaCode("telemetry-functions", "token-endpoint/index.ts"),
      audience: TELEMETRY_TOKEN_AUDIENCE,
      ttlSeconds: 3600,
      identityCenterRolePrefix: federation.reservedRoleNamePrefix(idc.permissionSetName),
      // Workloads and CI calling Bedrock through the cross-account roles report telemetry as those roles.
      workloadRoleNames: config.crossAccount.roles.map((x) => `${config.namePrefix}-${x.name}`),
      ...(readsDirectory ? { identityStore: { id: idc.identityStoreId, region: idc.ssoRegion, accountId: idc.adminAccount.id } } : {}),
      claimNames: idp.attributeClaims,
      logKmsKeyArn: inferenceKeyArn,
      logRetentionDays: config.telemetry.logRetentionDays,
      tags: { ...tags, area: "telemetry" },
      permissionsBoundaryArn,
    },
    { providers: { aws: providers.inference } },
  );
}
