/**
 * The analytics data model: one source of truth for the Glue tables the component creates, the
 * Firehose conversion that writes them, the SQL that reads them and the test data set that exercises
 * the SQL.
 *
 * Records arrive as CloudWatch embedded-metric-format (EMF) lines that the OpenTelemetry collector's
 * `awsemf` exporter writes for Claude Code's metrics: one JSON object per data point group, with the
 * metric value under the metric's name (`"claude_code.token.usage": 1234`) and every attribute as a
 * top-level key (`"type": "input"`, `"user.email": …`). Firehose's OpenX JSON SerDe turns dots in keys
 * into underscores (`convertDotsInJsonKeysToUnderscores`), so `claude_code.token.usage` lands in the
 * column `claude_code_token_usage` and `user.email` in `user_email`. A record carries a value only in
 * the columns of the metrics it holds; the others are NULL.
 */

import { ANALYTICS_PRICING_CATALOG_KEY, ANALYTICS_PRICING_OBJECT_KEY, ANALYTICS_PRICING_PREFIX } from "@ccb/contracts";
import { CC } from "../telemetry/metrics";

export interface Column {
  readonly name: string;
  /** Hive type as Glue stores it. */
  readonly type: "string" | "double" | "bigint" | "timestamp" | "map<string,string>" | "struct<timestamp:bigint>";
  readonly comment: string;
}

/** Claude Code's metric names: the telemetry catalog is the one source of truth. */
export const METRIC = CC;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** `claude_code.token.usage` → `claude_code_token_usage`, as Firehose's OpenX SerDe names the key. */
export function columnOf(key: string): string {
  return key.replace(/\./g, "_");
}

/** `type` values of `claude_code.token.usage`. */
export const TOKEN_TYPES = ["input", "output", "cacheRead", "cacheCreation"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/**
 * Attributes on every data point: identity the collector sets from the validated JWT (telemetry
 * module `ATTR`; client-sent identity keys are deleted there) plus Claude Code's own. The key is the
 * EMF key; the column is `columnOf(key)`.
 */
export const ATTRIBUTE_KEYS: ReadonlyArray<{ key: string; comment: string }> = [
  { key: "user.email", comment: "user's email from the validated IdP token (the attribution key)" },
  { key: "department", comment: 'department claim, or "unspecified" when the IdP sends none (then see user_directory)' },
  { key: "team", comment: 'team claim, or "unspecified" (then see user_directory)' },
  { key: "cost_center", comment: 'cost center claim, or "unspecified"' },
  { key: "session.id", comment: "Claude Code session id" },
  { key: "model", comment: "Bedrock model, cross-Region or application inference profile id (token, cost, lines of code)" },
  { key: "type", comment: "token type (input|output|cacheRead|cacheCreation), lines type (added|removed), active time type (user|cli)" },
  { key: "decision", comment: "code edit decision: accept|reject" },
  { key: "language", comment: "language of the edited file (code edit decisions)" },
  { key: "tool_name", comment: "Edit|Write|NotebookEdit (code edit decisions)" },
  { key: "source", comment: "who decided an edit: config|hook|user_permanent|user_temporary|user_abort|user_reject" },
  { key: "start_type", comment: "fresh|resume|continue (session count)" },
  { key: "query_source", comment: "main|subagent|auxiliary (token and cost usage)" },
  { key: "terminal.type", comment: "terminal Claude Code ran in" },
];

/** What the collector writes when the IdP sends no organisational claim (telemetry `UNSPECIFIED`); the SQL treats it as missing. */
export const UNSPECIFIED = "unspecified";

/** Glue/Athena column of the EMF `_aws` object (OpenX SerDe `columnToJsonKeyMappings`: Hive names cannot start with `_`). */
export const EMF_COLUMN = "emf";
export const EMF_KEY = "_aws";

/** Columns of the `metrics` table, in a stable order (the Parquet files carry the same names). */
export const METRICS_COLUMNS: readonly Column[] = [
  ...Object.values(METRIC).map((m): Column => ({
    name: columnOf(m),
    type: "double",
    comment: `value of ${m} in this record (NULL when the record holds another metric)`,
  })),
  ...ATTRIBUTE_KEYS.map(({ key, comment }): Column => ({ name: columnOf(key), type: "string", comment })),
  { name: EMF_COLUMN, type: "struct<timestamp:bigint>", comment: "EMF metadata; timestamp = data point time in epoch milliseconds" },
];

/**
 * Partition column of `metrics`: the UTC day Firehose received the records, `yyyy/MM/dd`. Firehose
 * writes objects under `metrics/!{timestamp:yyyy/MM/dd}/` and the table projects the same keys, so
 * Athena needs no crawler and no `MSCK REPAIR`. The arrival day differs from the data point's day only
 * for data points exported in the last buffer interval before midnight UTC (≤ 5 minutes).
 */
export const PARTITION_COLUMN: Column = { name: "dt", type: "string", comment: "UTC arrival day, yyyy/MM/dd (partition projection)" };
export const METRICS_PREFIX = "metrics/";
export const ERRORS_PREFIX = "errors/";
export const FIREHOSE_PREFIX = `${METRICS_PREFIX}!{timestamp:yyyy/MM/dd}/`;
export const FIREHOSE_ERROR_PREFIX = `${ERRORS_PREFIX}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`;
/** First day partition projection knows; earlier days are never queried. */
export const PROJECTION_START = "2025/01/01";

/** Model prices, one row per model id as it appears in the `model` attribute (base id and every cross-Region profile id). */
export const PRICING_COLUMNS: readonly Column[] = [
  { name: "model_id", type: "string", comment: "model or inference profile id as Claude Code reports it" },
  { name: "family", type: "string", comment: "opus|sonnet|haiku" },
  { name: "input_usd_per_mtok", type: "double", comment: "USD per million input tokens" },
  { name: "output_usd_per_mtok", type: "double", comment: "USD per million output tokens" },
  { name: "cache_read_usd_per_mtok", type: "double", comment: "USD per million cache read tokens" },
  { name: "cache_write_usd_per_mtok", type: "double", comment: "USD per million cache write (5-minute) tokens" },
];
// The price source rewrites the object daily: its key and the CSV layout are the contract's.
export const PRICING_PREFIX = ANALYTICS_PRICING_PREFIX;
export const PRICING_OBJECT_KEY = ANALYTICS_PRICING_OBJECT_KEY;
export const PRICING_CATALOG_KEY = ANALYTICS_PRICING_CATALOG_KEY;

/**
 * Who is in which department and team, for users whose IdP token lacks those claims. Admins upload a
 * CSV (header line first) under `user-directory/`; claims on the data point win over the directory.
 */
export const USER_DIRECTORY_COLUMNS: readonly Column[] = [
  { name: "user_email", type: "string", comment: "email, matched case-insensitively with metrics.user_email" },
  { name: "department", type: "string", comment: "department" },
  { name: "team", type: "string", comment: "team" },
  { name: "cost_center", type: "string", comment: "cost center" },
];
export const USER_DIRECTORY_PREFIX = "user-directory/";

/** Table names inside the analytics database; the SQL refers to them unqualified (the named query's database). */
export const TABLE = { metrics: "metrics", pricing: "pricing", userDirectory: "user_directory" } as const;
