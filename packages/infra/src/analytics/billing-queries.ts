/**
 * Named queries over the billed cost (the CUR 2.0 export, table `cur`) and its reconciliation with
 * the estimate (telemetry tokens × prices). Same rules as `queries.ts`: one text for Athena (Trino)
 * and the DuckDB tests, days are the line item's own usage day, the `billing_period` partition only
 * prunes (one month of margin before the window), every division on DOUBLE and NULL-guarded.
 *
 * Bedrock line items: `line_item_product_code = 'AmazonBedrock'` or, for models sold through AWS
 * Marketplace, a product name ending in "(Amazon Bedrock Edition)". Cost is the unblended cost of
 * `Usage` line items (credits, refunds and tax are not usage and are left to finance's own reports).
 */
import { RECONCILIATION_QUERY_NAMES } from "@ccb/contracts";
import { BILLING_TABLE, curTagKey } from "./billing-schema";
import type { NamedQuerySql } from "./queries";
import { TABLE, UNSPECIFIED } from "./schema";

const WINDOW_DAYS = 90;
const FIRST_DAY = `current_date - INTERVAL '${WINDOW_DAYS}' DAY`;
/** `billing_period` (yyyy-MM) of the month before the window's first day: the pruning margin. */
const PERIOD_FLOOR = `substr(CAST(CAST(${FIRST_DAY} - INTERVAL '1' MONTH AS DATE) AS VARCHAR), 1, 7)`;
/**
 * A resource tag, NULL when absent. Trino's `map[key]` fails on a missing key (and DuckDB's
 * `element_at` returns a list), so the subscript only runs when the key is there.
 */
const tag = (key: string) =>
  `NULLIF(CASE WHEN contains(map_keys(c.resource_tags), '${curTagKey(key)}') THEN c.resource_tags['${curTagKey(key)}'] END, '')`;

/** Bedrock usage line items of the window, with day, developer, team tags, model and token kind. */
/** The client's estimate of one group of telemetry data points: tokens of each kind x the pricing table. */
const ESTIMATE_USD = `SUM(CAST(m.claude_code_token_usage AS DOUBLE) / 1e6 * CASE m.type
      WHEN 'input' THEN p.input_usd_per_mtok
      WHEN 'output' THEN p.output_usd_per_mtok
      WHEN 'cacheRead' THEN p.cache_read_usd_per_mtok
      WHEN 'cacheCreation' THEN p.cache_write_usd_per_mtok
    END) AS estimate_usd`;

/** Telemetry token points of the window, by the point's own day; `dt` (arrival) only prunes, a day wider. */
const ESTIMATED_IN_WINDOW = `WHERE m.dt >= replace(CAST(CAST(${FIRST_DAY} - INTERVAL '1' DAY AS DATE) AS VARCHAR), '-', '/')
    AND CAST(from_unixtime(m.emf.timestamp / 1000) AS DATE) >= ${FIRST_DAY}
    AND m.claude_code_token_usage IS NOT NULL`;

const BEDROCK = `bedrock AS (
  SELECT CAST(c.line_item_usage_start_date AS DATE) AS usage_day,
    c.line_item_iam_principal AS principal,
    -- The federated role's session name is the developer's email (assumed-role/<role>/<session>).
    lower(NULLIF(regexp_extract(c.line_item_iam_principal, 'assumed-role/[^/]+/([^/]+)$', 1), '')) AS developer,
    ${tag("team")} AS team,
    ${tag("cost-center")} AS cost_center,
    ${tag("department")} AS department,
    regexp_extract(c.line_item_usage_type, '^[A-Z0-9]+-(.+?)-(input|output|cache)', 1) AS model,
    CASE
      WHEN lower(c.line_item_usage_type) LIKE '%cache%read%' THEN 'cache read'
      WHEN lower(c.line_item_usage_type) LIKE '%cache%write%' THEN 'cache write'
      WHEN lower(c.line_item_usage_type) LIKE '%input%' THEN 'input'
      WHEN lower(c.line_item_usage_type) LIKE '%output%' THEN 'output'
      ELSE 'other'
    END AS usage_kind,
    c.line_item_usage_amount AS usage_amount,
    c.line_item_unblended_cost AS cost
  FROM ${BILLING_TABLE} c
  WHERE c.billing_period >= ${PERIOD_FLOOR}
    AND CAST(c.line_item_usage_start_date AS DATE) >= ${FIRST_DAY}
    AND c.line_item_line_item_type = 'Usage'
    AND (c.line_item_product_code = 'AmazonBedrock' OR strpos(COALESCE(c.product_product_name, ''), '(Amazon Bedrock Edition)') > 0)
)`;

