import type * as aws from "@pulumi/aws";
import { allow } from "../iam";
import type { BuilderScope } from "../scope";
import { previewReadActions } from "./perms";
import { chainPolicies, ciRole, statePolicies, type RoleBuilderArgs } from "./role";

/**
 * The preview role (`pulumi preview` on pull requests): describe/get/list only, plus reading this
 * stack's state objects; it cannot decrypt stack secrets.
 */
export function previewRole(scope: BuilderScope, a: RoleBuilderArgs): aws.iam.Role {
  return ciRole(scope, {
    ...a,
    kind: "preview",
    description: "GitHub Actions: read-only pulumi preview for pull requests",
    managed: [
      { key: "read", statements: [allow(previewReadActions(a.roles.permissionGroups), ["*"], { sid: "DescribeManagedResources" })] },
    ],
    inline: [...chainPolicies(a.env, a.roles, "preview"), ...statePolicies(a.env, a.roles, "preview")],
  });
}
