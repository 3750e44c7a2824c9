import * as pulumi from "@pulumi/pulumi";
import { analyticsSubscriptionRoleName } from "../analytics/analytics-pipeline";
import { arn, deny, oidcProviderArn, type Statement } from "../iam";
import {
  BOUNDED_INLINE_POLICY_ACTIONS,
  BOUNDED_ROLE_WRITE_ACTIONS,
  DENIED_ASSUME_ROLE_ACTIONS,
  DENIED_AUDIT_ACTIONS,
  DENIED_BOUNDARY_REMOVAL_ACTIONS,
  DENIED_CI_ROLE_CHANGE_ACTIONS,
  DENIED_LONG_LIVED_IDENTITY_ACTIONS,
  DENIED_OIDC_PROVIDER_CHANGE_ACTIONS,
  DENIED_STATE_BUCKET_CHANGE_ACTIONS,
  DENIED_STATE_KEY_CHANGE_ACTIONS,
  GLOBAL_SERVICE_ACTIONS,
  PASS_ROLE_ACTIONS,
  PASS_ROLE_SERVICES,
  POLICY_CHANGE_ACTIONS,
  POLICY_VERSION_ACTIONS,
  UNBOUNDED_ROLE_WRITE_ACTIONS,
} from "./perms";
import { protectedBoundaryArns, stageBoundaryArns, type StageIamScope } from "./stage-iam-scope";
import { GITHUB_OIDC_HOST } from "./validate";

/**
 * Explicit denies for the CI roles (attached as their guardrail policy) and for every role under the
 * workload boundary. An explicit deny beats any allow, so they hold whatever is attached later.
 */
export function guardrailStatements(scope: StageIamScope, partition: pulumi.Input<string>): Statement[] {
  const ctx: GuardrailContext = {
    scope,
    partition,
    iamArn: (resource) => pulumi.interpolate`arn:${partition}:iam::${scope.accountId}:${resource}`,
  };
  return [
    ...ciIdentityDenies(ctx),
    ...boundaryDenies(ctx),
    ...stageContainmentDenies(ctx),
    ...passRoleDenies(ctx),
    ...accountDenies(ctx),
    ...stateBackendDenies(ctx),
  ];
}

interface GuardrailContext {
  readonly scope: StageIamScope;
  readonly partition: pulumi.Input<string>;
  /** ARN of an IAM resource in the stage's account. */
  readonly iamArn: (resource: string) => pulumi.Output<string>;
}

/** No long-lived identities, and CI cannot change who may act as CI or what CI may do: an administrator applies those changes. */
function ciIdentityDenies({ scope, partition, iamArn }: GuardrailContext): Statement[] {
  return [
    deny(DENIED_LONG_LIVED_IDENTITY_ACTIONS, ["*"], { sid: "DenyLongLivedIdentities" }),
    deny(DENIED_CI_ROLE_CHANGE_ACTIONS, [iamArn(`role/${scope.namePrefix}-ci-*`)], { sid: "DenyCiRoleChanges" }),
    deny(POLICY_CHANGE_ACTIONS, [iamArn(`policy/${scope.namePrefix}-ci-*`)], { sid: "DenyCiPolicyChanges" }),
    deny(DENIED_OIDC_PROVIDER_CHANGE_ACTIONS, [oidcProviderArn(partition, scope.accountId, GITHUB_OIDC_HOST)], {
      sid: "DenyGitHubProviderChanges",
    }),
  ];
}

/** The boundaries stay in place, and no role without one of them is created or given more. */
function boundaryDenies({ scope, partition, iamArn }: GuardrailContext): Statement[] {
  const accepted = { StringNotEquals: { "iam:PermissionsBoundary": stageBoundaryArns(partition, scope) } };
  const namedRoles = (scope.managedRoleNames ?? []).map((n) => iamArn(`role/${n}`));
  return [
    // The boundaries themselves: not rewritten, versioned, deleted, re-tagged, or created under their names.
    deny(POLICY_CHANGE_ACTIONS, protectedBoundaryArns(partition, scope), { sid: "DenyBoundaryPolicyChanges" }),
    deny(DENIED_BOUNDARY_REMOVAL_ACTIONS, ["*"], { sid: "DenyRemovingBoundaries" }),
    // A missing boundary key is "not equal": denied.
    deny(
      BOUNDED_ROLE_WRITE_ACTIONS.filter((a) => !BOUNDED_INLINE_POLICY_ACTIONS.includes(a)),
      ["*"],
      { sid: "DenyRoleWritesOutsideBoundaries", conditions: accepted },
    ),
    // The named existing roles (cross-account source roles) are the one exception, for their inline policy only.
    namedRoles.length
      ? {
          Sid: "DenyInlinePolicyWritesOutsideBoundaries",
          Effect: "Deny",
          Action: [...BOUNDED_INLINE_POLICY_ACTIONS],
          NotResource: namedRoles,
          Condition: accepted,
        }
      : deny(BOUNDED_INLINE_POLICY_ACTIONS, ["*"], { sid: "DenyInlinePolicyWritesOutsideBoundaries", conditions: accepted }),
  ];
}

