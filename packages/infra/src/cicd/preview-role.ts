import type * as aws from "@pulumi/aws";
import { allow } from "../iam";
import type { BuilderScope } from "../scope";
import { identityCenterPolicy } from "./identity-center-policy";
import { previewReadActions } from "./perms";
import { chainPolicies, ciRole, statePolicies, type RoleBuilderArgs } from "./role";

/**
 * The preview role (`pulumi preview` on pull requests): describe/get/list only, plus reading this
 * stack's state objects; it cannot decrypt stack secrets.
 */
export function previewRole(scope: BuilderScope, a: RoleBuilderArgs): aws.iam.Role {
  // An account with no service group (the IdC administrator) has nothing for the read policy to list.
  const reads = previewReadActions(a.roles.permissionGroups);
  return ciRole(scope, {
    ...a,
    kind: "preview",
    description: "GitHub Actions: read-only pulumi preview for pull requests",
    managed: [
      ...(reads.length ? [{ key: "read", statements: [allow(reads, ["*"], { sid: "DescribeManagedResources" })] }] : []),
      // A refresh reads the permission set and its assignments; only in the account that administers IdC.
      ...[identityCenterPolicy(a.roles.identityCenter, "preview")].filter((p) => p !== undefined),
    ],
    inline: [...chainPolicies(a.env, a.roles, "preview"), ...statePolicies(a.env, a.roles, "preview")],
  });
}
