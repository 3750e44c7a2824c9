/**
 * The Athena named queries, as SQL text. The component stores them as `aws.athena.NamedQuery` in the
 * workgroup; the tests run the very same text in DuckDB over a generated data set in the layout
 * Firehose writes, and compare every answer with totals computed independently in TypeScript.
 *
 * One text for both engines: the SQL keeps to what Trino (Athena engine 3) and DuckDB both accept —
 * `CAST`, `COALESCE`, `NULLIF`, `substr`, `replace`, `lower`, `date_trunc`, `day`, `INTERVAL 'n' DAY`,
 * window functions, CTEs, every division done on DOUBLE (Trino divides integers as integers). The
 * only differences are handled outside the text (see `testdata/duckdb.ts`): the tables are views over
 * the Parquet/CSV files, and `current_date` is pinned to the data set's last day.
 *
 * Time windows are partition predicates on `dt` (`yyyy/MM/dd` strings) computed from `current_date`,
 * so partition projection prunes what Athena reads; the workgroup's bytes-scanned cutoff stops a query
 * that still reads too much.
 */
import { TABLE, UNSPECIFIED } from "./schema";

export interface NamedQuerySql {
  /** Stable key: part of the NamedQuery's logical name. */
  readonly key: string;
  /** Name shown in the Athena console (≤ 128 characters). */
  readonly name: string;
  /** What the query answers (≤ 1024 characters). */
  readonly description: string;
  readonly sql: string;
}

/** `dt` of the day `days` before today, as a `yyyy/MM/dd` string. */
const daysAgo = (days: number) => `replace(CAST(CAST(current_date - INTERVAL '${days}' DAY AS DATE) AS VARCHAR), '-', '/')`;
/** `dt` of the first day of the month `months` before this one. */
const monthsAgo = (months: number) => `replace(CAST(CAST(date_trunc('month', current_date) - INTERVAL '${months}' MONTH AS DATE) AS VARCHAR), '-', '/')`;
const DAY = `CAST(replace(dt, '/', '-') AS DATE)`;
const MONTH = `substr(dt, 1, 4) || '-' || substr(dt, 6, 2)`;

/** One row per user (emails compared case-insensitively), so a duplicated directory line never double-counts. */
const DIRECTORY = `directory AS (
  SELECT lower(user_email) AS email, max(NULLIF(department, '')) AS department, max(NULLIF(team, '')) AS team, max(NULLIF(cost_center, '')) AS cost_center
  FROM ${TABLE.userDirectory}
  GROUP BY lower(user_email)
)`;

/**
 * Metrics in the window with department and team resolved: the token's claims first (the collector
 * writes `unspecified` when the IdP sends none), then the user directory, else `unassigned`.
 */
const attributed = (since: string, where = "TRUE") => `attributed AS (
  SELECT m.*,
    lower(m.user_email) AS email,
    COALESCE(NULLIF(NULLIF(m.department, ''), '${UNSPECIFIED}'), d.department, 'unassigned') AS dept,
    COALESCE(NULLIF(NULLIF(m.team, ''), '${UNSPECIFIED}'), d.team, 'unassigned') AS team_name
  FROM ${TABLE.metrics} m
  LEFT JOIN directory d ON d.email = lower(m.user_email)
  WHERE m.dt >= ${since} AND (${where})
)`;

/** Cost of one token record at the model's price; NULL when the model has no price (reported, never silently 0). */
const COST = `CAST(a.claude_code_token_usage AS DOUBLE) / 1e6 * CASE a.type
      WHEN 'input' THEN p.input_usd_per_mtok
      WHEN 'output' THEN p.output_usd_per_mtok
      WHEN 'cacheRead' THEN p.cache_read_usd_per_mtok
      WHEN 'cacheCreation' THEN p.cache_write_usd_per_mtok
    END`;

/** Token records with their cost. */
const PRICED = `priced AS (
  SELECT a.dt, a.email, a.dept, a.team_name AS team, a.model, a.type, a.claude_code_token_usage AS tokens, ${COST} AS cost_usd
  FROM attributed a
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
  WHERE a.claude_code_token_usage IS NOT NULL
)`;

