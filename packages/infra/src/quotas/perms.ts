/**
 * IAM actions of the quotas module, each list the minimum its caller needs.
 */
import { BLOCKED_MODEL_ACTIONS } from "@ccb/contracts";

/** Usage records: reads, alert claims, watermarks, leases, unblocks. */
export const USAGE_WRITE_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
] as const;

/** Reads of usage records (check API, dashboards, support tooling). */
/**
 * The aggregation: the usage writes above, plus BatchWriteItem, with which it writes the month records
 * back 25 at a time while it holds their buckets' leases.
 */
export const USAGE_METER_ACTIONS = [...USAGE_WRITE_ACTIONS, "dynamodb:BatchWriteItem"].sort();

export const USAGE_READ_ACTIONS = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"] as const;

/** The check API remembers the groups a user's token carried (one PutItem on the PROFILE record). */
export const PROFILE_WRITE_ACTIONS = ["dynamodb:PutItem"] as const;

/** Reads of limit records. */
export const LIMITS_READ_ACTIONS = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"] as const;

/** Admins set and delete limits (the `quota` CLI). */
export const LIMITS_WRITE_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
] as const;

/**
 * Use of the stage key through DynamoDB, SNS and S3 (conditioned on kms:ViaService): tables,
 * the alert topic and the invocation-log bucket are encrypted with it.
 */
export const KMS_USE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] as const;

export const PUBLISH_ACTIONS = ["sns:Publish"] as const;

/** Own metrics, conditioned on the namespace (PutMetricData has no resource-level permissions). */
export const PUT_METRIC_ACTIONS = ["cloudwatch:PutMetricData"] as const;

/** Reading the telemetry metric: neither action supports resource-level permissions. */
export const READ_METRIC_ACTIONS = ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"] as const;

/** Reading invocation logs: listing is conditioned on the log prefix, objects are named by ARN. */
export const LIST_BUCKET_ACTIONS = ["s3:ListBucket"] as const;
export const GET_OBJECT_ACTIONS = ["s3:GetObject"] as const;

/**
 * Rewriting the deny policies of blocked users: exactly these actions on exactly those policy ARNs.
 * No iam:AttachRolePolicy, no iam:PutRolePolicy: the Lambda cannot grant anything, only change the
 * document of policies that can only deny.
 */
export const BLOCK_POLICY_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "iam:ListPolicyVersions",
] as const;

/** Lambda writes its logs to the log group the component created (advanced logging controls). */
export const LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/** Callers of an IAM-authorised check API (IAM Identity Center stages). */
export const INVOKE_API_ACTIONS = ["execute-api:Invoke"] as const;

/** The actions the block policies deny; Converse and ConverseStream are authorised by these two. */
/** What a block policy denies: the contract's list (@ccb/contracts), which the quota functions write too. */
export const DENIED_MODEL_ACTIONS = BLOCKED_MODEL_ACTIONS;

/** The aggregation assumes the read role in the telemetry account (cross-account stages only). */
export const ASSUME_ROLE_ACTIONS = ["sts:AssumeRole"] as const;

/** Logs Insights over the collector's EMF log group (resource-level on the group). */
export const QUERY_LOGS_ACTIONS = ["logs:StartQuery"] as const;
/** Query results and cancelling a query take no resource. */
export const QUERY_RESULTS_ACTIONS = ["logs:GetQueryResults", "logs:StopQuery"] as const;

/** The aggregation's dispatcher invokes its shard worker (resource: that one function's ARN). */
export const INVOKE_FUNCTION_ACTIONS = ["lambda:InvokeFunction"] as const;

/** The rate function: atomic minute counters, the cool-down claim and registry (usage table items). */
export const RATE_COUNTER_ACTIONS = ["dynamodb:GetItem", "dynamodb:UpdateItem"] as const;
/** The rate function reads a user's limit records and the groups the check API remembered. */
export const RATE_LIMITS_READ_ACTIONS = ["dynamodb:BatchGetItem"] as const;

/**
 * The price source reads list prices. The Price List API defines no resource types, so IAM accepts
 * only `Resource: "*"` for it: the one documented exception to scoped resources in this module. The
 * statement carries `PRICE_LIST_SID`, which the security rule `iam-price-list-unscoped-only` accepts
 * and requires (see rules/iam-rules.ts).
 */
export const PRICE_LIST_READ_ACTIONS = ["pricing:GetProducts"] as const;
export const PRICE_LIST_SID = "PriceListHasNoResourceTypes";
/** The price source writes one usage-table item (the price book), conditioned on its partition key. */
export const PRICE_BOOK_WRITE_ACTIONS = ["dynamodb:PutItem"] as const;

/** Price function → the analytics reference bucket: rewrite the pricing CSV, read the row catalog (each its own statement). */
export const ANALYTICS_PRICING_WRITE_ACTIONS = ["s3:PutObject"] as const;
export const ANALYTICS_PRICING_CATALOG_READ_ACTIONS = ["s3:GetObject"] as const;
/** …through S3 with the analytics key (SSE-KMS PutObject needs GenerateDataKey; GetObject needs Decrypt). */
export const ANALYTICS_KMS_S3_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;
