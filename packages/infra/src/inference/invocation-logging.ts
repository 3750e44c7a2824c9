import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, policyDocument, renderPolicy, serviceTrustStatement, type AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { InferenceAccountArgs } from "./args";
import { buildInvocationAudit, buildInvocationBucket, LARGE_DATA_PREFIX } from "./invocation-audit";
import { LOG_DELIVERY_ACTIONS } from "./perms";

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
  /** Full-text logging (`settings.text`): the audit bucket, its key and the only role that reads it. */
  readonly audit?: {
    readonly bucketName: pulumi.Output<string>;
    readonly keyArn: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
  };
}

/**
 * Bedrock model invocation logging to S3 and CloudWatch Logs: metadata only, or, with the audit option
 * `settings.text`, prompts and responses too, the S3 copy then going to the audit bucket under its own key.
 */
export function buildInvocationLogging(scope: BuilderScope, args: InvocationLoggingInputs): InvocationLogs {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const { env } = args;
  const text = args.settings.text === true;
  const expirationDays = args.settings.s3ExpirationDays;
  const audit = text ? buildInvocationAudit(scope, { ...args, expirationDays }) : undefined;
  const bucket = audit?.bucket ?? buildInvocationBucket(`${name}-invocation-logs`, scope, { ...args, expirationDays });
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
        // Metadata only (identity, model, token counts) unless the stage chose the audit option: prompts
        // hold source code. One configuration per account and Region: both destinations get the same records.
        textDataDeliveryEnabled: text,
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
  return {
    bucketName: bucket.bucketName,
    bucketArn: bucket.arn,
    logGroupName: logGroup.name,
    logGroupArn: logGroup.arn,
    ...(audit ? { audit: { bucketName: audit.bucket.bucketName, keyArn: audit.keyArn, roleArn: audit.roleArn } } : {}),
  };
}
