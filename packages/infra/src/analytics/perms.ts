/**
 * IAM actions of the analytics module, one constant per purpose. No wildcards.
 */

/**
 * Firehose delivery role → S3: what Firehose's documented delivery policy needs. GetObject and the
 * multipart actions are for retries of large objects; all object actions are scoped to the
 * `metrics/` and `errors/` prefixes by the statement.
 */
export const DELIVERY_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"] as const;
export const DELIVERY_OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"] as const;

/** Firehose delivery role → Glue: read the table schema for the Parquet conversion (nothing that writes). */
export const DELIVERY_SCHEMA_ACTIONS = ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"] as const;

/** Firehose delivery role → its error log stream. */
export const DELIVERY_LOG_ACTIONS = ["logs:PutLogEvents"] as const;

/** Writing or reading SSE-KMS objects through S3 (scoped with kms:ViaService). */
export const KMS_S3_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** CloudWatch Logs subscription → Firehose. */
export const FIREHOSE_PUT_ACTIONS = ["firehose:PutRecord", "firehose:PutRecordBatch"] as const;

/** Collector → the pipeline's own EMF log group (when the pipeline creates it). No CreateLogGroup, no PutRetentionPolicy. */
export const EMF_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"] as const;

/** Analysts and BI tools: run and read queries in the workgroup only. */
export const ATHENA_QUERY_ACTIONS = [
  "athena:BatchGetNamedQuery",
  "athena:BatchGetQueryExecution",
  "athena:GetNamedQuery",
  "athena:GetQueryExecution",
  "athena:GetQueryResults",
  "athena:GetQueryResultsStream",
  "athena:GetWorkGroup",
  "athena:ListNamedQueries",
  "athena:ListQueryExecutions",
  "athena:StartQueryExecution",
  "athena:StopQueryExecution",
] as const;

/** Analysts: read the catalog entries of the analytics database (no create, update or delete). */
export const GLUE_READ_ACTIONS = [
  "glue:GetDatabase",
  "glue:GetPartition",
  "glue:GetPartitions",
  "glue:GetTable",
  "glue:GetTables",
] as const;

/** Analysts: read the data and reference objects. */
export const DATA_READ_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket"] as const;
export const DATA_READ_OBJECT_ACTIONS = ["s3:GetObject"] as const;

/** Athena writes results as the caller into the results bucket. */
export const RESULTS_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"] as const;
export const RESULTS_OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"] as const;

/** The price source (another account's role): rewrite the pricing CSV, read the deploy-time row catalog. */
export const PRICING_WRITE_ACTIONS = ["s3:PutObject"] as const;
export const PRICING_CATALOG_READ_ACTIONS = ["s3:GetObject"] as const;

/** Directory sync job: replace the user directory CSV. */
export const DIRECTORY_WRITE_ACTIONS = ["s3:PutObject"] as const;

/**
 * AWS Data Exports (and the legacy CUR service it delivers through) → the billing bucket: the two
 * actions AWS's documented bucket policy grants, scoped by aws:SourceAccount and aws:SourceArn.
 */
export const DATA_EXPORTS_DELIVERY_ACTIONS = ["s3:GetBucketPolicy", "s3:PutObject"] as const;
export const DATA_EXPORTS_SERVICE_PRINCIPALS = ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] as const;
