/** Deploy actions of the observability and monitoring groups: buckets, logs, alarms, topics, Bedrock settings, cross-account CloudWatch. */
import { svc } from "./common";

/** Bucket configuration only: no object reads or writes (logs and analytics data stay private). */
export const S3_DEPLOY_ACTIONS = svc("s3", [
  "CreateBucket",
  "DeleteBucket",
  "DeleteBucketPolicy",
  "GetAccelerateConfiguration",
  "GetBucketAcl",
  "GetBucketCORS",
  "GetBucketLocation",
  "GetBucketLogging",
  "GetBucketNotification",
  "GetBucketObjectLockConfiguration",
  "GetBucketOwnershipControls",
  "GetBucketPolicy",
  "GetBucketPublicAccessBlock",
  "GetBucketRequestPayment",
  "GetBucketTagging",
  "GetBucketVersioning",
  "GetBucketWebsite",
  "GetEncryptionConfiguration",
  "GetLifecycleConfiguration",
  "GetReplicationConfiguration",
  "ListBucket",
  "PutBucketNotification",
  "PutBucketOwnershipControls",
  "PutBucketPolicy",
  "PutBucketPublicAccessBlock",
  "PutBucketTagging",
  "PutBucketVersioning",
  "PutEncryptionConfiguration",
  "PutLifecycleConfiguration",
]);

/**
 * Log groups, their filters and subscriptions; no log reads. The vended-log delivery actions and the
 * resource-policy put/describe are what API Gateway's access logging (an HTTP API stage's
 * `accessLogSettings`) calls on the deployer's behalf.
 */
export const LOGS_DEPLOY_ACTIONS = svc("logs", [
  "AssociateKmsKey",
  "CreateLogDelivery",
  "CreateLogGroup",
  "CreateLogStream",
  "DeleteLogDelivery",
  "DeleteLogGroup",
  "DeleteLogStream",
  "DeleteMetricFilter",
  "DeleteRetentionPolicy",
  "DeleteSubscriptionFilter",
  "DescribeLogGroups",
  "DescribeLogStreams",
  "DescribeMetricFilters",
  "DescribeResourcePolicies",
  "DescribeSubscriptionFilters",
  "DisassociateKmsKey",
  "GetLogDelivery",
  "ListLogDeliveries",
  "ListTagsForResource",
  "ListTagsLogGroup",
  "PutMetricFilter",
  "PutResourcePolicy",
  "PutRetentionPolicy",
  "PutSubscriptionFilter",
  "TagResource",
  "UntagResource",
  "UpdateLogDelivery",
]);
/** What API Gateway access logging needs of the deployer (AWS: "Permissions for CloudWatch logging" of HTTP APIs). */
export const APIGATEWAY_ACCESS_LOG_ACTIONS = svc("logs", [
  "CreateLogDelivery",
  "DeleteLogDelivery",
  "DescribeResourcePolicies",
  "GetLogDelivery",
  "ListLogDeliveries",
  "PutResourcePolicy",
  "UpdateLogDelivery",
]);

export const CLOUDWATCH_DEPLOY_ACTIONS = svc("cloudwatch", [
  "DeleteAlarms",
  "DeleteDashboards",
  "DescribeAlarms",
  "GetDashboard",
  "ListDashboards",
  "ListTagsForResource",
  "PutDashboard",
  "PutMetricAlarm",
  "TagResource",
  "UntagResource",
]);

export const SNS_DEPLOY_ACTIONS = svc("sns", [
  "CreateTopic",
  "DeleteTopic",
  "GetSubscriptionAttributes",
  "GetTopicAttributes",
  "ListSubscriptionsByTopic",
  "ListTagsForResource",
  "SetSubscriptionAttributes",
  "SetTopicAttributes",
  "Subscribe",
  "TagResource",
  "Unsubscribe",
  "UntagResource",
]);

/** Profiles and logging configuration; no model invocation. */
export const BEDROCK_DEPLOY_ACTIONS = svc("bedrock", [
  "CreateInferenceProfile",
  "DeleteInferenceProfile",
  "DeleteModelInvocationLoggingConfiguration",
  "GetFoundationModel",
  "GetInferenceProfile",
  "GetModelInvocationLoggingConfiguration",
  "ListFoundationModels",
  "ListInferenceProfiles",
  "ListTagsForResource",
  "PutModelInvocationLoggingConfiguration",
  "TagResource",
  "UntagResource",
]);

/**
 * CloudWatch cross-account observability: the telemetry account's sink and the inference account's
 * link (so the dashboard shows Bedrock's metrics and alarms). Creating a link also needs
 * `cloudwatch:Link` for the metric data it shares.
 */
export const OAM_DEPLOY_ACTIONS = [
  ...svc("oam", [
    "CreateLink",
    "CreateSink",
    "DeleteLink",
    "DeleteSink",
    "GetLink",
    "GetSink",
    "GetSinkPolicy",
    "ListTagsForResource",
    "PutSinkPolicy",
    "TagResource",
    "UntagResource",
    "UpdateLink",
  ]),
  "cloudwatch:Link",
];
