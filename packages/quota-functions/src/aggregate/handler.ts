/**
 * Lambda entry of the 15-minute aggregation (EventBridge schedule). Wires AWS clients to `runAggregation`;
 * all logic lives there and is tested against a local DynamoDB.
 */
import { QUOTA_METRIC_STAGE_DIMENSION } from "@ccb/contracts";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IAMClient } from "@aws-sdk/client-iam";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { applyBlockPolicies } from "../block-policy.js";
import { loadAggregateConfig } from "../config.js";
import { createLogger } from "../log.js";
import { loadPriceBook } from "../prices/book.js";
import { InvocationLogSource } from "../sources/invocation-logs.js";
import { TelemetrySource } from "../sources/telemetry.js";
import { TelemetryLogsSource } from "../sources/telemetry-logs.js";
import type { UsageSource } from "../sources/types.js";
import type { AggregateDeps } from "./types.js";
import { QuotaStore } from "../store.js";
import { dispatchAggregation, type InvokeShard } from "./dispatch.js";
import { LEASE_MARGIN_MS } from "./lease.js";
import { runAggregation, runShard, type AggregateSummary, type ShardResult } from "./run.js";
import { parseShard } from "./shard.js";

/** Credentials of a role in another account, refreshed a minute before they expire. */
export function assumedRole(
  sts: STSClient,
  roleArn: string,
  externalId?: string,
): () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }> {
  let cached: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date } | undefined;
  return async () => {
    if (cached && cached.expiration.getTime() - Date.now() > 60_000) return cached;
    const r = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: "quota-aggregate",
        DurationSeconds: 900,
        ...(externalId ? { ExternalId: externalId } : {}),
      }),
    );
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return cached;
  };
}

/** Invokes the shard worker function and waits for its result; a function error fails the shard. */
export function lambdaShardInvoker(lambda: LambdaClient, functionName: string): InvokeShard {
  return async (shard) => {
    const r = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify({ shard })) }),
    );
    const text = r.Payload ? Buffer.from(r.Payload).toString("utf8") : "";
    if (r.FunctionError) throw new Error(`shard ${shard.index} of ${shard.count}: ${r.FunctionError}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as ShardResult;
  };
}

/**
 * The schedule's event carries no `shard`: one run over every user, or (AGGREGATION_SHARDS > 1) the
 * dispatch of one worker per shard. The dispatcher invokes the worker function with `{ shard }`: that
 * run covers one shard and returns its result to the dispatcher.
 */
export async function handler(
  event?: { shard?: unknown },
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<AggregateSummary | ShardResult> {
  const log = createLogger("quota-aggregate");
  const c = loadAggregateConfig(process.env);
  const cw = new CloudWatchClient({});
  const sns = new SNSClient({});
  const iam = new IAMClient({});
  const ddb = new DynamoDBClient({});
  // The daily price source's book (AWS Price List) when stored and valid, else the catalog literals.
  const prices = await loadPriceBook(ddb, c.usageTable, c.pricing, log);
  const sources: UsageSource[] = [];
  if (c.telemetry) {
    const t = c.telemetry;
    const credentials = t.roleArn ? { credentials: assumedRole(new STSClient({}), t.roleArn, t.externalId) } : {};
    if (t.logGroupName) {
      const { CloudWatchLogsClient } = await import("@aws-sdk/client-cloudwatch-logs");
      sources.push(new TelemetryLogsSource(new CloudWatchLogsClient(credentials), { ...t, logGroupName: t.logGroupName }, log));
    } else {
      sources.push(new TelemetrySource(t.roleArn ? new CloudWatchClient(credentials) : cw, t, log));
    }
  }
  if (c.invocationLogs) sources.push(new InvocationLogSource(new S3Client({}), { ...c.invocationLogs, settleMs: c.settleMs }, log));
  const deps: AggregateDeps = {
    store: new QuotaStore(ddb, c.limitsTable, c.usageTable, c.defaultLimit),
    sources,
    pricing: prices.book,
    thresholds: c.thresholds,
    enforceOn: c.enforceOn,
    stageMode: c.stageMode,
    notify: async (n) => {
      await sns.send(
        new PublishCommand({
          TopicArn: c.topicArn,
          Subject: n.subject,
          Message: n.message,
          MessageAttributes: Object.fromEntries(Object.entries(n.attributes).map(([k, v]) => [k, { DataType: "String", StringValue: v }])),
        }),
      );
    },
    putMetrics: async (data) => {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: c.metricsNamespace,
          MetricData: data.map((m) => ({
            MetricName: m.name,
            Value: m.value,
            Unit: m.unit,
            Dimensions: [{ Name: QUOTA_METRIC_STAGE_DIMENSION, Value: c.stage }],
          })),
        }),
      );
    },
    ...(c.blockPolicyArns.length
      ? {
          blockPolicies: {
            slots: c.blockPolicyArns.length,
            key: c.blockKey,
            apply: (docs) => applyBlockPolicies(iam, c.blockPolicyArns, docs, log),
          },
        }
      : {}),
    drift: c.drift,
    settleMs: c.settleMs,
    maxBacklogWindows: c.maxBacklogWindows,
    concurrency: 16,
    usageRetentionDays: c.usageRetentionDays,
    stage: c.stage,
    log,
    now: Date.now,
    // The bucket leases last as long as this invocation can (the service stops it at its timeout).
    ...(context?.getRemainingTimeInMillis ? { leaseMs: context.getRemainingTimeInMillis() + LEASE_MARGIN_MS } : {}),
  };
  if (event?.shard !== undefined) return runShard({ ...deps, shard: parseShard(event.shard) });
  const summary =
    c.aggregationShards > 1 && c.shardWorkerFunction
      ? await dispatchAggregation(deps, c.aggregationShards, lambdaShardInvoker(new LambdaClient({}), c.shardWorkerFunction))
      : await runAggregation(deps);
  // Surface a failing source as a failed invocation (Lambda Errors alarm) after everything else ran.
  if (summary.sourceErrors.length) throw new Error(`usage sources failed: ${summary.sourceErrors.join(", ")}; see the logs`);
  return summary;
}
