/**
 * The billed side: the columns of the AWS Data Exports "Cost and Usage Report 2.0" table
 * (`COST_AND_USAGE_REPORT`) that the billing export selects, named exactly as CUR 2.0 names them
 * (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html). One source of truth
 * for the export's query statement, the Glue table over the Parquet files, the SQL and the test data.
 *
 * - `line_item_iam_principal`: the IAM principal that called Bedrock. For the federated developer role
 *   it is `arn:aws:sts::<account>:assumed-role/<role>/<session>`, and the session name is the
 *   developer's email (the credential helper derives `RoleSessionName` from it).
 * - `resource_tags`: user-defined cost allocation tags of the resource (the application inference
 *   profile when `INCLUDE_RESOURCES` is on), keys prefixed `user_` with non-alphanumerics as `_`
 *   (`team` → `user_team`, `cost-center` → `user_cost_center`). Tags appear only once activated.
 */
import type { Column } from "./schema";

export const CUR_TABLE_NAME = "COST_AND_USAGE_REPORT";

export const CUR_COLUMNS: readonly Column[] = [
  { name: "bill_billing_period_start_date", type: "timestamp", comment: "start of the billing period (timestamp)" },
  { name: "line_item_usage_start_date", type: "timestamp", comment: "start of the usage the line item covers (timestamp, UTC)" },
  { name: "line_item_usage_account_id", type: "string", comment: "account that used the service" },
  { name: "line_item_line_item_type", type: "string", comment: "Usage, Tax, Credit, Refund, …; cost queries read Usage" },
  { name: "line_item_product_code", type: "string", comment: "service code (AmazonBedrock, or a Marketplace code for third-party models)" },
  { name: "line_item_usage_type", type: "string", comment: "Region prefix, model and token kind, e.g. USE1-Claude4.5Sonnet-input-tokens" },
  { name: "line_item_operation", type: "string", comment: "operation (InvokeModel, …)" },
  { name: "line_item_resource_id", type: "string", comment: "resource ARN (application inference profile) with INCLUDE_RESOURCES" },
  { name: "line_item_iam_principal", type: "string", comment: "IAM principal that made the call (assumed-role ARN with the session name)" },
  { name: "line_item_usage_amount", type: "double", comment: "usage quantity (tokens for token usage types)" },
  { name: "line_item_unblended_cost", type: "double", comment: "cost in the billing currency" },
  { name: "product_product_name", type: "string", comment: "product name (e.g. Claude Sonnet 4.5 (Amazon Bedrock Edition))" },
  { name: "resource_tags", type: "map<string,string>", comment: "user cost allocation tags, keys user_<key>" },
];

/** Hive partition the export writes (`…/data/BILLING_PERIOD=2026-10/`). */
export const CUR_PARTITION: Column = { name: "billing_period", type: "string", comment: "billing period yyyy-MM (partition projection)" };

/** Tag keys the organisation puts on application inference profiles and roles, and their CUR 2.0 spelling. */
export const COST_TAG_KEYS = ["team", "cost-center", "department"] as const;
export const curTagKey = (tag: string) => `user_${tag.replace(/[^A-Za-z0-9]/g, "_")}`;

/** The export's SQL: the columns above, from the CUR 2.0 table (Data Exports' SQL subset). */
export function curQueryStatement(): string {
  return `SELECT ${CUR_COLUMNS.map((c) => c.name).join(", ")} FROM ${CUR_TABLE_NAME}`;
}

export const BILLING_TABLE = "cur" as const;
