import * as pulumi from "@pulumi/pulumi";
import { federation, iam, quotas, type inference } from "@ccb/infra";
import type { StageConfig } from "../config/stage-config";
import type { StageContext } from "./context";
import type { QuotasPart } from "./quotas";

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
 * `undefined` outside identity-center stages.
 */
export function composeIdentityCenter(
  ctx: Pick<StageContext, "config" | "providers" | "tags" | "tokenEndpoint">,
  inputs: {
    readonly account: inference.InferenceAccount;
    readonly boundary: { readonly name: pulumi.Output<string>; readonly resource: pulumi.Resource };
    readonly quotas: Pick<QuotasPart, "service"> | undefined;
  },
): federation.IdentityCenterAccess | undefined {
  const { config } = ctx;
  const idc = config.federation.identityCenter;
  const provider = ctx.providers.identityCenter;
  if (config.federation.mode !== "identity-center" || !idc || !provider) return undefined;
  const quotaService = inputs.quotas?.service;
  const statements: iam.Statement[] = [
    ...inputs.account.modelAccessStatements(),
    ...(quotaService
      ? [
          iam.allow(quotas.perms.INVOKE_API_ACTIONS, [pulumi.interpolate`${quotaService.api.executionArn}/*/GET/check`], {
            sid: "InvokeQuotaCheck",
          }),
        ]
      : []),
    ...(ctx.tokenEndpoint ? ctx.tokenEndpoint.invokeStatements() : []),
  ];
  const blockPolicies = quotaService?.blockPolicies ?? [];
  return new federation.IdentityCenterAccess(
    `${config.namePrefix}-identity-center`,
    {
      instanceArn: idc.instanceArn,
      permissionSetName: idc.permissionSetName,
      sessionDurationHours: config.federation.sessionDurationHours,
      groupIds: idc.groupIds,
      accountId: config.accounts.inference.id,
      statements,
      boundaryPolicyName: inputs.boundary.name,
      managedPolicyNames: blockPolicies.map((p) => p.name),
      policyDependencies: [inputs.boundary.resource, ...blockPolicies],
      tags: ctx.tags,
    },
    { providers: { aws: provider } },
  );
}
