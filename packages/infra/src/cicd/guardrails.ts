import * as aws from "@pulumi/aws";
import { policyDocument, renderPolicy, type AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { GitHubDeployRolesArgs } from "./args";
import { ciRoleNames } from "./validate";
import { guardrailStatements, type StageIamScope } from "./workload-boundary";

export interface GuardrailArgs {
  readonly roles: GitHubDeployRolesArgs;
  readonly env: AwsEnvironment;
}

/** The explicit denies every CI role of the account carries (managed policy, attached first to each). */
export function guardrailPolicy(scope: BuilderScope, { roles: args, env }: GuardrailArgs): aws.iam.Policy {
  return new aws.iam.Policy(
    `${scope.name}-guardrails`,
    {
      name: ciRoleNames(args.namePrefix).guardrails,
      description:
        "Explicit denies for the CI roles: no long-lived identities, no self-modification, no unbounded roles, no audit changes, stage Regions only",
      policy: renderPolicy(policyDocument(...guardrailStatements(iamScope(args), env.partition))),
      tags: scope.tags,
    },
    childOpts(scope),
  );
}

/** The stage's IAM footprint in this account, as the guardrails (and the workload boundary) protect it. */
export function iamScope(args: GitHubDeployRolesArgs): StageIamScope {
  return {
    namePrefix: args.namePrefix,
    accountId: args.accountId,
    allowedRegions: args.allowedRegions,
    ...(args.stateBackend
      ? {
          stateBackend: {
            bucketName: args.stateBackend.bucketName,
            ...(args.stateBackend.kmsKeyArn ? { kmsKeyArn: args.stateBackend.kmsKeyArn } : {}),
          },
        }
      : {}),
    ...(args.managedRoleNames?.length ? { managedRoleNames: args.managedRoleNames } : {}),
    ...(args.developerBoundary ? { developerBoundary: true } : {}),
  };
}
