import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, arn, policyDocument, renderPolicy, serviceTrustStatement, type AwsEnvironment } from "../iam";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import type { SecureBucket } from "../storage";
import { glueArns, s3ViaService } from "./arns";
import type { Catalog } from "./catalog";
import * as perms from "./perms";
import { EMF_COLUMN, EMF_KEY, ERRORS_PREFIX, FIREHOSE_ERROR_PREFIX, FIREHOSE_PREFIX, METRICS_PREFIX, TABLE } from "./schema";

export interface DeliveryArgs {
  readonly env: AwsEnvironment;
  readonly namePrefix: string;
  readonly databaseName: string;
  readonly keyArn: pulumi.Output<string>;
  readonly data: SecureBucket;
  readonly catalog: Catalog;
  readonly bufferIntervalSeconds?: number;
  readonly deliveryLogRetentionDays?: number;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

interface DeliveryLogs {
  readonly group: aws.cloudwatch.LogGroup;
  readonly stream: aws.cloudwatch.LogStream;
}

/** Firehose → S3 as Parquet, converted with the Glue metrics schema, with its own error log and role. */
export function buildDelivery(scope: BuilderScope, args: DeliveryArgs): aws.kinesis.FirehoseDeliveryStream {
  const streamName = physicalName("firehose", [args.namePrefix, "claude-code-metrics"]);
  const logs = deliveryLogs(scope, args, streamName);
  const { role, policy } = deliveryRole(scope, args, streamName, logs);
  const { env, keyArn, catalog } = args;
  return new aws.kinesis.FirehoseDeliveryStream(
    `${scope.name}-delivery`,
    {
      name: streamName,
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn },
      extendedS3Configuration: {
        roleArn: role.arn,
        bucketArn: args.data.readyArn,
        prefix: FIREHOSE_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        // Parquet conversion needs at least 64 MB; objects are compressed by the Parquet serializer, not by Firehose.
        bufferingSize: 128,
        bufferingInterval: args.bufferIntervalSeconds ?? 300,
        compressionFormat: "UNCOMPRESSED",
        fileExtension: ".parquet",
        kmsKeyArn: keyArn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logs.group.name, logStreamName: logs.stream.name },
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
            deserializer: {
              openXJsonSerDe: {
                caseInsensitive: true,
                convertDotsInJsonKeysToUnderscores: true,
                columnToJsonKeyMappings: { [EMF_COLUMN]: EMF_KEY },
              },
            },
          },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
          schemaConfiguration: {
            roleArn: role.arn,
            databaseName: catalog.database.name,
            tableName: catalog.metrics.name,
            region: env.region,
            catalogId: env.accountId,
            versionId: "LATEST",
          },
        },
      },
      tags: scope.tags,
    },
    childOpts(scope, { dependsOn: [policy] }),
  );
}

function deliveryLogs(scope: BuilderScope, args: DeliveryArgs, streamName: string): DeliveryLogs {
  const group = new aws.cloudwatch.LogGroup(
    `${scope.name}-delivery-logs`,
    {
      name: physicalName("logGroup", [`/aws/kinesisfirehose/${streamName}`]),
      retentionInDays: args.deliveryLogRetentionDays ?? 30,
      kmsKeyId: args.keyArn,
      tags: scope.tags,
    },
    childOpts(scope),
  );
  const stream = new aws.cloudwatch.LogStream(
    `${scope.name}-delivery-log-stream`,
    { logGroupName: group.name, name: "S3Delivery" },
    childOpts(scope),
  );
  return { group, stream };
}

function deliveryRole(scope: BuilderScope, args: DeliveryArgs, streamName: string, logs: DeliveryLogs) {
  const { env, data, keyArn } = args;
  const streamArn = arn(env.partition, "firehose", env.region, env.accountId, `deliverystream/${streamName}`);
  const role = new aws.iam.Role(
    `${scope.name}-delivery-role`,
    {
      description: `Firehose ${streamName}: write Parquet to the analytics bucket`,
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("firehose.amazonaws.com", env.accountId, streamArn))),
      maxSessionDuration: 3600,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags: scope.tags,
    },
    childOpts(scope),
  );
  const glue = glueArns(env, args.databaseName);
  const statements = [
    allow(perms.DELIVERY_BUCKET_ACTIONS, [data.arn], { sid: "BucketLevel" }),
    allow(
      perms.DELIVERY_OBJECT_ACTIONS,
      [pulumi.interpolate`${data.arn}/${METRICS_PREFIX}*`, pulumi.interpolate`${data.arn}/${ERRORS_PREFIX}*`],
      { sid: "WriteObjects" },
    ),
    allow(perms.KMS_S3_ACTIONS, [keyArn], {
      sid: "EncryptObjects",
      // The data bucket uses an S3 Bucket Key, so S3 asks KMS with the *bucket* ARN as encryption context.
      conditions: { StringEquals: { ...s3ViaService(env).StringEquals, "kms:EncryptionContext:aws:s3:arn": data.arn } },
    }),
    allow(perms.DELIVERY_SCHEMA_ACTIONS, [glue.catalog, glue.database, glue.table(TABLE.metrics)], { sid: "ReadSchema" }),
    allow(perms.DELIVERY_LOG_ACTIONS, [pulumi.interpolate`${logs.group.arn}:log-stream:S3Delivery`], { sid: "LogErrors" }),
  ];
  const policy = new aws.iam.RolePolicy(
    `${scope.name}-delivery-policy`,
    { role: role.name, policy: renderPolicy(policyDocument(...statements)) },
    childOpts(scope),
  );
  return { role, policy };
}