const tokensOf = (type: string, col = "tokens") => `SUM(CASE WHEN type = '${type}' THEN ${col} ELSE 0 END)`;

export const NAMED_QUERIES: readonly NamedQuerySql[] = [
  {
    key: "monthly-tokens-by-department",
    name: "Monthly token consumption by department",
    description: "Tokens per calendar month (UTC) and department over the last 12 months, by type (input, output, cache read, cache write), with the number of active users.",
    sql: `WITH ${DIRECTORY},
${attributed(monthsAgo(11), "m.claude_code_token_usage IS NOT NULL")}
SELECT ${MONTH} AS usage_month,
  dept AS department,
  COUNT(DISTINCT email) AS users,
  SUM(CASE WHEN type = 'input' THEN claude_code_token_usage ELSE 0 END) AS input_tokens,
  SUM(CASE WHEN type = 'output' THEN claude_code_token_usage ELSE 0 END) AS output_tokens,
  SUM(CASE WHEN type = 'cacheRead' THEN claude_code_token_usage ELSE 0 END) AS cache_read_tokens,
  SUM(CASE WHEN type = 'cacheCreation' THEN claude_code_token_usage ELSE 0 END) AS cache_write_tokens,
  SUM(claude_code_token_usage) AS total_tokens
FROM attributed
GROUP BY ${MONTH}, dept
ORDER BY usage_month, total_tokens DESC, department`,
  },
  {
    key: "code-acceptance-by-language",
    name: "Code acceptance rate by programming language",
    description: "Edits Claude Code proposed (Edit, Write, NotebookEdit) that users accepted or rejected in the last 90 days, per language, with the acceptance rate in percent.",
    sql: `WITH decisions AS (
  SELECT COALESCE(NULLIF(language, ''), 'unknown') AS language,
    lower(user_email) AS email,
    CASE WHEN decision = 'accept' THEN claude_code_code_edit_tool_decision ELSE 0 END AS accepted,
    CASE WHEN decision = 'reject' THEN claude_code_code_edit_tool_decision ELSE 0 END AS rejected
  FROM ${TABLE.metrics}
  WHERE dt >= ${daysAgo(90)} AND claude_code_code_edit_tool_decision IS NOT NULL
)
SELECT language,
  COUNT(DISTINCT email) AS users,
  SUM(accepted) AS accepted,
  SUM(rejected) AS rejected,
  ROUND(100 * CAST(SUM(accepted) AS DOUBLE) / NULLIF(SUM(accepted) + SUM(rejected), 0), 1) AS acceptance_rate_pct
FROM decisions
GROUP BY language
ORDER BY SUM(accepted) + SUM(rejected) DESC, language`,
  },
  {
    key: "token-efficiency-by-team",
    name: "Token efficiency by team",
    description: "Per team over the last 90 days: tokens and cost per line of code added and per accepted edit, output share and cache hit rate. Large differences point at training needs or misconfigured caching.",
    sql: `WITH ${DIRECTORY},
${attributed(daysAgo(90))},
per_team AS (
  SELECT a.team_name AS team,
    COUNT(DISTINCT a.email) AS users,
    SUM(CASE WHEN a.claude_code_token_usage IS NOT NULL THEN a.claude_code_token_usage ELSE 0 END) AS total_tokens,
    SUM(CASE WHEN a.type = 'output' AND a.claude_code_token_usage IS NOT NULL THEN a.claude_code_token_usage ELSE 0 END) AS output_tokens,
    SUM(CASE WHEN a.type = 'cacheRead' AND a.claude_code_token_usage IS NOT NULL THEN a.claude_code_token_usage ELSE 0 END) AS cache_read_tokens,
    SUM(CASE WHEN a.type IN ('input', 'cacheRead', 'cacheCreation') AND a.claude_code_token_usage IS NOT NULL THEN a.claude_code_token_usage ELSE 0 END) AS prompt_tokens,
    SUM(CASE WHEN a.claude_code_token_usage IS NOT NULL THEN ${COST} ELSE 0 END) AS cost_usd,
    SUM(CASE WHEN a.type = 'added' AND a.claude_code_lines_of_code_count IS NOT NULL THEN a.claude_code_lines_of_code_count ELSE 0 END) AS lines_added,
    SUM(CASE WHEN a.decision = 'accept' AND a.claude_code_code_edit_tool_decision IS NOT NULL THEN a.claude_code_code_edit_tool_decision ELSE 0 END) AS accepted_edits
  FROM attributed a
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
  GROUP BY a.team_name
)
SELECT team,
  users,
  total_tokens,
  lines_added,
  accepted_edits,
  ROUND(CAST(total_tokens AS DOUBLE) / NULLIF(lines_added, 0), 1) AS tokens_per_line_added,
  ROUND(CAST(output_tokens AS DOUBLE) / NULLIF(accepted_edits, 0), 1) AS output_tokens_per_accepted_edit,
  ROUND(cost_usd / NULLIF(lines_added, 0), 4) AS usd_per_line_added,
  ROUND(100 * CAST(cache_read_tokens AS DOUBLE) / NULLIF(prompt_tokens, 0), 1) AS cache_hit_rate_pct,
  ROUND(cost_usd, 2) AS cost_usd
FROM per_team
ORDER BY tokens_per_line_added DESC, team`,
  },
  {
    key: "cost-by-user",
    name: "Cost by user (tokens x Bedrock prices)",
    description: "Per user and calendar month over the last 3 months: cost computed from token counts and the pricing table (all four token types), Claude Code's own client-side estimate for comparison, and tokens of models without a price.",
    sql: `WITH ${DIRECTORY},
${attributed(monthsAgo(2), "m.claude_code_token_usage IS NOT NULL OR m.claude_code_cost_usage IS NOT NULL")},
${PRICED},
costs AS (
  SELECT ${MONTH} AS usage_month, email, dept, team,
    SUM(tokens) AS tokens,
    SUM(cost_usd) AS cost_usd,
    SUM(CASE WHEN cost_usd IS NULL THEN tokens ELSE 0 END) AS unpriced_tokens
  FROM priced
  GROUP BY ${MONTH}, email, dept, team
),
estimates AS (
  SELECT ${MONTH} AS usage_month, email, SUM(claude_code_cost_usage) AS client_estimate_usd
  FROM attributed
  WHERE claude_code_cost_usage IS NOT NULL
  GROUP BY ${MONTH}, email
)
SELECT c.usage_month,
  c.email AS user_email,
  c.dept AS department,
  c.team,
  c.tokens,
  ROUND(COALESCE(c.cost_usd, 0), 2) AS cost_usd,
  ROUND(COALESCE(e.client_estimate_usd, 0), 2) AS client_estimate_usd,
  c.unpriced_tokens
FROM costs c
LEFT JOIN estimates e ON e.usage_month = c.usage_month AND e.email = c.email
ORDER BY c.usage_month, cost_usd DESC, user_email`,
  },
  {
    key: "cost-by-department",
    name: "Monthly cost by department (chargeback)",
    description: "Per calendar month over the last 12 months: each department's cost from token counts and Bedrock prices, its users, cost per user and its share of the month's total.",
    sql: `WITH ${DIRECTORY},
${attributed(monthsAgo(11), "m.claude_code_token_usage IS NOT NULL")},
${PRICED},
per_dept AS (
  SELECT ${MONTH} AS usage_month, dept, COUNT(DISTINCT email) AS users, SUM(cost_usd) AS cost_usd
  FROM priced
  GROUP BY ${MONTH}, dept
)
SELECT usage_month,
  dept AS department,
  users,
  ROUND(COALESCE(cost_usd, 0), 2) AS cost_usd,
  ROUND(COALESCE(cost_usd, 0) / users, 2) AS cost_per_user_usd,
  ROUND(100 * COALESCE(cost_usd, 0) / NULLIF(SUM(COALESCE(cost_usd, 0)) OVER (PARTITION BY usage_month), 0), 1) AS share_pct
FROM per_dept
ORDER BY usage_month, cost_usd DESC, department`,
  },
  {
    key: "daily-active-users",
    name: "Active users per day",
    description: "Distinct users with any Claude Code activity per UTC day over the last 90 days, with sessions started.",
    sql: `SELECT ${DAY} AS usage_day,
  COUNT(DISTINCT lower(user_email)) AS active_users,
  SUM(COALESCE(claude_code_session_count, 0)) AS sessions
FROM ${TABLE.metrics}
WHERE dt >= ${daysAgo(90)}
GROUP BY ${DAY}
ORDER BY usage_day`,
  },
  {
    key: "weekly-active-users",
    name: "Active users per week",
    description: "Distinct users with any Claude Code activity per ISO week (Monday start, UTC) over the last 26 weeks.",
    sql: `SELECT CAST(date_trunc('week', ${DAY}) AS DATE) AS usage_week,
  COUNT(DISTINCT lower(user_email)) AS active_users,
  COUNT(DISTINCT ${DAY}) AS days_with_data
FROM ${TABLE.metrics}
WHERE dt >= ${daysAgo(182)}
GROUP BY CAST(date_trunc('week', ${DAY}) AS DATE)
ORDER BY usage_week`,
  },
  {
    key: "top-users",
    name: "Top 25 users (last 30 days)",
    description: "The 25 users with the most tokens in the last 30 days, with their cost, sessions, lines of code added, accepted edits and active hours.",
    sql: `WITH ${DIRECTORY},
${attributed(daysAgo(30))},
per_user AS (
  SELECT a.email, max(a.dept) AS dept, max(a.team_name) AS team,
    SUM(COALESCE(a.claude_code_token_usage, 0)) AS tokens,
    SUM(CASE WHEN a.claude_code_token_usage IS NOT NULL THEN ${COST} ELSE 0 END) AS cost_usd,
    SUM(COALESCE(a.claude_code_session_count, 0)) AS sessions,
    SUM(CASE WHEN a.type = 'added' THEN COALESCE(a.claude_code_lines_of_code_count, 0) ELSE 0 END) AS lines_added,
    SUM(CASE WHEN a.decision = 'accept' THEN COALESCE(a.claude_code_code_edit_tool_decision, 0) ELSE 0 END) AS accepted_edits,
    SUM(COALESCE(a.claude_code_active_time_total, 0)) AS active_seconds
  FROM attributed a
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
  GROUP BY a.email
)
SELECT email AS user_email,
  dept AS department,
  team,
  tokens,
  ROUND(cost_usd, 2) AS cost_usd,
  sessions,
  lines_added,
  accepted_edits,
  ROUND(active_seconds / 3600, 1) AS active_hours
FROM per_user
ORDER BY tokens DESC, user_email
LIMIT 25`,
  },
  {
    key: "cache-hit-rate",
    name: "Prompt cache hit rate by model (last 30 days)",
    description: "Share of prompt tokens (input + cache read + cache write) served from the prompt cache, per model, over the last 30 days.",
    sql: `WITH tokens AS (
  SELECT model, type, claude_code_token_usage AS tokens
  FROM ${TABLE.metrics}
  WHERE dt >= ${daysAgo(30)} AND claude_code_token_usage IS NOT NULL
)
SELECT model,
  ${tokensOf("input")} AS input_tokens,
  ${tokensOf("cacheRead")} AS cache_read_tokens,
  ${tokensOf("cacheCreation")} AS cache_write_tokens,
  ROUND(100 * CAST(${tokensOf("cacheRead")} AS DOUBLE) / NULLIF(${tokensOf("input")} + ${tokensOf("cacheRead")} + ${tokensOf("cacheCreation")}, 0), 1) AS cache_hit_rate_pct
FROM tokens
GROUP BY model
ORDER BY cache_read_tokens DESC, model`,
  },
  {
    key: "prompt-cache-savings",
    name: "Dollars saved by prompt caching per user and model (last 30 days)",
    description: "What prompt caching saved each user per model in the last 30 days: cache reads at the input price minus their cache-read price, less the cache-write premium over the input price. Negative savings mean caching costs more than it saves (misconfigured caching); they are listed first.",
    sql: `WITH tokens AS (
  SELECT lower(user_email) AS email, model, type, claude_code_token_usage AS tokens
  FROM ${TABLE.metrics}
  WHERE dt >= ${daysAgo(30)} AND claude_code_token_usage IS NOT NULL AND type IN ('cacheRead', 'cacheCreation')
),
per_user_model AS (
  SELECT email, model, ${tokensOf("cacheRead")} AS cache_read_tokens, ${tokensOf("cacheCreation")} AS cache_write_tokens
  FROM tokens
  GROUP BY email, model
),
savings AS (
  SELECT u.email, u.model, u.cache_read_tokens, u.cache_write_tokens,
    CAST(u.cache_read_tokens AS DOUBLE) / 1e6 * (p.input_usd_per_mtok - p.cache_read_usd_per_mtok)
      - CAST(u.cache_write_tokens AS DOUBLE) / 1e6 * (p.cache_write_usd_per_mtok - p.input_usd_per_mtok) AS saved_usd
  FROM per_user_model u
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = u.model
)
SELECT email AS user_email,
  model,
  cache_read_tokens,
  cache_write_tokens,
  ROUND(saved_usd, 2) AS saved_usd,
  CASE WHEN saved_usd IS NULL THEN 'unpriced model' WHEN saved_usd < 0 THEN 'NEGATIVE: cache writes cost more than reads save' ELSE 'ok' END AS status
FROM savings
ORDER BY CASE WHEN saved_usd < 0 THEN 0 WHEN saved_usd IS NULL THEN 2 ELSE 1 END, abs(saved_usd) DESC, user_email, model`,
  },
  {
    key: "daily-cost-trend",
    name: "Daily cost trend and month-end forecast",
    description: "Per UTC day over the last 90 days: cost from token counts and prices, active users, cost per active user, 7-day moving average, month to date and a straight-line month-end projection for budget forecasting.",
    sql: `WITH ${DIRECTORY},
${attributed(daysAgo(90))},
per_day AS (
  SELECT ${DAY.replace("dt", "a.dt")} AS usage_day,
    COUNT(DISTINCT a.email) AS active_users,
    SUM(CASE WHEN a.claude_code_token_usage IS NOT NULL THEN COALESCE(${COST}, 0) ELSE 0 END) AS cost_usd
  FROM attributed a
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
  GROUP BY ${DAY.replace("dt", "a.dt")}
),
trend AS (
  SELECT usage_day, active_users, cost_usd,
    AVG(cost_usd) OVER (ORDER BY usage_day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS cost_7day_avg_usd,
    SUM(cost_usd) OVER (PARTITION BY date_trunc('month', usage_day) ORDER BY usage_day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS month_to_date_usd,
    day(CAST(date_trunc('month', usage_day) + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE)) AS days_in_month
  FROM per_day
)
SELECT usage_day,
  active_users,
  ROUND(cost_usd, 2) AS cost_usd,
  ROUND(cost_usd / NULLIF(active_users, 0), 2) AS cost_per_active_user_usd,
  ROUND(cost_7day_avg_usd, 2) AS cost_7day_avg_usd,
  ROUND(month_to_date_usd, 2) AS month_to_date_usd,
  ROUND(month_to_date_usd / day(usage_day) * days_in_month, 2) AS month_projection_usd
FROM trend
ORDER BY usage_day`,
  },
  {
    key: "unpriced-models",
    name: "Models without a price (data quality)",
    description: "Model ids with token usage in the last 90 days that the pricing table does not know; their cost is missing from every cost query until a price (or a model alias) is added to the stage config.",
    sql: `SELECT m.model,
  COUNT(DISTINCT lower(m.user_email)) AS users,
  SUM(m.claude_code_token_usage) AS tokens
FROM ${TABLE.metrics} m
LEFT JOIN ${TABLE.pricing} p ON p.model_id = m.model
WHERE m.dt >= ${daysAgo(90)} AND m.claude_code_token_usage IS NOT NULL AND p.model_id IS NULL
GROUP BY m.model
ORDER BY tokens DESC, m.model`,
  },
];

export function namedQuery(key: string): NamedQuerySql {
  const q = NAMED_QUERIES.find((x) => x.key === key);
  if (!q) throw new Error(`no named query "${key}"`);
  return q;
}
