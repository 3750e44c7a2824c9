/**
 * Deploy actions for an IAM Identity Center stage: the permission set, its inline policy, boundary and
 * customer managed policy references, and its group assignments (`federation/IdentityCenterAccess`).
 * IAM Identity Center's service prefix is `sso` (the API is `sso-admin`). Split by the resource types
 * the Service Authorization Reference lists for each action, so every statement names the instance,
 * the permission sets under it and, for assignments and provisioning, the assigned account.
 *
 * No `identitystore:` action: the stage names its groups by id (`identityCenter.groupIds`), so a deploy
 * never reads the identity store; the token endpoint's own role reads user attributes at run time.
 */
import { svc } from "./common";

/** Resource types Instance and PermissionSet (both required, tagging optional): the permission set and what it carries. */
export const PERMISSION_SET_DEPLOY_ACTIONS = svc("sso", [
  "AttachCustomerManagedPolicyReferenceToPermissionSet",
  "CreatePermissionSet",
  "DeleteInlinePolicyFromPermissionSet",
  "DeletePermissionSet",
  "DeletePermissionsBoundaryFromPermissionSet",
  "DescribePermissionSet",
  "DetachCustomerManagedPolicyReferenceFromPermissionSet",
  "GetInlinePolicyForPermissionSet",
  "GetPermissionsBoundaryForPermissionSet",
  "ListAccountsForProvisionedPermissionSet",
  "ListCustomerManagedPolicyReferencesInPermissionSet",
  "ListTagsForResource",
  "PutInlinePolicyToPermissionSet",
  "PutPermissionsBoundaryToPermissionSet",
  "TagResource",
  "UntagResource",
  "UpdatePermissionSet",
]);
/** Resource types Account, Instance and PermissionSet (all required): assignments and re-provisioning in the assigned account. */
export const ACCOUNT_ASSIGNMENT_DEPLOY_ACTIONS = svc("sso", [
  "CreateAccountAssignment",
  "DeleteAccountAssignment",
  "ListAccountAssignments",
  "ProvisionPermissionSet",
]);
/** Resource type Instance only: the asynchronous status the provider polls after each write. */
export const IDENTITY_CENTER_STATUS_ACTIONS = svc("sso", [
  "DescribeAccountAssignmentCreationStatus",
  "DescribeAccountAssignmentDeletionStatus",
  "DescribePermissionSetProvisioningStatus",
]);
/** Every action above: what an Identity Center stage adds to its deploy role. */
export const IDENTITY_CENTER_DEPLOY_ACTIONS: readonly string[] = [
  ...PERMISSION_SET_DEPLOY_ACTIONS,
  ...ACCOUNT_ASSIGNMENT_DEPLOY_ACTIONS,
  ...IDENTITY_CENTER_STATUS_ACTIONS,
];
