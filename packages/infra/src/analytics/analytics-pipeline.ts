import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, arn, awsEnvironment, grant, policyDocument, renderPolicy, serviceTrustStatement, type Grant, type Grantee } from "../iam";
import { physicalName } from "../naming";
import { customerKey, SecureBucket } from "../storage";
import * as perms from "./perms";
import { pricingCsv, pricingRows, type PriceOverrides } from "./pricing";
import { NAMED_QUERIES } from "./queries";
import {
  EMF_COLUMN,
  EMF_KEY,
  ERRORS_PREFIX,
  FIREHOSE_ERROR_PREFIX,
  FIREHOSE_PREFIX,
  METRICS_COLUMNS,
  METRICS_PREFIX,
  PARTITION_COLUMN,
  PRICING_COLUMNS,
  PRICING_OBJECT_KEY,
  PRICING_PREFIX,
  PROJECTION_START,
  TABLE,
  USER_DIRECTORY_COLUMNS,
  USER_DIRECTORY_PREFIX,
  type Column,
} from "./schema";
import { validateAnalyticsPipelineArgs } from "./validate";

/**
 * Physical name of the role CloudWatch Logs uses to forward EMF lines to Firehose. Fixed per stage: the
 * CI guardrails name it (PutSubscriptionFilter passes it without `iam:PassedToService`).
 */
export function analyticsSubscriptionRoleName(namePrefix: string): string {
  return physicalName("iamRole", [namePrefix, "analytics-subscription"]);
}

/** Where the EMF lines come from. */
export type AnalyticsSource =
  /** The collector's existing EMF log group (the telemetry module's metrics log group): subscribe to it. */
  | { readonly logGroupName: pulumi.Input<string>; readonly logGroupArn: pulumi.Input<string> }
  /** Create a dedicated log group the collector's `awsemf` exporter writes to (see `grants.writeMetricEvents`). */
  | { readonly createLogGroup: { readonly retentionDays: number } };

