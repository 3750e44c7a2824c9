import { svc } from "./common";

/**
 * Guardrails: explicit denies attached to every CI role. An explicit deny beats any allow, so they
 * hold even if someone later attaches a broader policy, and the roles cannot lift them themselves.
 */
/** Identities that outlive a CI run: never created by CI. */
export const DENIED_LONG_LIVED_IDENTITY_ACTIONS = svc("iam", [
  "AttachGroupPolicy",
  "AttachUserPolicy",
  "CreateAccessKey",
  "CreateGroup",
  "CreateLoginProfile",
  "CreateUser",
  "CreateVirtualMFADevice",
  "PutGroupPolicy",
  "PutUserPolicy",
  "UpdateAccessKey",
  "UpdateLoginProfile",
  "AddUserToGroup",
  "CreateServiceSpecificCredential",
  "UploadSSHPublicKey",
  "UploadSigningCertificate",
]);
/** Changing who may act as CI, or lifting its guardrails, needs an administrator (see docs/ci-cd.md). */
export const DENIED_CI_ROLE_CHANGE_ACTIONS = svc("iam", [
  "AttachRolePolicy",
  "CreateRole",
  "DeleteRole",
  "DeleteRolePermissionsBoundary",
  "DeleteRolePolicy",
  "DetachRolePolicy",
  "PutRolePermissionsBoundary",
  "PutRolePolicy",
  "TagRole",
  "UntagRole",
  "UpdateAssumeRolePolicy",
  "UpdateRole",
  "UpdateRoleDescription",
]);
export const DENIED_OIDC_PROVIDER_CHANGE_ACTIONS = svc("iam", [
  "AddClientIDToOpenIDConnectProvider",
  "DeleteOpenIDConnectProvider",
  "RemoveClientIDFromOpenIDConnectProvider",
  "TagOpenIDConnectProvider",
  "UntagOpenIDConnectProvider",
  "UpdateOpenIDConnectProviderThumbprint",
]);
/** A boundary, once set, stays: removing it would lift the ceiling. */
export const DENIED_BOUNDARY_REMOVAL_ACTIONS = svc("iam", ["DeleteRolePermissionsBoundary"]);
/** Audit and account-wide settings stay out of CI's reach. */
export const DENIED_AUDIT_ACTIONS = [
  ...svc("cloudtrail", ["DeleteTrail", "PutEventSelectors", "StopLogging", "UpdateTrail"]),
  ...svc("guardduty", ["DeleteDetector", "DisassociateFromMasterAccount", "UpdateDetector"]),
  ...svc("config", ["DeleteConfigurationRecorder", "DeleteDeliveryChannel", "StopConfigurationRecorder"]),
  "organizations:*",
  "account:*",
];
/** Global services exempt from the Region guard (their calls go to one Region whatever the stage; Data Exports and Cost Explorer answer in us-east-1 only). */
export const GLOBAL_SERVICE_ACTIONS = [
  "iam:*",
  "sts:*",
  "organizations:*",
  "account:*",
  "cloudfront:*",
  "route53:*",
  "support:*",
  "bcm-data-exports:*",
  "ce:*",
] as const;
/** Assuming roles: only the stage's own (role chaining between the stage's accounts). */
export const DENIED_ASSUME_ROLE_ACTIONS = ["sts:AssumeRole"] as const;
/** The Pulumi state bucket keeps its policy, versioning and lifecycle. */
export const DENIED_STATE_BUCKET_CHANGE_ACTIONS = [
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
] as const;
/** The secrets provider's key stays usable: not disabled, re-policied or scheduled for deletion. */
export const DENIED_STATE_KEY_CHANGE_ACTIONS = ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"] as const;
