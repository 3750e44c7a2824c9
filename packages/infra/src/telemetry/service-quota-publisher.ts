import { SERVICE_QUOTA_ENV, type ServiceQuotaTarget } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, awsEnvironment, policyDocument, renderPolicy, serviceTrustStatement } from "../iam";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import type { FunctionCode } from "./args";
import * as perms from "./perms";

export interface QuotaPublisherInputs {
  readonly namePrefix: string;
  readonly namespace: string;
  readonly targets: readonly ServiceQuotaTarget[];
  readonly code: FunctionCode;
  readonly logRetentionDays: number;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

/**
 * The Lambda that publishes the Bedrock quota values every minute (the alarms evaluate per minute), its
 * log group, least-privilege role and schedule. Returns the function's name.
 */
export function buildQuotaPublisher(scope: BuilderScope, args: QuotaPublisherInputs): pulumi.Output<string> {
  const env = awsEnvironment(scope.parent);
  const tags = { ...scope.tags, component: "telemetry" };
  const opts = childOpts(scope);
  const logs = new aws.cloudwatch.LogGroup(
    `${scope.name}-logs`,
    { name: `/${args.namePrefix}/telemetry/service-quotas`, retentionInDays: args.logRetentionDays, tags },
    opts,
  );
  const role = new aws.iam.Role(
    `${scope.name}-role`,
    {
      description: "Publishes the Bedrock service quotas of Claude Code's models as CloudWatch metrics",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", env.accountId))),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    opts,
  );
  const policy = new aws.iam.RolePolicy(
    `${scope.name}-policy`,
    {
      role: role.name,
      policy: renderPolicy(
        policyDocument(
          allow(perms.SERVICE_QUOTA_READ_ACTIONS, ["*"], { sid: "ReadBedrockQuotas" }),
          allow(perms.PUT_METRIC_ACTIONS, ["*"], {
            sid: "PublishQuotas",
            conditions: { StringEquals: { "cloudwatch:namespace": args.namespace } },
          }),
          allow(perms.FUNCTION_LOG_ACTIONS, [pulumi.interpolate`${logs.arn}:*`], { sid: "OwnLogs" }),
        ),
      ),
    },
    opts,
  );
  const fn = new aws.lambda.Function(
    `${scope.name}-function`,
    {
      name: physicalName("lambda", [args.namePrefix, "service-quotas"]),
      description: "Publishes the Bedrock tokens- and requests-per-minute quotas of the stage's models",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: args.code.handler,
      code: args.code.archive,
      role: role.arn,
      memorySize: 128,
      timeout: 50,
      loggingConfig: { logFormat: "JSON", logGroup: logs.name },
      environment: {
        variables: { [SERVICE_QUOTA_ENV.targets]: JSON.stringify(args.targets), [SERVICE_QUOTA_ENV.namespace]: args.namespace },
      },
      tags,
    },
    { ...opts, dependsOn: [policy] },
  );
  const rule = new aws.cloudwatch.EventRule(
    `${scope.name}-schedule`,
    { description: "Publishes the Bedrock quotas every minute", scheduleExpression: "rate(1 minute)", tags },
    opts,
  );
  const permission = new aws.lambda.Permission(
    `${scope.name}-invoke`,
    { action: perms.SCHEDULE_INVOKE_ACTION, function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    opts,
  );
  // A missed minute is covered by the alarms' FILL(REPEAT); stale retries are worth nothing.
  new aws.cloudwatch.EventTarget(
    `${scope.name}-target`,
    { rule: rule.name, arn: fn.arn, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } },
    { ...opts, dependsOn: [permission] },
  );
  return fn.name;
}
