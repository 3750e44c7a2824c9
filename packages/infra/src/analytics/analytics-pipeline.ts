import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment } from "../iam";
import { physicalName } from "../naming";
import type { BuilderScope } from "../scope";
import type { AnalyticsGrants, AnalyticsPipelineArgs } from "./args";
import { buildCatalog } from "./catalog";
import { buildDelivery } from "./delivery";
import { analyticsGrants } from "./grants";
import { pricingRows } from "./pricing";
import { buildSource } from "./source";
import { buildStorage } from "./storage";
import { validateAnalyticsPipelineArgs } from "./validate";
import { buildWorkgroup } from "./workgroup";

export type { AnalyticsGrants, AnalyticsPipelineArgs, AnalyticsSource } from "./args";
export type { PriceWriter } from "./price-writer";
export { analyticsSubscriptionRoleName } from "./source";

/**
 * Claude Code usage history for SQL: the collector's EMF lines → CloudWatch Logs subscription →
 * Firehose (native CloudWatch Logs decompression and message extraction, Parquet conversion with the
 * Glue schema) → S3 under `metrics/yyyy/MM/dd/` → Glue tables with partition projection → an Athena
 * workgroup with enforced, KMS-encrypted results, a bytes-scanned cutoff and the named queries.
 * One customer managed key encrypts the stream, the buckets, the logs and the query results.
 */
export class AnalyticsPipeline extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly dataBucketName: pulumi.Output<string>;
  readonly referenceBucketName: pulumi.Output<string>;
  readonly referenceBucketArn: pulumi.Output<string>;
  readonly resultsBucketName: pulumi.Output<string>;
  readonly databaseName: pulumi.Output<string>;
  readonly workgroupName: pulumi.Output<string>;
  readonly deliveryStreamName: pulumi.Output<string>;
  readonly deliveryStreamArn: pulumi.Output<string>;
  /** The log group the pipeline reads (its own or the collector's). */
  readonly sourceLogGroupName: pulumi.Output<string>;
  readonly sourceLogGroupArn: pulumi.Output<string>;
  readonly namedQueryIds: Record<string, pulumi.Output<string>>;
  readonly grants: AnalyticsGrants;

  constructor(name: string, args: AnalyticsPipelineArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:analytics:AnalyticsPipeline", name, {}, opts);
    const problems = validateAnalyticsPipelineArgs(args);
    if (problems.length) throw new Error(`AnalyticsPipeline ${name}: ${problems.join("; ")}`);
    // Prices first: a bad override fails before anything is declared.
    pricingRows({ ...(args.priceOverrides ? { overrides: args.priceOverrides } : {}) });
    const scope: BuilderScope = { name, parent: this, tags: { ...(args.tags ?? {}) } };
    const env = awsEnvironment(this);
    const { namePrefix, permissionsBoundaryArn } = args;
    const forceDestroy = args.forceDestroy ?? false;
    const databaseName = physicalName("glue", [namePrefix, "analytics"]);
    const workgroupName = physicalName("athenaWorkgroup", [namePrefix, "analytics"]);

    const { keyArn, data, reference, results } = buildStorage(scope, env, args);

    const catalog = buildCatalog(scope, {
      databaseName,
      keyArn,
      data,
      reference,
      priceOverrides: args.priceOverrides,
      modelAliases: args.modelAliases,
      externalPriceWriter: args.priceWriter !== undefined,
    });
    const stream = buildDelivery(scope, {
      env,
      namePrefix,
      databaseName,
      keyArn,
      data,
      catalog,
      bufferIntervalSeconds: args.bufferIntervalSeconds,
      deliveryLogRetentionDays: args.deliveryLogRetentionDays,
      permissionsBoundaryArn,
    });
    const source = buildSource(scope, { env, namePrefix, source: args.source, keyArn, streamArn: stream.arn, permissionsBoundaryArn });
    const athena = buildWorkgroup(scope, {
      env,
      workgroupName,
      keyArn,
      results,
      database: catalog.database,
      bytesScannedCutoffPerQuery: args.bytesScannedCutoffPerQuery,
      forceDestroy,
    });
    this.grants = analyticsGrants(scope, {
      env,
      databaseName,
      workgroupName,
      keyArn,
      data,
      reference,
      results,
      ...(source.ownLogGroup ? { ownLogGroup: source.ownLogGroup } : {}),
    });

    this.keyArn = keyArn;
    this.dataBucketName = data.bucketName;
    this.referenceBucketName = reference.bucketName;
    this.referenceBucketArn = reference.arn;
    this.resultsBucketName = results.bucketName;
    this.databaseName = catalog.database.name;
    this.workgroupName = athena.workgroup.name;
    this.deliveryStreamName = stream.name;
    this.deliveryStreamArn = stream.arn;
    this.sourceLogGroupName = source.logGroupName;
    this.sourceLogGroupArn = source.logGroupArn;
    this.namedQueryIds = athena.namedQueryIds;
    this.registerOutputs({
      keyArn: this.keyArn,
      dataBucketName: this.dataBucketName,
      referenceBucketName: this.referenceBucketName,
      resultsBucketName: this.resultsBucketName,
      databaseName: this.databaseName,
      workgroupName: this.workgroupName,
      deliveryStreamName: this.deliveryStreamName,
      deliveryStreamArn: this.deliveryStreamArn,
      sourceLogGroupName: this.sourceLogGroupName,
      sourceLogGroupArn: this.sourceLogGroupArn,
      namedQueryIds: this.namedQueryIds,
    });
  }
}
