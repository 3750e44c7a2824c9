/**
 * IAM actions of the telemetry module, one constant per purpose. No wildcards; where an action cannot
 * be scoped to a resource, the statement that uses it says so and adds a condition instead.
 */

/** ECS agent (execution role): write the container's own log stream. Image pulls from public registries need no IAM. */
export const CONTAINER_LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/** Collector (task role): the `awsemf` and `awscloudwatchlogs` exporters write to pre-created groups (no CreateLogGroup, no PutRetentionPolicy). */
export const COLLECTOR_LOG_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"] as const;

/** Collector (task role): the `awss3` exporter writes objects under its prefixes only. */
export const RAW_WRITE_ACTIONS = ["s3:PutObject"] as const;

/** Writing SSE-KMS objects (multipart uploads need Decrypt too); scoped with kms:ViaService. */
export const KMS_WRITE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** Aggregation Lambda: Logs Insights over the collector's log groups. */
export const INSIGHTS_START_ACTIONS = ["logs:StartQuery"] as const;
/** GetQueryResults/StopQuery take no log-group resource (query ids are account-scoped). */
export const INSIGHTS_READ_ACTIONS = ["logs:GetQueryResults", "logs:StopQuery"] as const;

/** PutMetricData has no resource; the statement pins the namespace with cloudwatch:namespace. */
export const PUT_METRIC_ACTIONS = ["cloudwatch:PutMetricData"] as const;

/** Lambda's own log stream (log group pre-created with retention). */
export const FUNCTION_LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/** Model lifecycle check: read a foundation model's lifecycle. */
export const MODEL_READ_ACTIONS = ["bedrock:GetFoundationModel"] as const;

/** Model lifecycle check: notify the stage's alarm topic (KMS-encrypted: the publisher needs the key). */
export const NOTIFY_ACTIONS = ["sns:Publish"] as const;
export const KMS_PUBLISH_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** VPC flow logs (service role): write the flow log group's streams. */
export const FLOW_LOG_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"] as const;

/** EventBridge invokes the aggregation function (resource policy on the function, scoped to the schedule rule). */
export const SCHEDULE_INVOKE_ACTION = "lambda:InvokeFunction";

/** Token endpoint function: signs tokens and reads the public key; nothing else on the key, and nobody else may sign. */
export const TOKEN_SIGN_ACTIONS = ["kms:Sign", "kms:GetPublicKey"] as const;
/** Token endpoint function: user attributes (email, department, division, cost center) by IdC user name. */
export const IDENTITY_STORE_READ_ACTIONS = ["identitystore:GetUserId", "identitystore:DescribeUser"] as const;
/** Callers of the token endpoint: `GET /token` only. */
export const TOKEN_INVOKE_ACTIONS = ["execute-api:Invoke"] as const;
/** Token endpoint function: write its own log streams (the group is pre-created with retention and a key). */
export const TOKEN_LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/**
 * Service-quota publisher: read Bedrock's applied and default quota values. Read-only; the statement uses
 * Resource "*" because a quota ARN the Service Authorization Reference does not list for an action would
 * deny it silently and leave the quota alarms without data.
 */
export const SERVICE_QUOTA_READ_ACTIONS = [
  "servicequotas:GetServiceQuota",
  "servicequotas:GetAWSDefaultServiceQuota",
  "servicequotas:ListServiceQuotas",
  "servicequotas:ListAWSDefaultServiceQuotas",
] as const;
