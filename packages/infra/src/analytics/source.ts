import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, arn, policyDocument, renderPolicy, serviceTrustStatement, type AwsEnvironment } from "../iam";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import type { AnalyticsSource } from "./args";
import * as perms from "./perms";

/**
 * Physical name of the role CloudWatch Logs uses to forward EMF lines to Firehose. Fixed per stage: the
 * CI guardrails name it (PutSubscriptionFilter passes it without `iam:PassedToService`).
 */
export function analyticsSubscriptionRoleName(namePrefix: string): string {
  return physicalName("iamRole", [namePrefix, "analytics-subscription"]);
}

export interface SourceArgs {
  readonly env: AwsEnvironment;
  readonly namePrefix: string;
  readonly source: AnalyticsSource;
  readonly keyArn: pulumi.Output<string>;
  readonly streamArn: pulumi.Output<string>;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface Source {
  /** The pipeline's own log group, with `source.createLogGroup` only. */
  readonly ownLogGroup?: aws.cloudwatch.LogGroup;
  readonly logGroupName: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;
}

/** The EMF log group (the collector's or a new one) and the CloudWatch Logs subscription into the stream. */
export function buildSource(scope: BuilderScope, args: SourceArgs): Source {
  const source = sourceLogGroup(scope, args);
  const { env } = args;
  const anyLogGroup = arn(env.partition, "logs", env.region, env.accountId, "log-group:*");
  const role = new aws.iam.Role(
    `${scope.name}-subscription-role`,
    {
      // A stable name: CloudWatch Logs' PutSubscriptionFilter checks iam:PassRole without
      // iam:PassedToService, so the CI guardrails exempt exactly this role (cicd/github-deploy-roles.ts).
      name: analyticsSubscriptionRoleName(args.namePrefix),
      description: "CloudWatch Logs: forward the collector's EMF lines to the analytics Firehose stream",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("logs.amazonaws.com", env.accountId, anyLogGroup))),
      maxSessionDuration: 3600,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags: scope.tags,
    },
    childOpts(scope),
  );
  const policy = new aws.iam.RolePolicy(
    `${scope.name}-subscription-policy`,
    {
      role: role.name,
      policy: renderPolicy(policyDocument(allow(perms.FIREHOSE_PUT_ACTIONS, [args.streamArn], { sid: "PutIntoStream" }))),
    },
    childOpts(scope),
  );
  new aws.cloudwatch.LogSubscriptionFilter(
    `${scope.name}-subscription`,
    {
      logGroup: source.logGroupName,
      name: `${args.namePrefix}-analytics`,
      // Every line: the collector's log group holds only Claude Code metrics (it filters on `claude_code.`).
      filterPattern: "",
      destinationArn: args.streamArn,
      roleArn: role.arn,
    },
    childOpts(scope, { dependsOn: [policy] }),
  );
  return source;
}

function sourceLogGroup(scope: BuilderScope, args: SourceArgs): Source {
  if (!("createLogGroup" in args.source)) {
    return { logGroupName: pulumi.output(args.source.logGroupName), logGroupArn: pulumi.output(args.source.logGroupArn) };
  }
  const ownLogGroup = new aws.cloudwatch.LogGroup(
    `${scope.name}-emf`,
    {
      name: physicalName("logGroup", [`/${args.namePrefix}/claude-code/analytics-emf`]),
      retentionInDays: args.source.createLogGroup.retentionDays,
      kmsKeyId: args.keyArn,
      tags: scope.tags,
    },
    childOpts(scope),
  );
  return { ownLogGroup, logGroupName: ownLogGroup.name, logGroupArn: ownLogGroup.arn };
}
