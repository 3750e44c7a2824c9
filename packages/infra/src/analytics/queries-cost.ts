/** Named queries about cost: per user and department, cache savings, the daily trend, unpriced models. */
import {
  ACTIVE_NOTE,
  ATTRIBUTED,
  COST,
  daysAgo,
  DIRECTORY,
  events,
  monthOf,
  monthsAgo,
  type NamedQuerySql,
  PRICED,
  TOKENS_CONSUMED,
  tokensOf,
} from "./query-sql";
import { TABLE } from "./schema";

export const COST_BY_USER: NamedQuerySql = {
  key: "cost-by-user",
  name: "Cost by user (tokens x Bedrock prices)",
  description:
    "Per user and calendar month (UTC, by the data point's time) over the last 3 months: cost computed from token counts and the pricing table (all four token types), Claude Code's own client-side estimate for comparison, and tokens of models without a price. Records without an email appear as one row with an empty user.",
  sql: `WITH ${DIRECTORY},
${events(monthsAgo(2), "m.claude_code_token_usage IS NOT NULL OR m.claude_code_cost_usage IS NOT NULL")},
${ATTRIBUTED},
${PRICED},
costs AS (
SELECT ${monthOf("event_day")} AS usage_month, email, max(dept) AS dept, max(team) AS team,
  SUM(tokens) AS tokens,
  SUM(cost_usd) AS cost_usd,
  SUM(CASE WHEN cost_usd IS NULL THEN tokens ELSE 0 END) AS unpriced_tokens
FROM priced
GROUP BY ${monthOf("event_day")}, email
),
estimates AS (
SELECT ${monthOf("event_day")} AS usage_month, email, SUM(claude_code_cost_usage) AS client_estimate_usd
FROM attributed
WHERE claude_code_cost_usage IS NOT NULL
GROUP BY ${monthOf("event_day")}, email
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
LEFT JOIN estimates e ON e.usage_month = c.usage_month AND e.email IS NOT DISTINCT FROM c.email
ORDER BY c.usage_month, cost_usd DESC, user_email`,
};

export const COST_BY_DEPARTMENT: NamedQuerySql = {
  key: "cost-by-department",
  name: "Monthly cost by department (chargeback)",
  description: `Per calendar month (UTC, by the data point's time) over the last 12 months: each department's cost from token counts and Bedrock prices, its active users, cost per active user and its share of the month's total. ${ACTIVE_NOTE}`,
  sql: `WITH ${DIRECTORY},
${events(monthsAgo(11), "m.claude_code_token_usage IS NOT NULL")},
${ATTRIBUTED},
${PRICED},
per_dept AS (
SELECT ${monthOf("event_day")} AS usage_month, dept,
  COUNT(DISTINCT CASE WHEN tokens > 0 THEN email END) AS active_users,
  SUM(COALESCE(cost_usd, 0)) AS cost_usd
FROM priced
GROUP BY ${monthOf("event_day")}, dept
)
SELECT usage_month,
dept AS department,
active_users,
ROUND(cost_usd, 2) AS cost_usd,
ROUND(cost_usd / NULLIF(active_users, 0), 2) AS cost_per_active_user_usd,
ROUND(100 * cost_usd / NULLIF(SUM(cost_usd) OVER (PARTITION BY usage_month), 0), 1) AS share_pct
FROM per_dept
ORDER BY usage_month, cost_usd DESC, department`,
};

export const PROMPT_CACHE_SAVINGS: NamedQuerySql = {
  key: "prompt-cache-savings",
  name: "Dollars saved by prompt caching per user and model (any window)",
  description:
    "What prompt caching saved each user per model between two UTC days (parameters, yyyy-MM-dd, both days included: first day, last day, then the same two again): cache reads at the input price minus their cache-read price, less the cache-write premium over the input price. Negative savings mean caching costs more than it saves (misconfigured caching); they are listed first.",
  // Positional: the window prunes partitions (first two) and filters event days (last two).
  parameters: ["first_day", "last_day", "first_day", "last_day"],
  sql: `WITH ${events("CAST(? AS DATE)", "m.claude_code_token_usage IS NOT NULL AND m.type IN ('cacheRead', 'cacheCreation')", "CAST(? AS DATE)")},
per_user_model AS (
SELECT email, model, ${tokensOf("cacheRead", "claude_code_token_usage")} AS cache_read_tokens, ${tokensOf("cacheCreation", "claude_code_token_usage")} AS cache_write_tokens
FROM events
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
};

export const DAILY_COST_TREND: NamedQuerySql = {
  key: "daily-cost-trend",
  name: "Daily cost trend and month-end forecast",
  description: `Per UTC day (by the data point's time) over the last 90 days: cost from token counts and prices, active users, cost per active user, 7-day moving average, month to date and a straight-line month-end projection for budget forecasting. ${ACTIVE_NOTE}`,
  sql: `WITH ${events(daysAgo(90))},
per_day AS (
SELECT a.event_day AS usage_day,
  COUNT(DISTINCT CASE WHEN a.${TOKENS_CONSUMED} THEN a.email END) AS active_users,
  SUM(CASE WHEN a.claude_code_token_usage IS NOT NULL THEN COALESCE(${COST}, 0) ELSE 0 END) AS cost_usd
FROM events a
LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
GROUP BY a.event_day
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
};

export const UNPRICED_MODELS: NamedQuerySql = {
  key: "unpriced-models",
  name: "Models without a price (data quality)",
  description:
    "Model ids with token usage in the last 90 days that the pricing table does not know; their cost is missing from every cost query until a price (or a model alias) is added to the stage config.",
  sql: `WITH ${events(daysAgo(90), "m.claude_code_token_usage IS NOT NULL")}
SELECT e.model,
COUNT(DISTINCT e.email) AS users,
SUM(e.claude_code_token_usage) AS tokens
FROM events e
LEFT JOIN ${TABLE.pricing} p ON p.model_id = e.model
WHERE p.model_id IS NULL
GROUP BY e.model
ORDER BY tokens DESC, e.model`,
};
