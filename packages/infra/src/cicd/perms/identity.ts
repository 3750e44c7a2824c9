/** Deploy actions of the identity group: IAM (split by what each statement may touch), PassRole, service-linked roles, KMS and Cognito identity pools. */
import { svc } from "./common";

/**
 * IAM, split by what the statement may touch: writes to roles and policies only for names with the
 * stage's prefix (every role and policy the program declares has it: Pulumi autonames from the
 * logical name, which starts with `<namePrefix>-`; a stack test keeps it so); existing roles the
 * program puts an inline policy on (cross-account source roles) get only `MANAGED_ROLE_INLINE_POLICY_ACTIONS`. Attaching managed policies is limited
 * to the stage's own and AWS service-role policies: never AdministratorAccess.
 */
export const IAM_ROLE_WRITE_ACTIONS = svc("iam", [
  "AttachRolePolicy",
  "CreateRole",
  "DeleteRole",
  "DeleteRolePolicy",
  "DetachRolePolicy",
  "PutRolePolicy",
  "TagRole",
  "UntagRole",
  "UpdateAssumeRolePolicy",
  "UpdateRole",
  "UpdateRoleDescription",
  // Every role the program creates carries one of the stage's permissions boundaries (workload-boundary.ts).
  "PutRolePermissionsBoundary",
]);
/**
 * The role writes that can give a role more than it had: CI may make them only on a role that carries
 * one of the stage's permissions boundaries (`iam:PermissionsBoundary`, delegated administration as AWS
 * documents it). The service authorization reference lists the key for each of them: for
 * `PutRolePermissionsBoundary` it is the boundary being set, for the others the role's current one, so
 * a role without a boundary (or with another) can neither be created nor changed. The other role writes
 * cannot grant: `DeleteRole`, `UpdateRole` and `UpdateRoleDescription` (the key exists but deleting or
 * re-describing grants nothing, and roles made before boundaries existed must stay deletable) and
 * `TagRole`/`UntagRole` (no such key) stay limited by resource to the stage's `<prefix>-*` roles.
 */
export const BOUNDED_ROLE_WRITE_ACTIONS = svc("iam", [
  "AttachRolePolicy",
  "CreateRole",
  "DeleteRolePolicy",
  "DetachRolePolicy",
  "PutRolePermissionsBoundary",
  "PutRolePolicy",
  "UpdateAssumeRolePolicy",
]);
/** The inline-policy writes among them (the only ones CI makes on the named existing roles of `managedRoleNames`). */
export const BOUNDED_INLINE_POLICY_ACTIONS = svc("iam", ["DeleteRolePolicy", "PutRolePolicy"]);
/** Role writes that cannot grant, denied on roles outside the stage (a boundary's `*` would otherwise reach them). */
export const UNBOUNDED_ROLE_WRITE_ACTIONS = svc("iam", ["DeleteRole", "TagRole", "UntagRole", "UpdateRole", "UpdateRoleDescription"]);
/** Writes to a managed policy (and creating one under its name): never by CI on a CI policy or a boundary. */
export const POLICY_CHANGE_ACTIONS = svc("iam", [
  "CreatePolicy",
  "CreatePolicyVersion",
  "DeletePolicy",
  "DeletePolicyVersion",
  "SetDefaultPolicyVersion",
  "TagPolicy",
  "UntagPolicy",
]);
/** Changing what an existing managed policy grants: only the stage's own policies. */
export const POLICY_VERSION_ACTIONS = svc("iam", ["CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion", "SetDefaultPolicyVersion"]);
/**
 * Existing roles (`managedRoleNames`, e.g. cross-account source roles) the program only puts an inline
 * policy on: that policy's put, delete and read. No trust, attachment, update or delete of the role.
 */
