import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { federation, iam, providers, quotas, type inference, type telemetry } from "@ccb/infra";
import type { IdentityCenterSettings } from "@ccb/contracts";
import type { StageConfig } from "../config/stage-config";
import type { StagePart } from "./context";

/**
 * The role IAM Identity Center provisions for the stage's permission set, as the rest of the stage
 * refers to it before it exists: IdC creates `AWSReservedSSO_<permission set>_<16 hex>` under the path
 * `/aws-reserved/sso.amazonaws.com/` when it first assigns the set. The `*` name is a prefix (the
 * invocation-log metering matches it so); nothing attaches policies to it (IdC owns the role).
 */
export function identityCenterUserRole(config: StageConfig): { arn: pulumi.Output<string>; name: pulumi.Output<string> } {
  const idc = config.federation.identityCenter!;
  const prefix = federation.reservedRoleNamePrefix(idc.permissionSetName);
  return {
    arn: pulumi.output(`arn:aws:iam::${config.accounts.inference.id}:role/aws-reserved/sso.amazonaws.com/${idc.ssoRegion}/${prefix}*`),
    name: pulumi.output(`${prefix}*`),
  };
}

/**
 * Composes the permission set for an IdC stage, after the areas: its inline policy carries what the OIDC
 * role receives through grants (model access from the inference account, and the quota check's route
 * because IdC users call it signed with SigV4), its boundary is the developer boundary by name, and the
 * quota deny policies are referenced by name so the aggregation's rewrites apply to every IdC session.
 */
export function composeIdentityCenter(
  config: StageConfig,
  deps: {
    readonly account: inference.InferenceAccount;
    readonly boundary: { readonly name: pulumi.Output<string>; readonly resource: pulumi.Resource };
    readonly parts: Readonly<Record<string, StagePart | undefined>>;
    readonly tags: Record<string, string>;
    readonly deployRole: (arn: string) => string;
    readonly tokenEndpoint?: telemetry.TokenEndpoint;
  },
): { access: federation.IdentityCenterAccess; settings: pulumi.Output<IdentityCenterSettings>; provider: aws.Provider } {
  const idc = config.federation.identityCenter!;
  const admin = idc.adminAccount;
  // The permission set lives in the IdC instance's account and Region; the assignment targets the inference account.
  const provider = providers.accountProvider(`${config.namePrefix}-identity-center`, {
    accountId: admin.id,
    region: idc.ssoRegion,
    ...(admin.deployRoleArn ? { deployRoleArn: deps.deployRole(admin.deployRoleArn) } : {}),
    sessionName: `pulumi-${config.namePrefix}`,
    defaultTags: deps.tags,
  });
  const quotaService = (deps.parts.quotas as { service?: quotas.QuotaService } | undefined)?.service;
  const statements: iam.Statement[] = [
    ...deps.account.modelAccessStatements(),
    ...(quotaService
      ? [
          iam.allow(quotas.perms.INVOKE_API_ACTIONS, [pulumi.interpolate`${quotaService.api.executionArn}/*/GET/check`], {
            sid: "InvokeQuotaCheck",
          }),
        ]
      : []),
    ...(deps.tokenEndpoint ? deps.tokenEndpoint.invokeStatements() : []),
  ];
  const blockPolicies = quotaService?.blockPolicies ?? [];
  const access = new federation.IdentityCenterAccess(
    `${config.namePrefix}-identity-center`,
    {
      instanceArn: idc.instanceArn,
      permissionSetName: idc.permissionSetName,
      sessionDurationHours: config.federation.sessionDurationHours,
      groupIds: idc.groupIds,
      accountId: config.accounts.inference.id,
      statements,
      boundaryPolicyName: deps.boundary.name,
      managedPolicyNames: blockPolicies.map((p) => p.name),
      policyDependencies: [deps.boundary.resource, ...blockPolicies],
      tags: deps.tags,
    },
    { providers: { aws: provider } },
  );
  const settings = pulumi.output({
    mode: "identity-center" as const,
    startUrl: idc.startUrl,
    ssoRegion: idc.ssoRegion,
    accountId: config.accounts.inference.id,
    roleName: idc.permissionSetName,
  });
  return { access, settings, provider };
}
