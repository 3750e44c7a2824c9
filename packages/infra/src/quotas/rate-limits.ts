import { RATE_ENV as R } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow } from "../iam";
import { physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";
import type { RateLimitArgs } from "./args";
import { quotaAlarmName } from "./alarms";
import { emptyBlockDocument } from "./block-policies";
import { type FunctionContext, kmsViaServices, quotaFunction } from "./functions";
import { BLOCK_POLICY_ACTIONS, KMS_USE_ACTIONS, PUBLISH_ACTIONS, RATE_COUNTER_ACTIONS, RATE_LIMITS_READ_ACTIONS } from "./perms";

export interface RateLimiter {
  readonly rateFunction: aws.lambda.Function;
  readonly rateBlockPolicyArns: pulumi.Output<string>[];
  readonly errorsAlarm: aws.cloudwatch.MetricAlarm;
}

/** Deny policies of users cooling down: written only by the rate function, so it never races the aggregation. */
function rateBlockPolicies(scope: BuilderScope, ctx: FunctionContext, rate: RateLimitArgs): pulumi.Output<string>[] {
  const block = ctx.args.block;
  const arns: pulumi.Output<string>[] = [];
  if (!block) return arns;
  for (let i = 0; i < rate.policyCount; i++) {
    const policy = new aws.iam.Policy(
      `${scope.name}-rate-block-${i}`,
      {
        name: physicalName("iamRole", [ctx.args.namePrefix, "quota-rate-block", String(i)]),
        description:
          "Denies Bedrock model invocation to users past a per-minute rate limit, for the cool-down. Rewritten by the quota rate function; do not edit.",
        policy: emptyBlockDocument(block.key),
        tags: scope.tags,
      },
      childOpts(scope, { ignoreChanges: ["policy"] }),
    );
    if (block.roleName !== undefined)
      new aws.iam.RolePolicyAttachment(`${scope.name}-rate-block-${i}`, { role: block.roleName, policyArn: policy.arn }, childOpts(scope));
    arns.push(policy.arn);
  }
  return arns;
}

/**
 * Per-developer rate limits: the invocation-log group's subscription feeds the rate function (every
 * batch), a one-minute schedule sweeps expired cool-downs, and the function rewrites its own deny policies.
 */
export function buildRateLimiter(
  scope: BuilderScope,
  ctx: FunctionContext,
  inputs: { readonly topic: aws.sns.Topic; readonly rate: RateLimitArgs },
): RateLimiter {
  const { name, tags } = scope;
  const { args } = ctx;
  const rate = inputs.rate;
  const arns = rateBlockPolicies(scope, ctx, rate);
  const defaults = JSON.stringify({
    ...(rate.tokensPerMinute ? { tokensPerMinute: rate.tokensPerMinute } : {}),
    ...(rate.requestsPerMinute ? { requestsPerMinute: rate.requestsPerMinute } : {}),
    cooldownMinutes: rate.cooldownMinutes,
  });
  const block = args.block;
  const rateFunction = quotaFunction(scope, ctx, {
    role: "rate",
    code: rate.code,
    description: "Counts tokens and model calls per developer and minute; denies a developer past a rate limit for a cool-down",
    timeout: 60,
    memorySize: 256,
    // Bounds the write rate on the usage table; batches wait in the subscription meanwhile.
    reservedConcurrency: 5,
    environment: {
      [R.rateLimits]: defaults,
      [R.limitsTable]: ctx.limitsTable.name,
      [R.usageTable]: ctx.usageTable.name,
      [R.alertTopicArn]: inputs.topic.arn,
      ...(arns.length ? { [R.blockPolicyArns]: pulumi.all(arns).apply((a) => a.join(",")) } : {}),
      ...(block && block.key !== "session-name" ? { [R.blockPrincipalTag]: block.key.principalTag } : {}),
      // Without deny policies nobody can be denied: the function records and alerts only.
      [R.quotaMode]: block ? (args.mode ?? "block") : "alert",
      [R.roleName]: rate.roleName,
      NODE_OPTIONS: "--enable-source-maps",
    },
    statements: [
      allow(RATE_COUNTER_ACTIONS, [ctx.usageTable.arn], { sid: "CountAndCoolDown" }),
      allow(RATE_LIMITS_READ_ACTIONS, [ctx.limitsTable.arn, ctx.usageTable.arn], { sid: "ReadLimitsAndGroups" }),
      allow(KMS_USE_ACTIONS, [args.kmsKeyArn], { sid: "UseStageKey", conditions: kmsViaServices(ctx.env) }),
      allow(PUBLISH_ACTIONS, [inputs.topic.arn], { sid: "PublishAlerts" }),
      ...(arns.length ? [allow(BLOCK_POLICY_ACTIONS, arns, { sid: "RewriteRateBlockPolicies" })] : []),
    ],
  });
  const fromLogs = new aws.lambda.Permission(
    `${name}-rate-logs-invoke`,
    {
      action: "lambda:InvokeFunction",
      function: rateFunction.name,
      principal: "logs.amazonaws.com",
      sourceArn: pulumi.interpolate`${rate.logGroup.arn}:*`,
      sourceAccount: ctx.env.accountId,
    },
    childOpts(scope),
  );
  new aws.cloudwatch.LogSubscriptionFilter(
    `${name}-rate-subscription`,
    { logGroup: rate.logGroup.name, filterPattern: "", destinationArn: rateFunction.arn, distribution: "ByLogStream" },
    childOpts(scope, { dependsOn: [fromLogs] }),
  );
  const sweep = new aws.cloudwatch.EventRule(
    `${name}-rate-sweep`,
    { description: "Lifts expired rate-limit cool-downs when no invocations arrive", scheduleExpression: "rate(1 minute)", tags },
    childOpts(scope),
  );
  new aws.cloudwatch.EventTarget(`${name}-rate-sweep`, { rule: sweep.name, arn: rateFunction.arn }, childOpts(scope));
  new aws.lambda.Permission(
    `${name}-rate-sweep-invoke`,
    { action: "lambda:InvokeFunction", function: rateFunction.name, principal: "events.amazonaws.com", sourceArn: sweep.arn },
    childOpts(scope),
  );
  const errorsAlarm = new aws.cloudwatch.MetricAlarm(
    `${name}-rate-errors-alarm`,
    {
      name: quotaAlarmName(ctx.args.namePrefix, "rate-errors-alarm"),
      alarmDescription: "The quota rate function fails: per-minute rate limits are not counted and cool-downs do not lift. See its logs.",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: rateFunction.name },
      period: 300,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 3,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      alarmActions: [args.alarmTopicArn],
      okActions: [args.alarmTopicArn],
      tags,
    },
    childOpts(scope),
  );
  return { rateFunction, rateBlockPolicyArns: arns, errorsAlarm };
}
