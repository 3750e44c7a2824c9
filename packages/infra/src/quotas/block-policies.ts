import { BLOCK_PLACEHOLDER_PATTERN, blockPolicyDocument } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import { physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";
import type { QuotaServiceArgs } from "./args";

/** `~` is not allowed in role session names: this matches nobody. */
export const NOBODY_BLOCKED = BLOCK_PLACEHOLDER_PATTERN;

/** The document a block policy starts with (the Lambda owns it afterwards). */
export function emptyBlockDocument(key: "session-name" | { principalTag: string }): string {
  return JSON.stringify(
    blockPolicyDocument([], key === "session-name" ? { kind: "session-name" } : { kind: "principal-tag", tag: key.principalTag }),
  );
}

/**
 * Deny policies attached to the user role; the aggregation rewrites their documents, so later
 * deployments ignore the document (`ignoreChanges`) instead of unblocking everyone.
 */
export function buildBlockPolicies(scope: BuilderScope, args: Pick<QuotaServiceArgs, "namePrefix" | "block">): aws.iam.Policy[] {
  const { name, tags } = scope;
  const policies: aws.iam.Policy[] = [];
  if (!args.block) return policies;
  for (let i = 0; i < args.block.policyCount; i++) {
    const policy = new aws.iam.Policy(
      `${name}-block-${i}`,
      {
        name: physicalName("iamRole", [args.namePrefix, "quota-block", String(i)]),
        description:
          "Denies Bedrock model invocation to users over a blocking quota. Rewritten every 15 minutes by the quota aggregation; do not edit.",
        policy: emptyBlockDocument(args.block.key),
        tags,
      },
      childOpts(scope, { ignoreChanges: ["policy"] }),
    );
    // An IdC permission set references the policies by name instead (no role to attach them to).
    if (args.block.roleName !== undefined)
      new aws.iam.RolePolicyAttachment(`${name}-block-${i}`, { role: args.block.roleName, policyArn: policy.arn }, childOpts(scope));
    policies.push(policy);
  }
  return policies;
}
