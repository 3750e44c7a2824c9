import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { analyticsSubscriptionRoleName } from "../analytics/analytics-pipeline";
import { PRICING_OBJECT_KEY } from "../analytics/schema";
import { allow, type AwsEnvironment, type Statement } from "../iam";
import type { BuilderScope } from "../scope";
import type { GitHubDeployRolesArgs } from "./args";
import { iamScope } from "./guardrails";
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
 * The deploy role (`pulumi up`): the service-scoped action lists of `perms.ts` (no `*`), one managed
 * policy per permission group; roles it creates or changes must carry one of the stage's boundaries.
 */
export function deployRole(scope: BuilderScope, a: RoleBuilderArgs): aws.iam.Role {
  return ciRole(scope, {
    ...a,
    kind: "deploy",
    description: "GitHub Actions: pulumi up for this stage (main branch / protected environment only)",
    managed: deployGroupStatements(a.env, a.roles),
    inline: [...chainPolicies(a.env, a.roles, "deploy"), ...statePolicies(a.env, a.roles, "deploy")],
  });
}

/** Actions that get their own, narrower statement instead of the group's `Resource: *` one. */
const SCOPED_ACTIONS = new Set<string>([
  ...IAM_ROLE_WRITE_ACTIONS,
  ...IAM_POLICY_WRITE_ACTIONS,
  ...IAM_OIDC_WRITE_ACTIONS,
  ...KMS_VIA_SERVICE_ACTIONS,
  ...KMS_GRANT_ACTIONS,
  ...APIGATEWAY_DEPLOY_ACTIONS,
]);

/** The deploy role's managed policies: one per permission group, with resources and conditions where IAM allows them. */
function deployGroupStatements(env: AwsEnvironment, args: GitHubDeployRolesArgs): RolePolicy[] {
  const iamArn = (resource: string) => pulumi.interpolate`arn:${env.partition}:iam::${args.accountId}:${resource}`;
  const regions = args.allowedRegions;
  const wanted = args.permissionGroups ?? DEPLOY_GROUPS.map((g) => g.key);
  return DEPLOY_GROUPS.filter((g) => wanted.includes(g.key)).map((g) => {
    const statements: Statement[] = [];
    const plain = g.actions.filter((a) => !SCOPED_ACTIONS.has(a));
    const sid = `Manage${g.key[0]!.toUpperCase()}${g.key.slice(1)}`;
    if (g.key === "identity") {
      statements.push(
        allow(
          plain.filter((a) => !a.startsWith("iam:")),
          ["*"],
          { sid },
        ),
      );
      statements.push(allow(IAM_READ_ACTIONS, ["*"], { sid: "ReadIam" }));
      const roles = [iamArn(`role/${args.namePrefix}-*`)];
      // Delegated administration: every write that can give a role more requires the role to carry one of
      // the stage's permissions boundaries, so whatever CI writes into a role, the boundary caps it.
      const bounded = { StringEquals: { "iam:PermissionsBoundary": stageBoundaryArns(env.partition, iamScope(args)) } };
      statements.push(
        allow(
          IAM_ROLE_WRITE_ACTIONS.filter((a) => !BOUNDED_ROLE_WRITE_ACTIONS.includes(a)),
          roles,
          { sid: "ManageStageRoles" },
        ),
      );
      statements.push(
        allow(
          BOUNDED_ROLE_WRITE_ACTIONS.filter((a) => a !== "iam:AttachRolePolicy"),
          roles,
          { sid: "ManageStageRolesUnderBoundaries", conditions: bounded },
        ),
      );
      // Existing roles the program only adds an inline policy to (`CrossAccountRole.grantAssumeFrom`):
      // that policy and nothing else; their trust, attachments and lifecycle stay their owners'. They
      // are not the stage's and carry no boundary of it: the one role write CI makes without one.
      const managed = (args.managedRoleNames ?? []).map((n) => iamArn(`role/${n}`));
      if (managed.length)
        statements.push(allow([...MANAGED_ROLE_INLINE_POLICY_ACTIONS], managed, { sid: "ManageInlinePoliciesOfNamedRoles" }));
      statements.push(
        allow(["iam:AttachRolePolicy"], roles, {
          sid: "AttachStageOrServicePolicies",
          conditions: {
            ArnLike: {
              "iam:PolicyARN": [
                iamArn(`policy/${args.namePrefix}-*`),
                pulumi.interpolate`arn:${env.partition}:iam::aws:policy/service-role/*`,
              ],
            },
            ...bounded,
          },
        }),
      );
      statements.push(allow(IAM_POLICY_WRITE_ACTIONS, [iamArn(`policy/${args.namePrefix}-*`)], { sid: "ManageStagePolicies" }));
      statements.push(allow(IAM_OIDC_WRITE_ACTIONS, [iamArn("oidc-provider/*")], { sid: "ManageOidcProviders" }));
      statements.push(
        allow([...PASS_ROLE_ACTIONS], [iamArn(`role/${args.namePrefix}-*`)], {
          sid: "PassStageRolesToProgramServices",
          conditions: { StringEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
        }),
      );
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
      statements.push(
        allow(KMS_VIA_SERVICE_ACTIONS, ["*"], {
          sid: "UseKeysThroughServices",
          conditions: {
            StringEquals: { "kms:ViaService": regions.flatMap((r) => KMS_VIA_SERVICES.map((svc) => `${svc}.${r}.amazonaws.com`)) },
          },
        }),
      );
      statements.push(
        allow(KMS_GRANT_ACTIONS, ["*"], { sid: "GrantsForAwsResources", conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } } }),
      );
    } else if (plain.length) {
      statements.push(allow(plain, ["*"], { sid }));
    }
    if (g.key === "data") {
      // The one object the program writes itself: the analytics pricing table, in a bucket of the stage.
      statements.push(
        allow(
          [...PRICING_TABLE_WRITE_ACTIONS],
          [pulumi.interpolate`arn:${env.partition}:s3:::${args.namePrefix}-*/${PRICING_OBJECT_KEY}`],
          { sid: "WriteAnalyticsPricingTable" },
        ),
      );
    }
    if (g.actions.some((a) => a.startsWith("apigateway:"))) {
      // API Gateway authorises by verb on a path: only the HTTP APIs and their tags.
      const paths = regions.flatMap((r) =>
        ["/apis", "/apis/*", "/tags/*"].map((p) => pulumi.interpolate`arn:${env.partition}:apigateway:${r}::${p}`),
      );
      statements.push(allow([...APIGATEWAY_DEPLOY_ACTIONS], paths, { sid: "ManageHttpApis" }));
    }
    return { key: g.key, statements };
  });
}
