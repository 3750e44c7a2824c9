/** Named queries about usage: tokens, adoption, active users, caching. */
import {
  ACTIVE_NOTE,
  activeUsers,
  ATTRIBUTED,
  COST,
  daysAgo,
  DIRECTORY,
  events,
  monthOf,
  monthsAgo,
  type NamedQuerySql,
  TOKENS_CONSUMED,
  tokensOf,
} from "./query-sql";
import { TABLE } from "./schema";

export const MONTHLY_TOKENS_BY_DEPARTMENT: NamedQuerySql = {
  key: "monthly-tokens-by-department",
  name: "Monthly token consumption by department",
  description: `Tokens per calendar month (UTC, by the data point's time) and department over the last 12 months, by type (input, output, cache read, cache write), with the active users. ${ACTIVE_NOTE}`,
  sql: `WITH ${DIRECTORY},
${events(monthsAgo(11), "m.claude_code_token_usage IS NOT NULL")},
${ATTRIBUTED}
SELECT ${monthOf("event_day")} AS usage_month,
dept AS department,
COUNT(DISTINCT CASE WHEN ${TOKENS_CONSUMED} THEN email END) AS active_users,
${tokensOf("input", "claude_code_token_usage")} AS input_tokens,
${tokensOf("output", "claude_code_token_usage")} AS output_tokens,
${tokensOf("cacheRead", "claude_code_token_usage")} AS cache_read_tokens,
${tokensOf("cacheCreation", "claude_code_token_usage")} AS cache_write_tokens,
SUM(claude_code_token_usage) AS total_tokens
FROM attributed
GROUP BY ${monthOf("event_day")}, dept
ORDER BY usage_month, total_tokens DESC, department`,
};

export const CODE_ACCEPTANCE_BY_LANGUAGE: NamedQuerySql = {
  key: "code-acceptance-by-language",
  name: "Code acceptance rate by month and programming language",
  description:
    "Edits Claude Code proposed (Edit, Write, NotebookEdit) that users accepted or rejected, per calendar month (UTC, by the decision's time) and language over the last 12 months, with the acceptance rate in percent.",
  sql: `WITH ${events(monthsAgo(11), "m.claude_code_code_edit_tool_decision IS NOT NULL")},
decisions AS (
SELECT ${monthOf("event_day")} AS usage_month,
  COALESCE(NULLIF(language, ''), 'unknown') AS language,
  email,
  CASE WHEN decision = 'accept' THEN claude_code_code_edit_tool_decision ELSE 0 END AS accepted,
  CASE WHEN decision = 'reject' THEN claude_code_code_edit_tool_decision ELSE 0 END AS rejected
FROM events
)
SELECT usage_month,
language,
COUNT(DISTINCT email) AS users,
SUM(accepted) AS accepted,
SUM(rejected) AS rejected,
ROUND(100 * CAST(SUM(accepted) AS DOUBLE) / NULLIF(SUM(accepted) + SUM(rejected), 0), 1) AS acceptance_rate_pct
FROM decisions
GROUP BY usage_month, language
ORDER BY usage_month, SUM(accepted) + SUM(rejected) DESC, language`,
};

export const TOKEN_EFFICIENCY_BY_TEAM: NamedQuerySql = {
  key: "token-efficiency-by-team",
  name: "Token efficiency by team",
  description:
    "Per team over the last 90 days (by the data point's time): lines of code per 1 000 output tokens and tokens per accepted line (lines added by accepted edits), output tokens per accepted edit, cost per line and cache hit rate. Large differences point at training needs or misconfigured caching.",
  sql: `WITH ${DIRECTORY},
${events(daysAgo(90))},
${ATTRIBUTED},
per_team AS (
SELECT a.team_name AS team,
  COUNT(DISTINCT CASE WHEN a.${TOKENS_CONSUMED} THEN a.email END) AS active_users,
  SUM(COALESCE(a.claude_code_token_usage, 0)) AS total_tokens,
  SUM(CASE WHEN a.type = 'output' THEN COALESCE(a.claude_code_token_usage, 0) ELSE 0 END) AS output_tokens,
  SUM(CASE WHEN a.type = 'cacheRead' THEN COALESCE(a.claude_code_token_usage, 0) ELSE 0 END) AS cache_read_tokens,
  SUM(CASE WHEN a.type IN ('input', 'cacheRead', 'cacheCreation') THEN COALESCE(a.claude_code_token_usage, 0) ELSE 0 END) AS prompt_tokens,
  SUM(CASE WHEN a.claude_code_token_usage IS NOT NULL THEN ${COST} ELSE 0 END) AS cost_usd,
  SUM(CASE WHEN a.type = 'added' THEN COALESCE(a.claude_code_lines_of_code_count, 0) ELSE 0 END) AS accepted_lines,
  SUM(CASE WHEN a.decision = 'accept' THEN COALESCE(a.claude_code_code_edit_tool_decision, 0) ELSE 0 END) AS accepted_edits
FROM attributed a
LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
GROUP BY a.team_name
)
SELECT team,
active_users,
total_tokens,
output_tokens,
accepted_lines,
accepted_edits,
ROUND(1000 * CAST(accepted_lines AS DOUBLE) / NULLIF(output_tokens, 0), 2) AS lines_per_1k_output_tokens,
ROUND(CAST(total_tokens AS DOUBLE) / NULLIF(accepted_lines, 0), 1) AS tokens_per_accepted_line,
ROUND(CAST(output_tokens AS DOUBLE) / NULLIF(accepted_edits, 0), 1) AS output_tokens_per_accepted_edit,
ROUND(cost_usd / NULLIF(accepted_lines, 0), 4) AS usd_per_accepted_line,
ROUND(100 * CAST(cache_read_tokens AS DOUBLE) / NULLIF(prompt_tokens, 0), 1) AS cache_hit_rate_pct,
ROUND(cost_usd, 2) AS cost_usd
FROM per_team
ORDER BY tokens_per_accepted_line DESC, team`,
};

