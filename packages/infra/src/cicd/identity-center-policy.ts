import { allow, type Statement } from "../iam";
import type { IdentityCenterDeployArgs } from "./args";
import { ACCOUNT_ASSIGNMENT_DEPLOY_ACTIONS, IDENTITY_CENTER_STATUS_ACTIONS, PERMISSION_SET_DEPLOY_ACTIONS } from "./perms";
import type { RolePolicy } from "./role";

/** Reads only (`Describe*`, `Get*`, `List*`): what the preview role may call. */
const READ = /^sso:(Describe|Get|List)/;

/**
 * The Identity Center policy of a CI role: the stage's instance, the permission sets under it (their id
 * is only known once created, hence `permissionSet/<instance id>/*`) and the accounts the stage assigns
 * them in. `kind: "preview"` keeps the reads. `undefined` when the account does not administer IdC for the stage.
 */
export function identityCenterPolicy(ic: IdentityCenterDeployArgs | undefined, kind: "deploy" | "preview"): RolePolicy | undefined {
  if (!ic) return undefined;
  // arn:<partition>:sso:::instance/<instance id> (validated by validateGitHubDeployRolesArgs)
  const [, partition, instanceId] = /^arn:([^:]+):sso:::instance\/(.+)$/.exec(ic.instanceArn) ?? [];
  const sets = `arn:${partition}:sso:::permissionSet/${instanceId}/*`;
  const accounts = ic.assignmentAccountIds.map((id) => `arn:${partition}:sso:::account/${id}`);
  const only = (actions: readonly string[]) => (kind === "deploy" ? [...actions] : actions.filter((a) => READ.test(a)));
  const statements: Statement[] = [
    allow(only(PERMISSION_SET_DEPLOY_ACTIONS), [ic.instanceArn, sets], { sid: "ManageStagePermissionSets" }),
    allow(only(ACCOUNT_ASSIGNMENT_DEPLOY_ACTIONS), [ic.instanceArn, sets, ...accounts], { sid: "AssignStagePermissionSets" }),
    allow(only(IDENTITY_CENTER_STATUS_ACTIONS), [ic.instanceArn], { sid: "ReadIdentityCenterRequestStatus" }),
  ].filter((s) => (s.Action?.length ?? 0) > 0);
  return { key: "identity-center", statements };
}
