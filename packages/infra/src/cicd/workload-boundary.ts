import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { analyticsSubscriptionRoleName } from "../analytics/analytics-pipeline";
import { developerBoundaryName } from "../federation/developer-boundary";
import { arn, awsEnvironment, boundaryTags, deny, oidcProviderArn, policyDocument, renderPolicy, type Statement } from "../iam";
import {
  BOUNDED_INLINE_POLICY_ACTIONS,
  BOUNDED_ROLE_WRITE_ACTIONS,
  DENIED_AUDIT_ACTIONS,
  DENIED_BOUNDARY_REMOVAL_ACTIONS,
  DENIED_CI_ROLE_CHANGE_ACTIONS,
  DENIED_LONG_LIVED_IDENTITY_ACTIONS,
  DENIED_OIDC_PROVIDER_CHANGE_ACTIONS,
  GLOBAL_SERVICE_ACTIONS,
  PASS_ROLE_ACTIONS,
  PASS_ROLE_SERVICES,
  POLICY_CHANGE_ACTIONS,
  POLICY_VERSION_ACTIONS,
  UNBOUNDED_ROLE_WRITE_ACTIONS,
} from "./perms";
import { GITHUB_OIDC_HOST } from "./validate";

/**
 * Delegated administration, as AWS documents it for principals that create roles: CI may create and
 * change a role only if the role carries one of the stage's permissions boundaries, and nobody below
 * an administrator may change, remove or replace those boundaries. A role CI creates can therefore
 * never do more than the boundary allows, whatever policy CI gives it and whoever may assume it.
 *
 * The **workload boundary** (one managed policy per account of the stage) is that ceiling for every
 * role the program creates except the developers' (which keeps the tighter developer boundary): it
 * allows everything except what the CI guardrails deny. It is a cap, never a grant: it is tagged as a
 * boundary and the security rule `iam-boundary-is-a-cap` checks it carries these denies and is never
 * attached to a role as a permission policy.
 */

/** The stage's IAM footprint in one account: what the guardrails and the workload boundary protect. */
export interface StageIamScope {
  /** Prefix of every role and policy the stage creates (`ccb-prod`). */
  readonly namePrefix: string;
  readonly accountId: string;
  /** Regions the stage acts in; everything else is denied (global services excepted). */
  readonly allowedRegions: readonly string[];
  /** Pulumi's self-managed backend: its bucket and secrets key are out of reach. */
  readonly stateBackend?: { readonly bucketName: string; readonly kmsKeyArn?: string };
  /**
   * Existing roles of this account (not the stage's) that the program only writes an inline policy to
   * (cross-account source roles). They carry no boundary of the stage, so their inline policy is the
   * one role write allowed without one.
   */
  readonly managedRoleNames?: readonly string[];
  /** The account holds the stage's developer boundary (the inference account): roles under it count as bounded. */
  readonly developerBoundary?: boolean;
}

/** Physical name of an account's workload boundary. */
export function workloadBoundaryName(namePrefix: string): string {
  return `${namePrefix}-workload-boundary`;
}

/** The boundaries a role must carry for CI to create or change it, in this account. */
export function stageBoundaryArns(partition: pulumi.Input<string>, scope: StageIamScope): pulumi.Output<string>[] {
  const policy = (name: string) => pulumi.interpolate`arn:${partition}:iam::${scope.accountId}:policy/${name}`;
  return [
    policy(workloadBoundaryName(scope.namePrefix)),
    ...(scope.developerBoundary ? [policy(developerBoundaryName(scope.namePrefix))] : []),
  ];
}

/**
 * Both boundary names, in every account: nothing below an administrator creates a policy under either
 * name (so no account gets a look-alike boundary) or changes one.
 */
function protectedBoundaryArns(partition: pulumi.Input<string>, scope: StageIamScope): pulumi.Output<string>[] {
  const policy = (name: string) => pulumi.interpolate`arn:${partition}:iam::${scope.accountId}:policy/${name}`;
  return [policy(workloadBoundaryName(scope.namePrefix)), policy(developerBoundaryName(scope.namePrefix))];
}

/**
 * Explicit denies for the CI roles (attached as their guardrail policy) and for every role under the
 * workload boundary. An explicit deny beats any allow, so they hold whatever is attached later.
 */