/**
 * What the deploy role's own allows never reach, stated for any principal under these denies: other
 * roles and policies of the account, and roles to assume that are not the stage's.
 */
function stageContainmentDenies({ scope, partition, iamArn }: GuardrailContext): Statement[] {
  const prefix = scope.namePrefix;
  return [
    {
      Sid: "DenyRoleChangesOutsideStage",
      Effect: "Deny",
      Action: [...UNBOUNDED_ROLE_WRITE_ACTIONS],
      NotResource: [iamArn(`role/${prefix}-*`)],
    },
    {
      Sid: "DenyPolicyChangesOutsideStage",
      Effect: "Deny",
      Action: [...POLICY_VERSION_ACTIONS],
      NotResource: [iamArn(`policy/${prefix}-*`)],
    },
    {
      Sid: "DenyAssumingRolesOutsideStage",
      Effect: "Deny",
      Action: [...DENIED_ASSUME_ROLE_ACTIONS],
      NotResource: [pulumi.interpolate`arn:${partition}:iam::*:role/${prefix}-*`],
    },
  ];
}

/** Roles are passed only to the program's services, never the CI roles, never roles outside the stage. */
function passRoleDenies({ scope, iamArn }: GuardrailContext): Statement[] {
  const subscriptionRole = iamArn(`role/${analyticsSubscriptionRoleName(scope.namePrefix)}`);
  return [
    // A request without iam:PassedToService makes StringNotEquals true, so this denies it: right for every
    // role but the analytics subscription role, which PutSubscriptionFilter passes without the key. That
    // role is left out here (NotResource) and gets its own deny below: no service other than Logs.
    {
      Sid: "DenyPassRoleElsewhere",
      Effect: "Deny",
      Action: [...PASS_ROLE_ACTIONS],
      NotResource: [subscriptionRole],
      Condition: { StringNotEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
    },
    deny([...PASS_ROLE_ACTIONS], [subscriptionRole], {
      sid: "DenyPassingSubscriptionRoleElsewhere",
      conditions: { Null: { "iam:PassedToService": "false" }, StringNotEquals: { "iam:PassedToService": "logs.amazonaws.com" } },
    }),
    deny([...PASS_ROLE_ACTIONS], [iamArn(`role/${scope.namePrefix}-ci-*`)], { sid: "DenyPassingCiRoles" }),
    {
      Sid: "DenyPassingRolesOutsideStage",
      Effect: "Deny",
      Action: [...PASS_ROLE_ACTIONS],
      NotResource: [iamArn(`role/${scope.namePrefix}-*`)],
    },
  ];
}

/** Audit trails and account settings stay as they are, and nothing regional happens outside the stage's Regions. */
function accountDenies({ scope }: GuardrailContext): Statement[] {
  return [
    deny(DENIED_AUDIT_ACTIONS, ["*"], { sid: "DenyAuditAndAccountChanges" }),
    {
      Sid: "DenyOutsideStageRegions",
      Effect: "Deny",
      NotAction: [...GLOBAL_SERVICE_ACTIONS],
      Resource: ["*"],
      Condition: { StringNotEquals: { "aws:RequestedRegion": [...new Set(scope.allowedRegions)] } },
    },
  ];
}

/** The Pulumi state bucket and its key keep their policies, versioning and lifecycle. */
function stateBackendDenies({ scope, partition }: GuardrailContext): Statement[] {
  if (!scope.stateBackend) return [];
  const statements: Statement[] = [
    deny(DENIED_STATE_BUCKET_CHANGE_ACTIONS, [arn(partition, "s3", "", "", scope.stateBackend.bucketName)], {
      sid: "DenyStateBucketChanges",
    }),
  ];
  if (scope.stateBackend.kmsKeyArn)
    statements.push(deny(DENIED_STATE_KEY_CHANGE_ACTIONS, [scope.stateBackend.kmsKeyArn], { sid: "DenySecretsKeyChanges" }));
  return statements;
}