export const DAILY_ACTIVE_USERS: NamedQuerySql = {
  key: "daily-active-users",
  name: "Active users per day",
  description: `Active users per UTC day over the last 90 days, with sessions started and tokens. ${ACTIVE_NOTE}`,
  sql: activeUsers((d) => d, daysAgo(90)),
};

export const WEEKLY_ACTIVE_USERS: NamedQuerySql = {
  key: "weekly-active-users",
  name: "Active users per week",
  description: `Active users per ISO week (Monday start, UTC) over the last 26 weeks. ${ACTIVE_NOTE}`,
  sql: activeUsers((d) => `CAST(date_trunc('week', ${d}) AS DATE)`, `CAST(date_trunc('week', current_date) - INTERVAL '175' DAY AS DATE)`),
};

export const MONTHLY_ACTIVE_USERS: NamedQuerySql = {
  key: "monthly-active-users",
  name: "Active users per month",
  description: `Active users per calendar month (UTC) over the last 12 months. ${ACTIVE_NOTE}`,
  sql: activeUsers((d) => `CAST(date_trunc('month', ${d}) AS DATE)`, monthsAgo(11)),
};

export const TOP_USERS: NamedQuerySql = {
  key: "top-users",
  name: "Top 25 users by cost per month",
  description:
    "Per calendar month (UTC, by the data point's time) over the last 3 months: the 25 users with the highest cost from token counts and prices, with tokens, sessions, lines of code added, accepted edits and active hours.",
  sql: `WITH ${DIRECTORY},
${events(monthsAgo(2))},
${ATTRIBUTED},
per_user AS (
SELECT ${monthOf("a.event_day")} AS usage_month, a.email, max(a.dept) AS dept, max(a.team_name) AS team,
  SUM(COALESCE(a.claude_code_token_usage, 0)) AS tokens,
  SUM(CASE WHEN a.claude_code_token_usage IS NOT NULL THEN COALESCE(${COST}, 0) ELSE 0 END) AS cost_usd,
  SUM(COALESCE(a.claude_code_session_count, 0)) AS sessions,
  SUM(CASE WHEN a.type = 'added' THEN COALESCE(a.claude_code_lines_of_code_count, 0) ELSE 0 END) AS lines_added,
  SUM(CASE WHEN a.decision = 'accept' THEN COALESCE(a.claude_code_code_edit_tool_decision, 0) ELSE 0 END) AS accepted_edits,
  SUM(COALESCE(a.claude_code_active_time_total, 0)) AS active_seconds
FROM attributed a
LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
WHERE a.email IS NOT NULL
GROUP BY ${monthOf("a.event_day")}, a.email
),
ranked AS (
SELECT per_user.*, row_number() OVER (PARTITION BY usage_month ORDER BY cost_usd DESC, tokens DESC, email) AS rank_in_month
FROM per_user
WHERE tokens > 0
)
SELECT usage_month,
rank_in_month,
email AS user_email,
dept AS department,
team,
tokens,
ROUND(cost_usd, 2) AS cost_usd,
sessions,
lines_added,
accepted_edits,
ROUND(active_seconds / 3600, 1) AS active_hours
FROM ranked
WHERE rank_in_month <= 25
ORDER BY usage_month, rank_in_month`,
};

export const CACHE_HIT_RATE: NamedQuerySql = {
  key: "cache-hit-rate",
  name: "Prompt cache hit rate by model (last 30 days)",
  description:
    "Share of prompt tokens (input + cache read + cache write) served from the prompt cache, per model, over the last 30 days (by the data point's time).",
  sql: `WITH ${events(daysAgo(30), "m.claude_code_token_usage IS NOT NULL")},
tokens AS (
SELECT model, type, claude_code_token_usage AS tokens
FROM events
)
SELECT model,
${tokensOf("input")} AS input_tokens,
${tokensOf("cacheRead")} AS cache_read_tokens,
${tokensOf("cacheCreation")} AS cache_write_tokens,
ROUND(100 * CAST(${tokensOf("cacheRead")} AS DOUBLE) / NULLIF(${tokensOf("input")} + ${tokensOf("cacheRead")} + ${tokensOf("cacheCreation")}, 0), 1) AS cache_hit_rate_pct
FROM tokens
GROUP BY model
ORDER BY cache_read_tokens DESC, model`,
};
