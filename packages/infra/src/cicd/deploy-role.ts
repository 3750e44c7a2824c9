import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { analyticsSubscriptionRoleName } from "../analytics/analytics-pipeline";
import { PRICING_OBJECT_KEY } from "../analytics/schema";
import { allow, type AwsEnvironment, type Statement } from "../iam";
import type { BuilderScope } from "../scope";
import type { GitHubDeployRolesArgs } from "./args";
import { iamScope } from "./guardrails";
import { identityCenterPolicy } from "./identity-center-policy";
import {
  APIGATEWAY_DEPLOY_ACTIONS,
  BOUNDED_ROLE_WRITE_ACTIONS,
  DEPLOY_GROUPS,
  IAM_OIDC_WRITE_ACTIONS,
  IAM_POLICY_WRITE_ACTIONS,
  IAM_READ_ACTIONS,
  IAM_ROLE_WRITE_ACTIONS,
  KMS_GRANT_ACTIONS,
  KMS_VIA_SERVICE_ACTIONS,
  KMS_VIA_SERVICES,
  MANAGED_ROLE_INLINE_POLICY_ACTIONS,
  PASS_ROLE_ACTIONS,
  PASS_ROLE_SERVICES,
  PRICING_TABLE_WRITE_ACTIONS,
  SERVICE_LINKED_ROLE_ACTIONS,
  SERVICE_LINKED_ROLE_SERVICES,
} from "./perms";
import { chainPolicies, ciRole, statePolicies, type RoleBuilderArgs, type RolePolicy } from "./role";
import { stageBoundaryArns } from "./workload-boundary";

/**
 * The deploy role (`pulumi up`): the service-scoped action lists of `perms/` (no `*`), one managed
 * policy per permission group; roles it creates or changes must carry one of the stage's boundaries.
 */
export function deployRole(scope: BuilderScope, a: RoleBuilderArgs): aws.iam.Role {
  return ciRole(scope, {
    ...a,
    kind: "deploy",
    description: "GitHub Actions: pulumi up for this stage (main branch / protected environment only)",
    managed: [...deployGroupStatements(a.env, a.roles), ...optional(identityCenterPolicy(a.roles.identityCenter, "deploy"))],
    inline: [...chainPolicies(a.env, a.roles, "deploy"), ...statePolicies(a.env, a.roles, "deploy")],
  });
}

const optional = <T>(v: T | undefined): T[] => (v === undefined ? [] : [v]);

/** Actions that get their own, narrower statement instead of the group's `Resource: *` one. */
const SCOPED_ACTIONS = new Set<string>([
  ...IAM_ROLE_WRITE_ACTIONS,
  ...IAM_POLICY_WRITE_ACTIONS,
  ...IAM_OIDC_WRITE_ACTIONS,
  ...KMS_VIA_SERVICE_ACTIONS,
  ...KMS_GRANT_ACTIONS,
  ...APIGATEWAY_DEPLOY_ACTIONS,
]);

/** ARN of an IAM resource (role, policy, OIDC provider) in the stage's account. */
type IamArn = (resource: string) => pulumi.Output<string>;

interface GroupContext {
  readonly env: AwsEnvironment;
  readonly args: GitHubDeployRolesArgs;
  readonly iamArn: IamArn;
  /** The permission groups this stage deploys. */
  readonly wanted: readonly string[];
}

/** The deploy role's managed policies: one per permission group, with resources and conditions where IAM allows them. */
function deployGroupStatements(env: AwsEnvironment, args: GitHubDeployRolesArgs): RolePolicy[] {
  const iamArn: IamArn = (resource) => pulumi.interpolate`arn:${env.partition}:iam::${args.accountId}:${resource}`;
  const wanted = args.permissionGroups ?? DEPLOY_GROUPS.map((g) => g.key);
  const ctx: GroupContext = { env, args, iamArn, wanted };
  return DEPLOY_GROUPS.filter((g) => wanted.includes(g.key)).map((g) => {
    const plain = g.actions.filter((a) => !SCOPED_ACTIONS.has(a));
    const sid = `Manage${g.key[0]!.toUpperCase()}${g.key.slice(1)}`;
    const statements: Statement[] =
      g.key === "identity" ? identityStatements(ctx, plain, sid) : plain.length ? [allow(plain, ["*"], { sid })] : [];
    if (g.key === "data") statements.push(pricingTableStatement(ctx));
    if (g.actions.some((a) => a.startsWith("apigateway:"))) statements.push(httpApiStatement(ctx));
    return { key: g.key, statements };
  });
}

/** The identity group: its non-IAM actions, IAM reads, then every IAM and KMS write with its narrower resource or condition. */
function identityStatements(ctx: GroupContext, plain: readonly string[], sid: string): Statement[] {
  return [
    allow(
      plain.filter((a) => !a.startsWith("iam:")),
      ["*"],
      { sid },
    ),
    allow(IAM_READ_ACTIONS, ["*"], { sid: "ReadIam" }),
    ...stageRoleStatements(ctx),
    allow(IAM_POLICY_WRITE_ACTIONS, [ctx.iamArn(`policy/${ctx.args.namePrefix}-*`)], { sid: "ManageStagePolicies" }),
    allow(IAM_OIDC_WRITE_ACTIONS, [ctx.iamArn("oidc-provider/*")], { sid: "ManageOidcProviders" }),
    ...passRoleStatements(ctx),
    ...keyUseStatements(ctx),
  ];
}