export interface AnalyticsPipelineArgs {
  /** Prefix of physical names (`ccb-prod`): database `ccb_prod_analytics`, workgroup `ccb-prod-analytics`. */
  readonly namePrefix: string;
  readonly source: AnalyticsSource;
  /** Days Parquet data is kept. Chargeback and year-over-year need more than a year. */
  readonly dataRetentionDays: number;
  /** Days Athena query results are kept. @default 30 */
  readonly resultsRetentionDays?: number;
  /**
   * Athena stops a query that scans more than this many bytes. @default 10 GiB — the whole data set
   * of a few thousand developers for a year is a few GB of Parquet; a query that scans more is a
   * mistake (a missing `dt` predicate on years of data).
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Firehose buffer interval: latency against object count. @default 300 */
  readonly bufferIntervalSeconds?: number;
  /** Retention of Firehose's delivery error log. @default 30 */
  readonly deliveryLogRetentionDays?: number;
  /** Negotiated or changed prices (USD per million tokens) per base model id. */
  readonly priceOverrides?: PriceOverrides;
  /**
   * Model ids Claude Code may report that the catalog does not list, priced as a known base model:
   * application inference profile ARNs of the stage's teams.
   */
  readonly modelAliases?: ReadonlyArray<{ readonly id: pulumi.Input<string>; readonly baseModelId: string }>;
  /** Let `pulumi destroy` delete non-empty buckets and the workgroup's history. @default false */
  readonly forceDestroy?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface AnalyticsGrants {
  /** Analysts and BI tools: run the named (and ad-hoc) queries in the workgroup and read the results. */
  runQueries(grantee: Grantee): Grant;
  /** The collector's task role: write EMF lines to the pipeline's own log group (only with `source.createLogGroup`). */
  writeMetricEvents(grantee: Grantee): Grant;
  /** A directory sync job: replace the user directory CSV under `user-directory/`. */
  uploadUserDirectory(grantee: Grantee): Grant;
}

const glueColumns = (cols: readonly Column[]) => cols.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));

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
    const parent = { parent: this };
    const env = awsEnvironment(this);
    const tags = { ...(args.tags ?? {}) };
    const forceDestroy = args.forceDestroy ?? false;
    // Prices first: a bad override fails before anything is declared.
    pricingRows({ ...(args.priceOverrides ? { overrides: args.priceOverrides } : {}) });

    const databaseName = physicalName("glue", [args.namePrefix, "analytics"]);
    const workgroupName = physicalName("athenaWorkgroup", [args.namePrefix, "analytics"]);
    const streamName = physicalName("firehose", [args.namePrefix, "claude-code-metrics"]);
    const deliveryLogGroupName = physicalName("logGroup", [`/aws/kinesisfirehose/${streamName}`]);
    const logGroupArn = (group: pulumi.Input<string>) => arn(env.partition, "logs", env.region, env.accountId, pulumi.interpolate`log-group:${group}`);
    const streamArn = arn(env.partition, "firehose", env.region, env.accountId, `deliverystream/${streamName}`);

    // ---- Key ------------------------------------------------------------------------------------
    const key = customerKey(this, name, env, {
      description: `${args.namePrefix}: Claude Code analytics (Firehose, S3, logs, Athena results)`,
      alias: `${args.namePrefix}-analytics`,
      logGroups: "*",
      tags,
    });
    this.keyArn = key.arn;

    // ---- Buckets --------------------------------------------------------------------------------
    const data = new SecureBucket(`${name}-data`, { kmsKeyArn: key.arn, expirationDays: args.dataRetentionDays, noncurrentExpirationDays: 7, forceDestroy, tags }, parent);
    // Pricing and the user directory must not expire with the data: a bucket of their own, kept ten years.
    const reference = new SecureBucket(`${name}-reference`, { kmsKeyArn: key.arn, expirationDays: 3653, noncurrentExpirationDays: 90, forceDestroy, tags }, parent);
    const results = new SecureBucket(`${name}-results`, { kmsKeyArn: key.arn, expirationDays: args.resultsRetentionDays ?? 30, noncurrentExpirationDays: 1, forceDestroy, tags }, parent);

    // ---- Catalog --------------------------------------------------------------------------------
    const database = new aws.glue.CatalogDatabase(`${name}-database`, { name: databaseName, description: "Claude Code usage (OpenTelemetry metrics), prices and user directory", tags }, parent);
    const location = (bucket: pulumi.Output<string>, prefix: string) => pulumi.interpolate`s3://${bucket}/${prefix}`;
    const metrics = new aws.glue.CatalogTable(`${name}-metrics`, {
      databaseName: database.name,
      name: TABLE.metrics,
      description: "Claude Code metric records as the collector exported them (EMF), one column per metric; partitioned by arrival day",
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": "SNAPPY",
        "projection.enabled": "true",
        [`projection.${PARTITION_COLUMN.name}.type`]: "date",
        [`projection.${PARTITION_COLUMN.name}.format`]: "yyyy/MM/dd",
        [`projection.${PARTITION_COLUMN.name}.range`]: `${PROJECTION_START},NOW`,
        [`projection.${PARTITION_COLUMN.name}.interval`]: "1",
        [`projection.${PARTITION_COLUMN.name}.interval.unit`]: "DAYS",
        "storage.location.template": pulumi.interpolate`s3://${data.bucketName}/${METRICS_PREFIX}\${${PARTITION_COLUMN.name}}/`,
      },
      partitionKeys: glueColumns([PARTITION_COLUMN]),
      storageDescriptor: {
        location: location(data.bucketName, METRICS_PREFIX),
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", parameters: { "serialization.format": "1" } },
        columns: glueColumns(METRICS_COLUMNS),
      },
    }, parent);
    const csvTable = (role: string, table: string, description: string, bucket: pulumi.Output<string>, prefix: string, columns: readonly Column[]) =>
      new aws.glue.CatalogTable(`${name}-${role}`, {
        databaseName: database.name,
        name: table,
        description,
        tableType: "EXTERNAL_TABLE",
        parameters: { EXTERNAL: "TRUE", classification: "csv", "skip.header.line.count": "1" },
        storageDescriptor: {
          location: location(bucket, prefix),
          inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
          outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
          serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", parameters: { "field.delim": ",", "serialization.format": "," } },
          columns: glueColumns(columns),
        },
      }, parent);
    csvTable("pricing-table", TABLE.pricing, "Bedrock on-demand prices (USD per million tokens) per model id Claude Code reports; written by Pulumi from the model catalog", reference.bucketName, PRICING_PREFIX, PRICING_COLUMNS);
    csvTable("user-directory", TABLE.userDirectory, "Department and team per user email, for IdP tokens without those claims; upload a CSV with a header line", reference.bucketName, USER_DIRECTORY_PREFIX, USER_DIRECTORY_COLUMNS);

    const aliases = args.modelAliases ?? [];
    const csv = pulumi.all(aliases.map((a) => pulumi.output(a.id))).apply((ids) =>
      pricingCsv(pricingRows({ ...(args.priceOverrides ? { overrides: args.priceOverrides } : {}), aliases: Object.fromEntries(ids.map((id, i) => [id, aliases[i]!.baseModelId])) })),
    );
    new aws.s3.BucketObjectv2(`${name}-prices`, {
      bucket: reference.bucketName,
      key: PRICING_OBJECT_KEY,
      content: csv,
      contentType: "text/csv",
      serverSideEncryption: "aws:kms",
      kmsKeyId: key.arn,
      bucketKeyEnabled: true,
      tags,
    }, { parent: this, dependsOn: [reference] });

    // ---- Firehose -------------------------------------------------------------------------------
    const deliveryLogs = new aws.cloudwatch.LogGroup(`${name}-delivery-logs`, { name: deliveryLogGroupName, retentionInDays: args.deliveryLogRetentionDays ?? 30, kmsKeyId: key.arn, tags }, parent);
    const deliveryLogStream = new aws.cloudwatch.LogStream(`${name}-delivery-log-stream`, { logGroupName: deliveryLogs.name, name: "S3Delivery" }, parent);
    const deliveryRole = new aws.iam.Role(`${name}-delivery-role`, {
      description: `Firehose ${streamName}: write Parquet to the analytics bucket`,
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("firehose.amazonaws.com", env.accountId, streamArn))),
      maxSessionDuration: 3600,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    }, parent);
    const catalogArn = arn(env.partition, "glue", env.region, env.accountId, "catalog");
    const databaseArn = arn(env.partition, "glue", env.region, env.accountId, `database/${databaseName}`);
    const tableArn = (table: string) => arn(env.partition, "glue", env.region, env.accountId, `table/${databaseName}/${table}`);
    const s3ViaService = { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${env.region}.${env.dnsSuffix}` } };
    const deliveryStatements = [
      allow(perms.DELIVERY_BUCKET_ACTIONS, [data.arn], { sid: "BucketLevel" }),
      allow(perms.DELIVERY_OBJECT_ACTIONS, [pulumi.interpolate`${data.arn}/${METRICS_PREFIX}*`, pulumi.interpolate`${data.arn}/${ERRORS_PREFIX}*`], { sid: "WriteObjects" }),
      allow(perms.KMS_S3_ACTIONS, [key.arn], {
        sid: "EncryptObjects",
        // The data bucket uses an S3 Bucket Key, so S3 asks KMS with the *bucket* ARN as encryption context.
        conditions: { StringEquals: { ...s3ViaService.StringEquals, "kms:EncryptionContext:aws:s3:arn": data.arn } },
      }),
      allow(perms.DELIVERY_SCHEMA_ACTIONS, [catalogArn, databaseArn, tableArn(TABLE.metrics)], { sid: "ReadSchema" }),
      allow(perms.DELIVERY_LOG_ACTIONS, [pulumi.interpolate`${deliveryLogs.arn}:log-stream:S3Delivery`], { sid: "LogErrors" }),
    ];
    const deliveryPolicy = new aws.iam.RolePolicy(`${name}-delivery-policy`, { role: deliveryRole.name, policy: renderPolicy(policyDocument(...deliveryStatements)) }, parent);

    const stream = new aws.kinesis.FirehoseDeliveryStream(`${name}-delivery`, {
      name: streamName,
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: key.arn },
      extendedS3Configuration: {
        roleArn: deliveryRole.arn,
        bucketArn: data.readyArn,
        prefix: FIREHOSE_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        // Parquet conversion needs at least 64 MB; objects are compressed by the Parquet serializer, not by Firehose.
        bufferingSize: 128,
        bufferingInterval: args.bufferIntervalSeconds ?? 300,
        compressionFormat: "UNCOMPRESSED",
        fileExtension: ".parquet",
        kmsKeyArn: key.arn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: deliveryLogs.name, logStreamName: deliveryLogStream.name },
        processingConfiguration: {
          enabled: true,
          processors: [
            // CloudWatch Logs delivers gzip'd batches of log events; Firehose unpacks them and keeps each EMF line as a record.
            { type: "Decompression", parameters: [{ parameterName: "CompressionFormat", parameterValue: "GZIP" }] },
            { type: "CloudWatchLogProcessing", parameters: [{ parameterName: "DataMessageExtraction", parameterValue: "true" }] },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: {
            deserializer: { openXJsonSerDe: { caseInsensitive: true, convertDotsInJsonKeysToUnderscores: true, columnToJsonKeyMappings: { [EMF_COLUMN]: EMF_KEY } } },
          },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
          schemaConfiguration: { roleArn: deliveryRole.arn, databaseName: database.name, tableName: metrics.name, region: env.region, catalogId: env.accountId, versionId: "LATEST" },
        },
      },
      tags,
    }, { parent: this, dependsOn: [deliveryPolicy] });

    // ---- Source: CloudWatch Logs subscription ---------------------------------------------------
    let ownLogGroup: aws.cloudwatch.LogGroup | undefined;
    let sourceName: pulumi.Output<string>;
    let sourceArn: pulumi.Output<string>;
    if ("createLogGroup" in args.source) {
      ownLogGroup = new aws.cloudwatch.LogGroup(`${name}-emf`, {
        name: physicalName("logGroup", [`/${args.namePrefix}/claude-code/analytics-emf`]),
        retentionInDays: args.source.createLogGroup.retentionDays,
        kmsKeyId: key.arn,
        tags,
      }, parent);
      sourceName = ownLogGroup.name;
      sourceArn = ownLogGroup.arn;
    } else {
      sourceName = pulumi.output(args.source.logGroupName);
      sourceArn = pulumi.output(args.source.logGroupArn);
    }
    const subscriptionRole = new aws.iam.Role(`${name}-subscription-role`, {
      // A stable name: CloudWatch Logs' PutSubscriptionFilter checks iam:PassRole without
      // iam:PassedToService, so the CI guardrails exempt exactly this role (cicd/github-deploy-roles.ts).
      name: analyticsSubscriptionRoleName(args.namePrefix),
      description: "CloudWatch Logs: forward the collector's EMF lines to the analytics Firehose stream",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("logs.amazonaws.com", env.accountId, logGroupArn("*")))),
      maxSessionDuration: 3600,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    }, parent);
    const subscriptionPolicy = new aws.iam.RolePolicy(`${name}-subscription-policy`, {
      role: subscriptionRole.name,
      policy: renderPolicy(policyDocument(allow(perms.FIREHOSE_PUT_ACTIONS, [stream.arn], { sid: "PutIntoStream" }))),
    }, parent);
    new aws.cloudwatch.LogSubscriptionFilter(`${name}-subscription`, {
      logGroup: sourceName,
      name: `${args.namePrefix}-analytics`,
      // Every line: the collector's log group holds only Claude Code metrics (it filters on `claude_code.`).
      filterPattern: "",
      destinationArn: stream.arn,
      roleArn: subscriptionRole.arn,
    }, { parent: this, dependsOn: [subscriptionPolicy] });

    // ---- Athena ---------------------------------------------------------------------------------
    const workgroup = new aws.athena.Workgroup(`${name}-workgroup`, {
      name: workgroupName,
      description: "Claude Code analytics: usage, cost, adoption. Results encrypted with the analytics key.",
      state: "ENABLED",
      forceDestroy,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: args.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: pulumi.interpolate`s3://${results.bucketName}/athena/`,
          expectedBucketOwner: env.accountId,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.arn },
        },
      },
      tags,
    }, { parent: this, dependsOn: [results] });
    this.namedQueryIds = {};
    for (const q of NAMED_QUERIES) {
      const nq = new aws.athena.NamedQuery(`${name}-query-${q.key}`, { name: q.name, description: q.description, database: database.name, workgroup: workgroup.name, query: q.sql }, parent);
      this.namedQueryIds[q.key] = nq.id;
    }

    // ---- Grants ---------------------------------------------------------------------------------
    const workgroupArn = arn(env.partition, "athena", env.region, env.accountId, `workgroup/${workgroupName}`);
    this.grants = {
      runQueries: (grantee) =>
        grant(this, name, "run-queries", grantee, [
          allow(perms.ATHENA_QUERY_ACTIONS, [workgroupArn], { sid: "QueryInWorkgroup" }),
          allow(perms.GLUE_READ_ACTIONS, [catalogArn, databaseArn, arn(env.partition, "glue", env.region, env.accountId, `table/${databaseName}/*`)], { sid: "ReadCatalog" }),
          allow(perms.DATA_READ_BUCKET_ACTIONS, [data.arn, reference.arn], { sid: "ListData" }),
          allow(perms.DATA_READ_OBJECT_ACTIONS, [pulumi.interpolate`${data.arn}/${METRICS_PREFIX}*`, pulumi.interpolate`${reference.arn}/*`], { sid: "ReadData" }),
          allow(perms.RESULTS_BUCKET_ACTIONS, [results.arn], { sid: "ListResults" }),
          allow(perms.RESULTS_OBJECT_ACTIONS, [pulumi.interpolate`${results.arn}/athena/*`], { sid: "WriteResults" }),
          allow(perms.KMS_S3_ACTIONS, [key.arn], { sid: "UseKeyThroughS3", conditions: s3ViaService }),
        ]),
      writeMetricEvents: (grantee) => {
        if (!ownLogGroup) throw new Error(`AnalyticsPipeline ${name}: writeMetricEvents is only for source.createLogGroup; grant writes on the collector's own log group instead`);
        return grant(this, name, "write-metric-events", grantee, [
          allow(perms.EMF_WRITE_ACTIONS, [ownLogGroup.arn, pulumi.interpolate`${ownLogGroup.arn}:log-stream:*`], { sid: "WriteEmfLines" }),
        ]);
      },
      uploadUserDirectory: (grantee) =>
        grant(this, name, "upload-user-directory", grantee, [
          allow(perms.DIRECTORY_WRITE_ACTIONS, [pulumi.interpolate`${reference.arn}/${USER_DIRECTORY_PREFIX}*`], { sid: "WriteDirectory" }),
          allow(perms.KMS_S3_ACTIONS, [key.arn], { sid: "EncryptDirectory", conditions: s3ViaService }),
        ]),
    };

    this.dataBucketName = data.bucketName;
    this.referenceBucketName = reference.bucketName;
    this.resultsBucketName = results.bucketName;
    this.databaseName = database.name;
    this.workgroupName = workgroup.name;
    this.deliveryStreamName = stream.name;
    this.deliveryStreamArn = stream.arn;
    this.sourceLogGroupName = sourceName;
    this.sourceLogGroupArn = sourceArn;
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