export function guardrailStatements(scope: StageIamScope, partition: pulumi.Input<string>): Statement[] {
  const iamArn = (resource: string) => pulumi.interpolate`arn:${partition}:iam::${scope.accountId}:${resource}`;
  const prefix = scope.namePrefix;
  const ciRoles = iamArn(`role/${prefix}-ci-*`);
  const ciPolicies = iamArn(`policy/${prefix}-ci-*`);
  const stageRoles = iamArn(`role/${prefix}-*`);
  const subscriptionRole = iamArn(`role/${analyticsSubscriptionRoleName(prefix)}`);
  const accepted = { StringNotEquals: { "iam:PermissionsBoundary": stageBoundaryArns(partition, scope) } };
  const namedRoles = (scope.managedRoleNames ?? []).map((n) => iamArn(`role/${n}`));
  const statements: Statement[] = [
    deny(DENIED_LONG_LIVED_IDENTITY_ACTIONS, ["*"], { sid: "DenyLongLivedIdentities" }),
    // CI cannot change who may act as CI or what CI may do: an administrator applies those changes.
    deny(DENIED_CI_ROLE_CHANGE_ACTIONS, [ciRoles], { sid: "DenyCiRoleChanges" }),
    deny(POLICY_CHANGE_ACTIONS, [ciPolicies], { sid: "DenyCiPolicyChanges" }),
    deny(DENIED_OIDC_PROVIDER_CHANGE_ACTIONS, [oidcProviderArn(partition, scope.accountId, GITHUB_OIDC_HOST)], {
      sid: "DenyGitHubProviderChanges",
    }),
    // The boundaries themselves: not rewritten, versioned, deleted, re-tagged, or created under their names.
    deny(POLICY_CHANGE_ACTIONS, protectedBoundaryArns(partition, scope), { sid: "DenyBoundaryPolicyChanges" }),
    deny(DENIED_BOUNDARY_REMOVAL_ACTIONS, ["*"], { sid: "DenyRemovingBoundaries" }),
    // No role without one of the stage's boundaries is created or given more (a missing key is "not equal": denied).
    deny(
      BOUNDED_ROLE_WRITE_ACTIONS.filter((a) => !BOUNDED_INLINE_POLICY_ACTIONS.includes(a)),
      ["*"],
      { sid: "DenyRoleWritesOutsideBoundaries", conditions: accepted },
    ),
    // The named existing roles (cross-account source roles) are the one exception, for their inline policy only.
    namedRoles.length
      ? {
          Sid: "DenyInlinePolicyWritesOutsideBoundaries",
          Effect: "Deny",
          Action: [...BOUNDED_INLINE_POLICY_ACTIONS],
          NotResource: namedRoles,
          Condition: accepted,
        }
      : deny(BOUNDED_INLINE_POLICY_ACTIONS, ["*"], { sid: "DenyInlinePolicyWritesOutsideBoundaries", conditions: accepted }),
    // What the deploy role's own allows never reach, stated for any principal under these denies:
    // other roles and policies of the account, and roles to assume or pass that are not the stage's.
    { Sid: "DenyRoleChangesOutsideStage", Effect: "Deny", Action: [...UNBOUNDED_ROLE_WRITE_ACTIONS], NotResource: [stageRoles] },
    {
      Sid: "DenyPolicyChangesOutsideStage",
      Effect: "Deny",
      Action: [...POLICY_VERSION_ACTIONS],
      NotResource: [iamArn(`policy/${prefix}-*`)],
    },
    {
      Sid: "DenyAssumingRolesOutsideStage",
      Effect: "Deny",
      Action: ["sts:AssumeRole"],
      NotResource: [pulumi.interpolate`arn:${partition}:iam::*:role/${prefix}-*`],
    },
    // A request without iam:PassedToService makes StringNotEquals true, so this denies it: right for every
    // role but the analytics subscription role, which PutSubscriptionFilter passes without the key. That
    // role is left out here (NotResource) and gets its own deny below: no service other than Logs.
    {
      Sid: "DenyPassRoleElsewhere",
      Effect: "Deny",
      Action: [...PASS_ROLE_ACTIONS],
      NotResource: [subscriptionRole],
      Condition: { StringNotEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
    },
    deny([...PASS_ROLE_ACTIONS], [subscriptionRole], {
      sid: "DenyPassingSubscriptionRoleElsewhere",
      conditions: { Null: { "iam:PassedToService": "false" }, StringNotEquals: { "iam:PassedToService": "logs.amazonaws.com" } },
    }),
    deny([...PASS_ROLE_ACTIONS], [ciRoles], { sid: "DenyPassingCiRoles" }),
    { Sid: "DenyPassingRolesOutsideStage", Effect: "Deny", Action: [...PASS_ROLE_ACTIONS], NotResource: [stageRoles] },
    deny(DENIED_AUDIT_ACTIONS, ["*"], { sid: "DenyAuditAndAccountChanges" }),
    {
      Sid: "DenyOutsideStageRegions",
      Effect: "Deny",
      NotAction: [...GLOBAL_SERVICE_ACTIONS],
      Resource: ["*"],
      Condition: { StringNotEquals: { "aws:RequestedRegion": [...new Set(scope.allowedRegions)] } },
    },
  ];
  if (scope.stateBackend) {
    const bucket = arn(partition, "s3", "", "", scope.stateBackend.bucketName);
    statements.push(
      deny(
        ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration"],
        [bucket],
        { sid: "DenyStateBucketChanges" },
      ),
    );
    if (scope.stateBackend.kmsKeyArn) {
      statements.push(
        deny(["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"], [scope.stateBackend.kmsKeyArn], {
          sid: "DenySecretsKeyChanges",
        }),
      );
    }
  }
  return statements;
}

/** The Sid of the boundary's one Allow: everything, capped by the denies beside it. */
export const BOUNDARY_CAP_SID = "CapAtTheGuardrails";

/**
 * The workload boundary: allow everything, deny what the guardrails deny. As a boundary it grants
 * nothing; it only bounds what the role's own policies grant.
 */
export function workloadBoundaryStatements(scope: StageIamScope, partition: pulumi.Input<string>): Statement[] {
  return [{ Sid: BOUNDARY_CAP_SID, Effect: "Allow", Action: ["*"], Resource: ["*"] }, ...guardrailStatements(scope, partition)];
}

export interface WorkloadBoundaryArgs extends StageIamScope {
  readonly tags?: Record<string, string>;
}

/**
 * The workload permissions boundary of one account: a managed policy `<prefix>-workload-boundary`,
 * tagged as a boundary. Create it with the account's provider before the roles that carry it (pass
 * `arn` as their `permissionsBoundaryArn`), whether or not the stage uses CI.
 */
export class WorkloadBoundary extends pulumi.ComponentResource {
  readonly policy: aws.iam.Policy;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: WorkloadBoundaryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:cicd:WorkloadBoundary", name, {}, opts);
    const problems = validateWorkloadBoundaryArgs(args);
    if (problems.length) throw new Error(`WorkloadBoundary ${name}: ${problems.join("; ")}`);
    const env = awsEnvironment(this);
    this.policy = new aws.iam.Policy(
      `${name}-policy`,
      {
        name: workloadBoundaryName(args.namePrefix),
        description:
          "Permissions boundary of every role the stage creates: nothing the CI guardrails deny, whatever the role's own policies say",
        policy: renderPolicy(policyDocument(...workloadBoundaryStatements(args, env.partition))),
        tags: boundaryTags(args.tags),
      },
      { parent: this },
    );
    this.arn = this.policy.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

export function validateWorkloadBoundaryArgs(a: WorkloadBoundaryArgs): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(a.namePrefix)) problems.push("`namePrefix` must be 2–41 lower-case letters, digits and dashes");
  if (!/^\d{12}$/.test(a.accountId)) problems.push(`\`accountId\` "${a.accountId}" must be 12 digits`);
  if (a.allowedRegions.length === 0) problems.push("`allowedRegions` needs the stage's Region");
  for (const n of a.managedRoleNames ?? [])
    if (!/^[\w+=,.@-]{1,64}$/.test(n)) problems.push(`\`managedRoleNames\`: "${n}" is not an IAM role name (no wildcards)`);
  return problems;
}
