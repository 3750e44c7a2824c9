import { QUOTA_ENV as Q, QUOTA_METRICS_NAMESPACE } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountTrustStatement, allow, policyDocument, renderPolicy, type Statement } from "../iam";
import { physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";
import type { QuotaServiceArgs } from "./args";
import { commonEnvironment, type FunctionContext, kmsViaServices, quotaFunction } from "./functions";
import { buildSchedule } from "./schedule";
import {
  ASSUME_ROLE_ACTIONS,
  BLOCK_POLICY_ACTIONS,
  GET_OBJECT_ACTIONS,
  INVOKE_FUNCTION_ACTIONS,
  KMS_USE_ACTIONS,
  LIMITS_READ_ACTIONS,
  LIST_BUCKET_ACTIONS,
  PUBLISH_ACTIONS,
  PUT_METRIC_ACTIONS,
  QUERY_LOGS_ACTIONS,
  QUERY_RESULTS_ACTIONS,
  READ_METRIC_ACTIONS,
  USAGE_METER_ACTIONS,
} from "./perms";

export interface AggregateInputs {
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
    allow(USAGE_METER_ACTIONS, [ctx.usageTable.arn], { sid: "MeterUsage" }),
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

/** The read role in the telemetry account, trusted by the aggregation roles only (with an external id). */
function buildTelemetryReadRole(
  scope: BuilderScope,
  ctx: FunctionContext,
  readers: readonly aws.lambda.Function[],
  tel: TelemetryAccess,
): void {
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
            principals: readers.map((f) => f.role),
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

/**
 * The shard worker (`aggregationShards` > 1): the same code invoked by the scheduled function once per
 * shard. It meters, evaluates and alerts its shard's users; it does not write the deny policies (the
 * dispatcher does, from every shard's result, and publishes the metrics), so its role may do neither. Its reserved
 * concurrency is the shard count, so one dispatch runs every shard at once and nothing more.
 */
function buildShardWorker(ctx: FunctionContext, scope: BuilderScope, inputs: AggregateInputs, tel: TelemetryAccess, shards: number) {
  return quotaFunction(scope, ctx, {
    role: "aggregate-worker",
    code: ctx.args.code.aggregate,
    description: "Meters, alerts and evaluates one user-hash shard of a quota aggregation run",
    // Shorter than the dispatcher's, which waits for every worker.
    timeout: 270,
    memorySize: 1024,
    reservedConcurrency: shards,
    environment: aggregateEnvironment(ctx, inputs, tel),
    // The dispatcher publishes the run's metrics and writes the deny policies; a worker does neither.
    statements: aggregateStatements(ctx, { ...inputs, blockPolicyArns: [] }, tel).filter((st) => st.Sid !== "PublishOwnMetrics"),
  });
}

/** The 15-minute aggregation: its function (and shard worker), the telemetry read role when cross-account, its schedule. */
export function buildAggregateFunction(scope: BuilderScope, ctx: FunctionContext, inputs: AggregateInputs): aws.lambda.Function {
  const tel = telemetryAccess(ctx);
  const shards = ctx.args.aggregationShards ?? 1;
  const worker = shards > 1 ? buildShardWorker(ctx, scope, inputs, tel, shards) : undefined;
  const aggregate = quotaFunction(scope, ctx, {
    role: "aggregate",
    code: ctx.args.code.aggregate,
    description: worker
      ? `Every 15 minutes: dispatches ${shards} shard workers, then writes the deny policies and metrics`
      : "Meters Claude Code usage every 15 minutes, alerts and blocks",
    timeout: 300,
    memorySize: 1024,
    // One run at a time: runs are idempotent anyway, but there is no point in racing.
    reservedConcurrency: 1,
    environment: {
      ...aggregateEnvironment(ctx, inputs, tel),
      ...(worker ? { [Q.aggregationShards]: String(shards), [Q.shardWorkerFunction]: worker.name } : {}),
    },
    statements: [
      ...aggregateStatements(ctx, inputs, tel),
      // Exactly the worker function: no other function, no alias wildcard.
      ...(worker ? [allow(INVOKE_FUNCTION_ACTIONS, [worker.arn], { sid: "InvokeShardWorker" })] : []),
    ],
  });
  buildTelemetryReadRole(scope, ctx, worker ? [aggregate, worker] : [aggregate], tel);
  buildSchedule(scope, aggregate);
  return aggregate;
}
