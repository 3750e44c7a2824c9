import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as distributionPerms from "../distribution/perms";
import { allow, boundaryTags, policyDocument, renderPolicy, type Statement } from "../iam";
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

/** Physical name of the stage's developer boundary (the CI roles may create roles under it, never change it). */
export function developerBoundaryName(namePrefix: string): string {
  return physicalName("iamRole", [namePrefix, "developer-boundary"]);
}

/**
 * The boundary as a customer managed policy named `<prefix>-developer-boundary`, tagged as a permissions
 * boundary (`iam/boundary.ts`). CI may create and change roles under it but never the policy itself
 * (cicd guardrails). Child of `owner`, logical name `${name}-boundary`.
 */
export function developerBoundaryPolicy(
  owner: pulumi.Resource,
  name: string,
  namePrefix: string,
  tags?: Record<string, string>,
): aws.iam.Policy {
  return new aws.iam.Policy(
    `${name}-boundary`,
    {
      name: developerBoundaryName(namePrefix),
      description: "Permissions boundary of Claude Code developer sessions: model invocation, registry reads, quota checks only",
      policy: renderPolicy(policyDocument(...developerBoundaryStatements())),
      tags: boundaryTags(tags),
    },
    { parent: owner },
  );
}