/**
 * The reconciliation's last step: the `billed` and `estimated` subqueries side by side per usage day and
 * `key` (a row where only one side has cost still shows), with the estimate's drift from the bill in percent.
 */
const driftBy = (key: "developer" | "team") => `SELECT COALESCE(b.usage_day, e.usage_day) AS usage_day,
  COALESCE(b.${key}, e.${key}) AS ${key},
  ROUND(COALESCE(e.estimate_usd, 0), 4) AS estimate_usd,
  ROUND(COALESCE(b.billed_usd, 0), 4) AS billed_usd,
  ROUND(100 * (COALESCE(e.estimate_usd, 0) - COALESCE(b.billed_usd, 0)) / NULLIF(b.billed_usd, 0), 1) AS drift_pct
FROM billed b
FULL OUTER JOIN estimated e ON e.usage_day = b.usage_day AND e.${key} = b.${key}
ORDER BY usage_day, ${key}`;

export const BILLING_QUERIES: readonly NamedQuerySql[] = [
  {
    key: "billed-cost-by-principal",
    name: "Bedrock billed cost per day by IAM principal (developer)",
    description: `Billed Bedrock cost (CUR 2.0, unblended, Usage line items) per usage day and IAM principal over the last ${WINDOW_DAYS} days; developer = the role session name of an assumed-role principal (the email the credential helper sets).`,
    sql: `WITH ${BEDROCK}
SELECT usage_day,
  principal,
  developer,
  SUM(usage_amount) AS usage_amount,
  ROUND(SUM(cost), 4) AS billed_usd
FROM bedrock
GROUP BY usage_day, principal, developer
ORDER BY usage_day, billed_usd DESC, principal`,
  },
  {
    key: "billed-cost-by-team",
    name: "Bedrock billed cost per day by team and cost center tag",
    description: `Billed Bedrock cost per usage day by the team, cost-center and department tags of the application inference profile (resource tags; activate them as cost allocation tags), last ${WINDOW_DAYS} days. Untagged usage shows as (untagged).`,
    sql: `WITH ${BEDROCK}
SELECT usage_day,
  COALESCE(team, '(untagged)') AS team,
  COALESCE(cost_center, '(untagged)') AS cost_center,
  COALESCE(department, '(untagged)') AS department,
  ROUND(SUM(cost), 4) AS billed_usd
FROM bedrock
GROUP BY usage_day, COALESCE(team, '(untagged)'), COALESCE(cost_center, '(untagged)'), COALESCE(department, '(untagged)')
ORDER BY usage_day, billed_usd DESC, team`,
  },
  {
    key: "billed-cost-by-model-usage-type",
    name: "Bedrock billed cost per day by model and usage type",
    description: `Billed Bedrock cost and usage per usage day, model and token kind (input, output, cache read, cache write) from the CUR usage type, last ${WINDOW_DAYS} days.`,
    sql: `WITH ${BEDROCK}
SELECT usage_day,
  COALESCE(NULLIF(model, ''), '(unknown)') AS model,
  usage_kind,
  SUM(usage_amount) AS usage_amount,
  ROUND(SUM(cost), 4) AS billed_usd
FROM bedrock
GROUP BY usage_day, COALESCE(NULLIF(model, ''), '(unknown)'), usage_kind
ORDER BY usage_day, billed_usd DESC, model, usage_kind`,
  },
  {
    key: "billed-cost-unexplained",
    name: "Bedrock billed cost no team tag or developer explains",
    description: `Per usage day, last ${WINDOW_DAYS} days: billed Bedrock cost with neither a team tag on the resource nor a developer (assumed-role session) as principal — system inference profiles called by workloads, cross-account roles, IAM users — and its share of the day's Bedrock cost.`,
    sql: `WITH ${BEDROCK},
per_day AS (
  SELECT usage_day,
    SUM(cost) AS billed_usd,
    SUM(CASE WHEN team IS NULL AND developer IS NULL THEN cost ELSE 0 END) AS unexplained_usd
  FROM bedrock
  GROUP BY usage_day
)
SELECT usage_day,
  ROUND(billed_usd, 4) AS billed_usd,
  ROUND(unexplained_usd, 4) AS unexplained_usd,
  ROUND(100 * unexplained_usd / NULLIF(billed_usd, 0), 1) AS unexplained_pct
FROM per_day
ORDER BY usage_day`,
  },
  {
    key: "reconciliation-by-developer",
    name: RECONCILIATION_QUERY_NAMES.developer,
    description: `Per usage day and developer, last ${WINDOW_DAYS} days: the estimate (telemetry tokens x the pricing table, by the data point's own day) beside the billed cost of the developer's assumed-role principal, with drift = (estimate - billed) / billed in percent. A developer on only one side shows 0 on the other.`,
    sql: `WITH ${BEDROCK},
billed AS (
  SELECT usage_day, developer, SUM(cost) AS billed_usd
  FROM bedrock
  WHERE developer IS NOT NULL
  GROUP BY usage_day, developer
),
estimated AS (
  SELECT CAST(from_unixtime(m.emf.timestamp / 1000) AS DATE) AS usage_day,
    lower(m.user_email) AS developer,
    ${ESTIMATE_USD}
  FROM ${TABLE.metrics} m
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = m.model
  ${ESTIMATED_IN_WINDOW}
    AND m.user_email IS NOT NULL
  GROUP BY CAST(from_unixtime(m.emf.timestamp / 1000) AS DATE), lower(m.user_email)
)
${driftBy("developer")}`,
  },
  {
    key: "reconciliation-by-team",
    name: RECONCILIATION_QUERY_NAMES.team,
    description: `Per usage day and team, last ${WINDOW_DAYS} days: the estimate (telemetry tokens x prices; team from the token's claims, else the user directory) beside the billed cost carrying that team tag, with drift in percent. Billed cost without a team tag is in billed-cost-unexplained.`,
    sql: `WITH ${BEDROCK},
directory AS (
  SELECT lower(user_email) AS email, max(NULLIF(team, '')) AS team
  FROM ${TABLE.userDirectory}
  WHERE user_email IS NOT NULL
  GROUP BY lower(user_email)
),
billed AS (
  SELECT usage_day, team, SUM(cost) AS billed_usd
  FROM bedrock
  WHERE team IS NOT NULL
  GROUP BY usage_day, team
),
estimated AS (
  SELECT CAST(from_unixtime(m.emf.timestamp / 1000) AS DATE) AS usage_day,
    COALESCE(NULLIF(NULLIF(m.team, ''), '${UNSPECIFIED}'), d.team, 'unassigned') AS team,
    ${ESTIMATE_USD}
  FROM ${TABLE.metrics} m
  LEFT JOIN directory d ON d.email = lower(m.user_email)
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = m.model
  ${ESTIMATED_IN_WINDOW}
  GROUP BY CAST(from_unixtime(m.emf.timestamp / 1000) AS DATE), COALESCE(NULLIF(NULLIF(m.team, ''), '${UNSPECIFIED}'), d.team, 'unassigned')
)
${driftBy("team")}`,
  },
];