export const MANAGED_ROLE_INLINE_POLICY_ACTIONS = svc("iam", ["DeleteRolePolicy", "GetRolePolicy", "PutRolePolicy"]);
export const IAM_POLICY_WRITE_ACTIONS = svc("iam", [
  "CreatePolicy",
  "CreatePolicyVersion",
  "DeletePolicy",
  "DeletePolicyVersion",
  "TagPolicy",
  "UntagPolicy",
]);
export const IAM_OIDC_WRITE_ACTIONS = svc("iam", [
  "AddClientIDToOpenIDConnectProvider",
  "CreateOpenIDConnectProvider",
  "DeleteOpenIDConnectProvider",
  "RemoveClientIDFromOpenIDConnectProvider",
  "TagOpenIDConnectProvider",
  "UntagOpenIDConnectProvider",
  "UpdateOpenIDConnectProviderThumbprint",
]);
export const IAM_READ_ACTIONS = svc("iam", [
  "GetOpenIDConnectProvider",
  "GetPolicy",
  "GetPolicyVersion",
  "GetRole",
  "GetRolePolicy",
  "ListAttachedRolePolicies",
  "ListInstanceProfilesForRole",
  "ListOpenIDConnectProviderTags",
  "ListOpenIDConnectProviders",
  "ListPolicyTags",
  "ListPolicyVersions",
  "ListRolePolicies",
  "ListRoleTags",
]);
export const IAM_DEPLOY_ACTIONS = [...IAM_ROLE_WRITE_ACTIONS, ...IAM_POLICY_WRITE_ACTIONS, ...IAM_OIDC_WRITE_ACTIONS, ...IAM_READ_ACTIONS];

/** Passing roles to the services that run the program's code; restricted by `iam:PassedToService`. */
export const PASS_ROLE_ACTIONS = ["iam:PassRole"] as const;
/** Services the deploy role may pass roles to. */
export const PASS_ROLE_SERVICES = [
  "bedrock.amazonaws.com",
  "ecs-tasks.amazonaws.com",
  "firehose.amazonaws.com",
  "lambda.amazonaws.com",
  "scheduler.amazonaws.com",
  "events.amazonaws.com",
  "cognito-identity.amazonaws.com",
  "glue.amazonaws.com",
  "apigateway.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
] as const;
/** Service-linked roles AWS creates on first use of these services. */
export const SERVICE_LINKED_ROLE_ACTIONS = ["iam:CreateServiceLinkedRole"] as const;
export const SERVICE_LINKED_ROLE_SERVICES = [
  "ecs.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
] as const;

export const KMS_DEPLOY_ACTIONS = svc("kms", [
  "CreateAlias",
  "CreateKey",
  "DeleteAlias",
  "DescribeKey",
  "EnableKeyRotation",
  "GetKeyPolicy",
  "GetKeyRotationStatus",
  "ListAliases",
  "ListResourceTags",
  "PutKeyPolicy",
  "ScheduleKeyDeletion",
  "TagResource",
  "UntagResource",
  "UpdateAlias",
  "UpdateKeyDescription",
]);
/**
 * Key use on the caller's behalf when a service creates an encrypted resource (a DynamoDB table, a
 * Lambda function's environment, a log group): only through those services (`kms:ViaService`), and
 * grants only for AWS resources. The deploy role cannot decrypt data itself.
 */
export const KMS_VIA_SERVICE_ACTIONS = svc("kms", ["Decrypt", "GenerateDataKey"]);
export const KMS_GRANT_ACTIONS = svc("kms", ["CreateGrant"]);
export const KMS_VIA_SERVICES = ["dynamodb", "firehose", "lambda", "logs", "s3", "sns"] as const;

export const COGNITO_DEPLOY_ACTIONS = svc("cognito-identity", [
  "CreateIdentityPool",
  "DeleteIdentityPool",
  "DescribeIdentityPool",
  "GetIdentityPoolRoles",
  "ListTagsForResource",
  "SetIdentityPoolRoles",
  "TagResource",
  "UntagResource",
  "UpdateIdentityPool",
]);
