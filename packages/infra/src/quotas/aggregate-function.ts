import { QUOTA_ENV as Q, QUOTA_METRICS_NAMESPACE } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountTrustStatement, allow, policyDocument, renderPolicy, type Statement } from "../iam";
import { physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";
import type { QuotaServiceArgs } from "./args";
import { commonEnvironment, type FunctionContext, kmsViaServices, quotaFunction } from "./functions";
import {
  ASSUME_ROLE_ACTIONS,
  BLOCK_POLICY_ACTIONS,
  GET_OBJECT_ACTIONS,
  KMS_USE_ACTIONS,
  LIMITS_READ_ACTIONS,
  LIST_BUCKET_ACTIONS,
  PUBLISH_ACTIONS,
  PUT_METRIC_ACTIONS,
  QUERY_LOGS_ACTIONS,
  QUERY_RESULTS_ACTIONS,
  READ_METRIC_ACTIONS,
  USAGE_WRITE_ACTIONS,
} from "./perms";

export interface AggregateInputs {
  readonly usageIndexArn: pulumi.Input<string>;
  readonly topic: aws.sns.Topic;
  readonly blockPolicyArns: readonly pulumi.Output<string>[];
}

/** How the aggregation reads client telemetry: in this account, or through a read role in the telemetry account. */
interface TelemetryAccess {
  readonly statements: Statement[];
  readonly roleName?: string;
  readonly roleArn?: pulumi.Output<string>;
  readonly externalId: string;
}

function telemetryAccess(ctx: FunctionContext): TelemetryAccess {
  const { args, env } = ctx;
  const tel = args.sources.telemetry;
  const externalId = `${args.namePrefix}-quota-aggregate`;
  if (!tel) return { statements: [], externalId };
  // The read role in the telemetry account is named up front so the aggregation role may assume exactly it.
  const roleName = tel.crossAccount ? physicalName("iamRole", [args.namePrefix, "quota-telemetry-read"]) : undefined;
  const roleArn = tel.crossAccount
    ? pulumi.interpolate`arn:${env.partition}:iam::${tel.crossAccount.accountId}:role/${roleName}`
    : undefined;
  const statements = tel.logGroup
    ? [
        allow(QUERY_LOGS_ACTIONS, [tel.logGroup.arn, pulumi.interpolate`${tel.logGroup.arn}:*`], { sid: "QueryTelemetryLogs" }),
        allow(QUERY_RESULTS_ACTIONS, ["*"], { sid: "ReadTelemetryQueryResults" }),
      ]
    : [allow(READ_METRIC_ACTIONS, ["*"], { sid: "ReadTelemetryMetric" })];
  return { statements, ...(roleName ? { roleName } : {}), ...(roleArn ? { roleArn } : {}), externalId };
}

function aggregateStatements(ctx: FunctionContext, inputs: AggregateInputs, tel: TelemetryAccess): Statement[] {
  const { args, env } = ctx;
  const statements: Statement[] = [
    allow(USAGE_WRITE_ACTIONS, [ctx.usageTable.arn, inputs.usageIndexArn], { sid: "MeterUsage" }),
    allow(LIMITS_READ_ACTIONS, [ctx.limitsTable.arn], { sid: "ReadLimits" }),
    allow(KMS_USE_ACTIONS, [args.kmsKeyArn], { sid: "UseStageKey", conditions: kmsViaServices(env) }),
    allow(PUBLISH_ACTIONS, [inputs.topic.arn], { sid: "PublishAlerts" }),
    allow(PUT_METRIC_ACTIONS, ["*"], {
      sid: "PublishOwnMetrics",
      conditions: { StringEquals: { "cloudwatch:namespace": QUOTA_METRICS_NAMESPACE } },
    }),
  ];
  if (args.sources.telemetry && !args.sources.telemetry.crossAccount) statements.push(...tel.statements);
  if (tel.roleArn) statements.push(allow(ASSUME_ROLE_ACTIONS, [tel.roleArn], { sid: "ReadTelemetryInItsAccount" }));
  const logs = args.sources.invocationLogs;
  if (logs) {
    const logPrefix = pulumi.interpolate`${logs.keyPrefix}AWSLogs/${env.accountId}/BedrockModelInvocationLogs/`;
    statements.push(
      allow(LIST_BUCKET_ACTIONS, [logs.bucketArn], {
        sid: "ListInvocationLogs",
        conditions: { StringLike: { "s3:prefix": [pulumi.interpolate`${logPrefix}*`] } },
      }),
      allow(GET_OBJECT_ACTIONS, [pulumi.interpolate`${logs.bucketArn}/${logPrefix}*`], { sid: "ReadInvocationLogs" }),
    );
  }
  if (inputs.blockPolicyArns.length)
    statements.push(allow(BLOCK_POLICY_ACTIONS, [...inputs.blockPolicyArns], { sid: "RewriteBlockPolicies" }));
  return statements;
}

/** Prices with every application inference profile priced as its base model. */
export function pricingJson(args: QuotaServiceArgs): pulumi.Output<string> {
  return pulumi.all((args.modelAliases ?? []).map((a) => pulumi.output(a.id))).apply((ids) => {
    const models: Record<string, unknown> = { ...args.pricing.models };
    ids.forEach((id, i) => {
      const base = args.pricing.models[args.modelAliases![i]!.baseModelId];
      if (base) models[id] = base;
    });
    return JSON.stringify({ ...args.pricing, models });
  });
}

function aggregateEnvironment(ctx: FunctionContext, inputs: AggregateInputs, tel: TelemetryAccess): Record<string, pulumi.Input<string>> {
  const { args, env } = ctx;
  const t = args.sources.telemetry;
  const logs = args.sources.invocationLogs;
  return {
    ...commonEnvironment(ctx),
    [Q.stage]: args.stage,
    [Q.alertTopicArn]: inputs.topic.arn,
    [Q.metricsNamespace]: QUOTA_METRICS_NAMESPACE,
    [Q.pricing]: pricingJson(args),
    ...(t
      ? {
          [Q.telemetrySource]: pulumi.jsonStringify({
            namespace: t.namespace,
            ...(t.logGroup ? { logGroupName: t.logGroup.name } : {}),
            metricName: t.metricName,
            userDimension: t.userDimension,
            typeDimension: t.typeDimension,
            ...(t.modelDimension ? { modelDimension: t.modelDimension } : {}),
            ...(tel.roleArn ? { roleArn: tel.roleArn, externalId: tel.externalId } : {}),
          }),
        }
      : {}),
    ...(logs
      ? {
          [Q.invocationLogsSource]: pulumi.jsonStringify({
            bucket: logs.bucketName,
            prefix: logs.keyPrefix,
            accountId: env.accountId,
            region: env.region,
            roleName: logs.roleName,
          }),
        }
      : {}),
    ...(inputs.blockPolicyArns.length ? { [Q.blockPolicyArns]: pulumi.all([...inputs.blockPolicyArns]).apply((a) => a.join(",")) } : {}),
    ...(args.block && args.block.key !== "session-name" ? { [Q.blockPrincipalTag]: args.block.key.principalTag } : {}),
    [Q.driftThresholdPercent]: String(args.drift.thresholdPercent),
    [Q.driftMinTokens]: String(args.drift.minTokens),
    [Q.settleMinutes]: String(args.settleMinutes),
    [Q.usageRetentionDays]: String(args.usageRetentionDays),
  };
}

/** The read role in the telemetry account, trusted by the aggregation role only (with an external id). */
function buildTelemetryReadRole(scope: BuilderScope, ctx: FunctionContext, aggregate: aws.lambda.Function, tel: TelemetryAccess): void {
  const { name, tags } = scope;
  const cross = ctx.args.sources.telemetry?.crossAccount;
  if (!cross || !tel.roleName) return;
  const inTelemetry = childOpts(scope, { provider: cross.provider });
  const readRole = new aws.iam.Role(
    `${name}-telemetry-read`,
    {
      name: tel.roleName,
      description: `Lets the ${ctx.args.namePrefix} quota aggregation (inference account) read the per-user token metric`,
      assumeRolePolicy: renderPolicy(
        policyDocument(
          accountTrustStatement({
            principals: [aggregate.role],
            ...(cross.organizationId ? { organizationId: cross.organizationId } : {}),
            externalId: tel.externalId,
          }),
        ),
      ),
      maxSessionDuration: 3600,
      // The role lives in the telemetry account: that account's boundary, not this one's.
      permissionsBoundary: cross.permissionsBoundaryArn,
      tags,
    },
    inTelemetry,
  );
  new aws.iam.RolePolicy(
    `${name}-telemetry-read`,
    { role: readRole.name, policy: renderPolicy(policyDocument(...tel.statements)) },
    inTelemetry,
  );
}

/** Every 15 minutes, one run at a time, no Lambda retries (the next run resumes from the watermarks). */
function buildSchedule(scope: BuilderScope, aggregate: aws.lambda.Function): void {
  const { name, tags } = scope;
  const rule = new aws.cloudwatch.EventRule(
    `${name}-schedule`,
    { description: "Quota aggregation every 15 minutes", scheduleExpression: "rate(15 minutes)", tags },
    childOpts(scope),
  );
  new aws.cloudwatch.EventTarget(
    `${name}-schedule`,
    { rule: rule.name, arn: aggregate.arn, retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 2 } },
    childOpts(scope),
  );
  // A failed run is not retried by Lambda's async retries: the next scheduled run resumes from the
  // watermarks anyway, and extra runs would only add load.
  new aws.lambda.FunctionEventInvokeConfig(
    `${name}-aggregate-invoke-config`,
    { functionName: aggregate.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 900 },
    childOpts(scope),
  );
  new aws.lambda.Permission(
    `${name}-schedule-invoke`,
    { action: "lambda:InvokeFunction", function: aggregate.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    childOpts(scope),
  );
}

/** The 15-minute aggregation: its function, the telemetry read role when cross-account, its schedule. */
export function buildAggregateFunction(scope: BuilderScope, ctx: FunctionContext, inputs: AggregateInputs): aws.lambda.Function {
  const tel = telemetryAccess(ctx);
  const aggregate = quotaFunction(scope, ctx, {
    role: "aggregate",
    code: ctx.args.code.aggregate,
    description: "Meters Claude Code usage every 15 minutes, alerts and blocks",
    timeout: 300,
    memorySize: 1024,
    // One run at a time: runs are idempotent anyway, but there is no point in racing.
    reservedConcurrency: 1,
    environment: aggregateEnvironment(ctx, inputs, tel),
    statements: aggregateStatements(ctx, inputs, tel),
  });
  buildTelemetryReadRole(scope, ctx, aggregate, tel);
  buildSchedule(scope, aggregate);
  return aggregate;
}
