import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, policyDocument, renderPolicy, serviceTrustStatement, type AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import { SecureBucket } from "../storage";
import type { InferenceAccountArgs } from "./args";
import { LOG_DELIVERY_ACTIONS, LOG_OBJECT_DELIVERY_ACTIONS } from "./perms";

/** Key prefix of invocation payloads too large for CloudWatch Logs (kept apart from the log records). */
const LARGE_DATA_PREFIX = "large-data";

export interface InvocationLoggingInputs {
  readonly namePrefix: string;
  readonly region: string;
  readonly settings: InferenceAccountArgs["invocationLogging"];
  readonly env: AwsEnvironment;
  readonly keyArn: pulumi.Output<string>;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface InvocationLogs {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;
}

/** The bucket Bedrock delivers to: records under AWSLogs/…, payloads too large for CloudWatch Logs under large-data/AWSLogs/…. */
function buildLogBucket(scope: BuilderScope, args: InvocationLoggingInputs): SecureBucket {
  const { env } = args;
  return new SecureBucket(
    `${scope.name}-invocation-logs`,
    {
      kmsKeyArn: args.keyArn,
      expirationDays: args.settings.s3ExpirationDays,
      policyStatements: (arn) => [
        allow(
          LOG_OBJECT_DELIVERY_ACTIONS,
          [
            pulumi.interpolate`${arn}/AWSLogs/${env.accountId}/BedrockModelInvocationLogs/*`,
            pulumi.interpolate`${arn}/${LARGE_DATA_PREFIX}/AWSLogs/${env.accountId}/BedrockModelInvocationLogs/*`,
          ],
          {
            sid: "BedrockDeliversInvocationLogs",
            principal: { Service: "bedrock.amazonaws.com" },
            conditions: {
              StringEquals: { "aws:SourceAccount": env.accountId },
              ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}:${env.accountId}:*` },
            },
          },
        ),
      ],
      tags: scope.tags,
    },
    { parent: scope.parent },
  );
}

/** Bedrock model invocation logging to S3 and CloudWatch Logs, metadata only. */
export function buildInvocationLogging(scope: BuilderScope, args: InvocationLoggingInputs): InvocationLogs {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const { env } = args;
  const bucket = buildLogBucket(scope, args);
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-invocation-logs`,
    {
      name: `/aws/bedrock/${args.namePrefix}/model-invocations`,
      retentionInDays: args.settings.logRetentionDays,
      kmsKeyId: args.keyArn,
      tags,
    },
    parent,
  );
  const deliveryRole = new aws.iam.Role(
    `${name}-log-delivery`,
    {
      description: "Bedrock writes model invocation logs to CloudWatch Logs",
      assumeRolePolicy: renderPolicy(
        policyDocument(
          serviceTrustStatement(
            "bedrock.amazonaws.com",
            env.accountId,
            pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}:${env.accountId}:*`,
          ),
        ),
      ),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    parent,
  );
  const deliveryPolicy = new aws.iam.RolePolicy(
    `${name}-log-delivery-write`,
    {
      role: deliveryRole.name,
      policy: renderPolicy(
        policyDocument(allow(LOG_DELIVERY_ACTIONS, [pulumi.interpolate`${logGroup.arn}:log-stream:*`], { sid: "WriteInvocationLogs" })),
      ),
    },
    parent,
  );
  new aws.bedrockmodel.InvocationLoggingConfiguration(
    `${name}-invocation-logging`,
    {
      region: args.region,
      loggingConfig: {
        // Metadata only (identity, model, token counts): prompts hold source code and stay out of logs.
        textDataDeliveryEnabled: false,
        imageDataDeliveryEnabled: false,
        embeddingDataDeliveryEnabled: false,
        videoDataDeliveryEnabled: false,
        s3Config: { bucketName: bucket.bucketName, keyPrefix: "" },
        cloudwatchConfig: {
          logGroupName: logGroup.name,
          roleArn: deliveryRole.arn,
          largeDataDeliveryS3Config: { bucketName: bucket.bucketName, keyPrefix: LARGE_DATA_PREFIX },
        },
      },
    },
    childOpts(scope, { dependsOn: [deliveryPolicy, bucket] }),
  );
  return { bucketName: bucket.bucketName, bucketArn: bucket.arn, logGroupName: logGroup.name, logGroupArn: logGroup.arn };
}
