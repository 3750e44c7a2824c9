import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as distributionPerms from "../distribution/perms";
import { allow, policyDocument, renderPolicy, type Statement } from "../iam";
import * as inferencePerms from "../inference/perms";
import { physicalName } from "../naming";
import * as quotaPerms from "../quotas/perms";

/**
 * Everything a developer's role session may ever do: invoke models through the stage's profiles,
 * read the helper from the internal registry, and ask the quota check API. Used as the permissions
 * boundary of the federated role, it caps whatever is attached to that role later, including the
 * quota deny policies that the aggregation Lambda rewrites (IAM's `CreatePolicyVersion` needs no other
 * permission, so a compromised function could otherwise turn a deny into an allow for every developer).
 * The grants themselves stay resource-scoped; the boundary only sets the ceiling.
 */
export const DEVELOPER_BOUNDARY_ACTIONS: readonly string[] = [
  ...new Set<string>([
    ...inferencePerms.MODEL_INVOKE_ACTIONS,
    ...inferencePerms.PROFILE_READ_ACTIONS,
    ...inferencePerms.PROFILE_LIST_ACTIONS,
    ...distributionPerms.TOKEN_ACTIONS,
    ...distributionPerms.BEARER_TOKEN_ACTIONS,
    ...distributionPerms.READER_ACTIONS,
    ...quotaPerms.INVOKE_API_ACTIONS,
  ]),
].sort();

export function developerBoundaryStatements(): Statement[] {
  return [allow(DEVELOPER_BOUNDARY_ACTIONS, ["*"], { sid: "DeveloperSessionCeiling" })];
}

/**
 * The boundary as a customer managed policy named `<prefix>-developer-boundary` (the stage prefix keeps
 * it inside what the CI deploy role may manage). Child of `owner`, logical name `${name}-boundary`.
 */
export function developerBoundaryPolicy(owner: pulumi.Resource, name: string, namePrefix: string, tags?: Record<string, string>): aws.iam.Policy {
  return new aws.iam.Policy(`${name}-boundary`, {
    name: physicalName("iamRole", [namePrefix, "developer-boundary"]),
    description: "Permissions boundary of Claude Code developer sessions: model invocation, registry reads, quota checks only",
    policy: renderPolicy(policyDocument(...developerBoundaryStatements())),
    ...(tags ? { tags } : {}),
  }, { parent: owner });
}