/** Writes to the stage's roles: the ones that can give a role more only under one of the stage's boundaries. */
function stageRoleStatements({ env, args, iamArn }: GroupContext): Statement[] {
  const roles = [iamArn(`role/${args.namePrefix}-*`)];
  // Delegated administration: every write that can give a role more requires the role to carry one of
  // the stage's permissions boundaries, so whatever CI writes into a role, the boundary caps it.
  const bounded = { StringEquals: { "iam:PermissionsBoundary": stageBoundaryArns(env.partition, iamScope(args)) } };
  const statements: Statement[] = [
    allow(
      IAM_ROLE_WRITE_ACTIONS.filter((a) => !BOUNDED_ROLE_WRITE_ACTIONS.includes(a)),
      roles,
      { sid: "ManageStageRoles" },
    ),
    allow(
      BOUNDED_ROLE_WRITE_ACTIONS.filter((a) => a !== "iam:AttachRolePolicy"),
      roles,
      { sid: "ManageStageRolesUnderBoundaries", conditions: bounded },
    ),
  ];
  // Existing roles the program only adds an inline policy to (`CrossAccountRole.grantAssumeFrom`):
  // that policy and nothing else; their trust, attachments and lifecycle stay their owners'. They
  // are not the stage's and carry no boundary of it: the one role write CI makes without one.
  const managed = (args.managedRoleNames ?? []).map((n) => iamArn(`role/${n}`));
  if (managed.length) statements.push(allow([...MANAGED_ROLE_INLINE_POLICY_ACTIONS], managed, { sid: "ManageInlinePoliciesOfNamedRoles" }));
  statements.push(
    allow(["iam:AttachRolePolicy"], roles, {
      sid: "AttachStageOrServicePolicies",
      conditions: {
        ArnLike: {
          "iam:PolicyARN": [iamArn(`policy/${args.namePrefix}-*`), pulumi.interpolate`arn:${env.partition}:iam::aws:policy/service-role/*`],
        },
        ...bounded,
      },
    }),
  );
  return statements;
}

/** Passing the stage's roles to the services the program configures, and creating their service-linked roles. */
function passRoleStatements({ args, iamArn, wanted }: GroupContext): Statement[] {
  const statements: Statement[] = [
    allow([...PASS_ROLE_ACTIONS], [iamArn(`role/${args.namePrefix}-*`)], {
      sid: "PassStageRolesToProgramServices",
      conditions: { StringEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
    }),
  ];
  if (wanted.includes("observability")) {
    // CloudWatch Logs' PutSubscriptionFilter checks PassRole without iam:PassedToService: this one role, unconditioned.
    statements.push(
      allow([...PASS_ROLE_ACTIONS], [iamArn(`role/${analyticsSubscriptionRoleName(args.namePrefix)}`)], {
        sid: "PassLogsSubscriptionRole",
      }),
    );
  }
  statements.push(
    allow([...SERVICE_LINKED_ROLE_ACTIONS], [iamArn("role/aws-service-role/*")], {
      sid: "ServiceLinkedRoles",
      conditions: { StringEquals: { "iam:AWSServiceName": [...SERVICE_LINKED_ROLE_SERVICES] } },
    }),
  );
  return statements;
}

/** KMS use only through the services that encrypt the stage's data, in its Regions, and grants only for AWS resources. */
function keyUseStatements({ args }: GroupContext): Statement[] {
  return [
    allow(KMS_VIA_SERVICE_ACTIONS, ["*"], {
      sid: "UseKeysThroughServices",
      conditions: {
        StringEquals: { "kms:ViaService": args.allowedRegions.flatMap((r) => KMS_VIA_SERVICES.map((svc) => `${svc}.${r}.amazonaws.com`)) },
      },
    }),
    allow(KMS_GRANT_ACTIONS, ["*"], { sid: "GrantsForAwsResources", conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } } }),
  ];
}

/** The one object the program writes itself: the analytics pricing table, in a bucket of the stage. */
function pricingTableStatement({ env, args }: GroupContext): Statement {
  return allow(
    [...PRICING_TABLE_WRITE_ACTIONS],
    [pulumi.interpolate`arn:${env.partition}:s3:::${args.namePrefix}-*/${PRICING_OBJECT_KEY}`],
    { sid: "WriteAnalyticsPricingTable" },
  );
}

/** API Gateway authorises by verb on a path: only the HTTP APIs and their tags. */
function httpApiStatement({ env, args }: GroupContext): Statement {
  const paths = args.allowedRegions.flatMap((r) =>
    ["/apis", "/apis/*", "/tags/*"].map((p) => pulumi.interpolate`arn:${env.partition}:apigateway:${r}::${p}`),
  );
  return allow([...APIGATEWAY_DEPLOY_ACTIONS], paths, { sid: "ManageHttpApis" });
}
