import { federation, telemetry } from "@ccb/infra";
import type { StageContext } from "./context";
import type { InferencePart } from "./inference";
import { lambdaCode } from "./lambda-code";
import { claimNamesOf } from "../config/identity-provider";

/** `aud` of the collector tokens the token endpoint issues. */
export const TELEMETRY_TOKEN_AUDIENCE = "claude-code-telemetry";
/** Value of the issuer-selecting header for tokens of the token endpoint. */
export const IAM_ISSUER_KEY = "iam";

/**
 * The telemetry token endpoint of an IAM Identity Center stage with telemetry on. It lives in the
 * inference account: that is where IdC provisions the developers' role, and an HTTP API's IAM
 * authorisation admits callers of its own account only (HTTP APIs have no resource policy). Workloads
 * and CI calling Bedrock through the cross-account roles may report telemetry as those roles (GET /token).
 */
export function composeTokenEndpoint(
  ctx: Pick<StageContext, "config" | "providers" | "tags" | "workloadBoundaryArns">,
  inf: Pick<InferencePart, "account" | "crossAccountRoleNames">,
): telemetry.TokenEndpoint | undefined {
  const { config, tags } = ctx;
  const idc = config.federation.identityCenter;
  if (config.federation.mode !== "identity-center" || !idc || !config.telemetry.enabled) return undefined;
  // The identity store API answers only in the account that administers the instance.
  const readsDirectory = idc.adminAccount.id === config.accounts.inference.id;
  const endpoint = new telemetry.TokenEndpoint(
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
      claimNames: claimNamesOf(config).attributeClaims,
      logKmsKeyArn: inf.account.keyArn,
      logRetentionDays: config.telemetry.logRetentionDays,
      tags: { ...tags, area: "telemetry" },
      permissionsBoundaryArn: ctx.workloadBoundaryArns[config.accounts.inference.id],
    },
    { providers: { aws: ctx.providers.inference } },
  );
  for (const [name, roleName] of Object.entries(inf.crossAccountRoleNames)) endpoint.grantInvoke({ roleName, key: `xa-${name}` });
  return endpoint;
}
