import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountRootArn, accountTrustStatement, allow, awsEnvironment, policyDocument, renderPolicy, type Statement } from "../iam";
import { physicalName } from "../naming";
import { ACCOUNT_ID } from "../naming/patterns";

export interface CrossAccountRoleArgs {
  /** Physical role name (callers in other accounts reference it, so it is stable). */
  readonly roleName: string;
  /** Accounts whose principals may assume the role. */
  readonly sourceAccountIds: readonly string[];
  /** The caller must belong to this AWS Organization (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
  /** The caller must pass this external id (`sts:ExternalId`). */
  readonly externalId?: pulumi.Input<string>;
  /**
   * Roles in the source accounts allowed to assume (names). The trust admits exactly these role ARNs
   * (`aws:PrincipalArn`), so an administrator elsewhere in a source account cannot borrow the role.
   */
  readonly sourceRoleNames?: readonly string[];
  /** Further caller ARN patterns, e.g. IAM Identity Center permission-set roles. */
  readonly principalArnPatterns?: readonly string[];
  /** Statements the role gets: model invocation only (from `InferenceAccount.modelAccessStatements()`). */
  readonly permissions: readonly Statement[];
  /** @default 1 hour: workloads refresh; nobody needs a long session here. */
  readonly maxSessionHours?: number;
  readonly tags?: Record<string, string>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export function validateCrossAccountRoleArgs(args: CrossAccountRoleArgs): string[] {
  const problems: string[] = [];
  if (args.sourceAccountIds.length === 0) problems.push("`sourceAccountIds` needs at least one account");
  for (const id of args.sourceAccountIds)
    if (!ACCOUNT_ID.test(id)) problems.push(`\`sourceAccountIds\`: "${id}" is not a 12-digit account id`);
  if (!args.organizationId && args.externalId === undefined)
    problems.push("set `organizationId` or `externalId`: trust of another account needs one of them");
  if (args.permissions.length === 0) problems.push("`permissions` is empty");
  const allowed = args.permissions.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action ?? []);
  const notInvoke = allowed.filter((a) => !a.startsWith("bedrock:"));
  if (notInvoke.length) problems.push(`cross-account roles grant Bedrock actions only, not ${notInvoke.join(", ")}`);
  const hours = args.maxSessionHours ?? 1;
  if (!Number.isInteger(hours) || hours < 1 || hours > 12) problems.push("`maxSessionHours` must be 1–12");
  return problems;
}

/**
 * A restricted, invoke-only role in the inference account for principals of development and
 * workload accounts. Its trust names each source account and requires the organization or an
 * external id; the source side gets the matching `sts:AssumeRole` through `grantAssumeFrom`.
 * Workloads use their own role (and so their own CloudTrail identity) instead of developers'.
 */
export class CrossAccountRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  private readonly name: string;

  constructor(name: string, args: CrossAccountRoleArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:cross-account:CrossAccountRole", name, {}, opts);
    const problems = validateCrossAccountRoleArgs(args);
    if (problems.length) throw new Error(`CrossAccountRole ${name}: ${problems.join("; ")}`);
    this.name = name;
    const env = awsEnvironment(this);
    const callerArns = [
      ...args.sourceAccountIds.flatMap((id) =>
        (args.sourceRoleNames ?? []).map((role) => pulumi.interpolate`arn:${env.partition}:iam::${id}:role/${role}`),
      ),
      ...(args.principalArnPatterns ?? []),
    ];
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: physicalName("iamRole", [args.roleName]),
        description: "Invoke-only access to Claude models for workloads in other accounts",
        assumeRolePolicy: renderPolicy(
          policyDocument(
            accountTrustStatement({
              principals: args.sourceAccountIds.map((id) => accountRootArn(env.partition, id)),
              ...(args.organizationId ? { organizationId: args.organizationId } : {}),
              ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
              ...(callerArns.length ? { principalArnPatterns: callerArns } : {}),
            }),
          ),
        ),
        maxSessionDuration: (args.maxSessionHours ?? 1) * 3600,
        permissionsBoundary: args.permissionsBoundaryArn,
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-invoke`,
      { role: this.role.name, policy: renderPolicy(policyDocument(...args.permissions)) },
      { parent: this },
    );
    this.roleArn = this.role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }

  /**
   * The source side: lets an existing role in a source account assume this role. `provider` is the
   * source account's provider; the policy is a child of this component for lifecycle.
   */
  grantAssumeFrom(key: string, roleName: pulumi.Input<string>, provider: aws.Provider): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${this.name}-assume-from-${key}`,
      {
        role: roleName,
        policy: renderPolicy(policyDocument(allow(["sts:AssumeRole"], [this.roleArn], { sid: "AssumeInferenceRole" }))),
      },
      { parent: this, provider },
    );
  }
}
