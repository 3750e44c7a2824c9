/**
 * The Athena named queries, as SQL text. The component stores them as `aws.athena.NamedQuery` in the
 * workgroup; the tests parse every text with a Trino grammar (dt-sql-parser's TrinoSQL) and run the
 * very same text in DuckDB over a generated data set in the layout Firehose writes, comparing every
 * answer with totals computed independently in TypeScript.
 *
 * What an analyst means, and how the SQL says it:
 * - Days, weeks and months are the data point's own UTC time (`emf.timestamp`, epoch milliseconds),
 *   never the partition `dt`: `dt` is the day Firehose received the record, so a point exported at
 *   23:59:58 may sit in the next day's partition. `dt` only prunes what Athena reads, one day wider
 *   than the window (points arrive after they happen; the extra day absorbs clock skew).
 * - An active user in a period is a user who consumed tokens in it (`claude_code.token.usage` > 0 at
 *   an event time inside the period). Starting a session without a prompt is not activity.
 * - Rows without an email still count in every total; joins between aggregates use
 *   `IS NOT DISTINCT FROM` so a NULL key neither drops nor zeroes a row, and users are counted with
 *   `COUNT(DISTINCT email)`, which ignores the missing email.
 * - Every division is on DOUBLE (Trino divides integers as integers) and guarded by `NULLIF(…, 0)`.
 *
 * One text for both engines, with a two-part shim in the tests only (`testdata/duckdb.ts`):
 * `current_date` is pinned, and DuckDB gets a `from_unixtime` macro with Trino's meaning (seconds
 * since the epoch → UTC timestamp). Parameterised queries use `?` (Athena prompts for the values).
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
  /** Names of the `?` parameters in order, when the query takes any (Athena asks for them when it runs). */
  readonly parameters?: readonly string[];
}

/** The data point's UTC day (Athena's session time zone is UTC). */
const EVENT_DAY = `CAST(from_unixtime(m.emf.timestamp / 1000) AS DATE)`;
/** First day of a window `days` before today. */
const daysAgo = (days: number) => `current_date - INTERVAL '${days}' DAY`;
/** First day of the month `months` before this one. */
const monthsAgo = (months: number) => `CAST(date_trunc('month', current_date) - INTERVAL '${months}' MONTH AS DATE)`;
/** The partition value of the day before `day` (a DATE expression): the pruning margin. */
const dtBefore = (day: string) => `replace(CAST(CAST(${day} - INTERVAL '1' DAY AS DATE) AS VARCHAR), '-', '/')`;
/** The partition value of the day after `day`. */
const dtAfter = (day: string) => `replace(CAST(CAST(${day} + INTERVAL '1' DAY AS DATE) AS VARCHAR), '-', '/')`;
const monthOf = (day: string) => `substr(CAST(${day} AS VARCHAR), 1, 7)`;
const TOKENS_CONSUMED = `claude_code_token_usage > 0`;

/**
 * Metric records whose event day is in [first, last] (last defaults to today), with the lower-cased
 * email and the event day; `dt` prunes partitions one day wider on each side.
 */
const events = (first: string, where = "TRUE", last?: string) => `events AS (
  SELECT m.*, lower(m.user_email) AS email, ${EVENT_DAY} AS event_day
  FROM ${TABLE.metrics} m
  WHERE m.dt >= ${dtBefore(first)}${last ? ` AND m.dt <= ${dtAfter(last)}` : ""}
    AND ${EVENT_DAY} >= ${first}${last ? ` AND ${EVENT_DAY} <= ${last}` : ""}
    AND (${where})
)`;

/** One row per user (emails compared case-insensitively), so a duplicated directory line never double-counts. */
const DIRECTORY = `directory AS (
  SELECT lower(user_email) AS email, max(NULLIF(department, '')) AS department, max(NULLIF(team, '')) AS team, max(NULLIF(cost_center, '')) AS cost_center
  FROM ${TABLE.userDirectory}
  WHERE user_email IS NOT NULL
  GROUP BY lower(user_email)
)`;

/**
 * Events with department and team resolved: the token's claims first (the collector writes
 * `unspecified` when the IdP sends none), then the user directory, else `unassigned`. A record
 * without an email matches no directory line and stays (LEFT JOIN).
 */
const ATTRIBUTED = `attributed AS (
  SELECT e.*,
    COALESCE(NULLIF(NULLIF(e.department, ''), '${UNSPECIFIED}'), d.department, 'unassigned') AS dept,
    COALESCE(NULLIF(NULLIF(e.team, ''), '${UNSPECIFIED}'), d.team, 'unassigned') AS team_name
  FROM events e
  LEFT JOIN directory d ON d.email = e.email
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
  SELECT a.event_day, a.email, a.dept, a.team_name AS team, a.model, a.type, a.claude_code_token_usage AS tokens, ${COST} AS cost_usd
  FROM attributed a
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
  WHERE a.claude_code_token_usage IS NOT NULL
)`;

const tokensOf = (type: string, col = "tokens") => `SUM(CASE WHEN type = '${type}' THEN ${col} ELSE 0 END)`;
const ACTIVE_NOTE = "A user is active in a period when they consumed tokens in it (a session started without a prompt is not activity); periods are the data point's own UTC time.";

/** Active users per period: `bucket` maps the event day to the period's first day. */
const activeUsers = (bucket: (day: string) => string, first: string) => `WITH ${events(first)}
SELECT ${bucket("event_day")} AS period_start,
  COUNT(DISTINCT CASE WHEN ${TOKENS_CONSUMED} THEN email END) AS active_users,
  SUM(COALESCE(claude_code_session_count, 0)) AS sessions_started,
  SUM(COALESCE(claude_code_token_usage, 0)) AS tokens
FROM events
GROUP BY ${bucket("event_day")}
ORDER BY period_start`;

export const NAMED_QUERIES: readonly NamedQuerySql[] = [
  {
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
  },
  {
    key: "code-acceptance-by-language",
    name: "Code acceptance rate by month and programming language",
    description: "Edits Claude Code proposed (Edit, Write, NotebookEdit) that users accepted or rejected, per calendar month (UTC, by the decision's time) and language over the last 12 months, with the acceptance rate in percent.",
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
  },
  {
    key: "token-efficiency-by-team",
    name: "Token efficiency by team",
    description: "Per team over the last 90 days (by the data point's time): lines of code per 1 000 output tokens and tokens per accepted line (lines added by accepted edits), output tokens per accepted edit, cost per line and cache hit rate. Large differences point at training needs or misconfigured caching.",
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
  },
  {
    key: "cost-by-user",
    name: "Cost by user (tokens x Bedrock prices)",
    description: "Per user and calendar month (UTC, by the data point's time) over the last 3 months: cost computed from token counts and the pricing table (all four token types), Claude Code's own client-side estimate for comparison, and tokens of models without a price. Records without an email appear as one row with an empty user.",
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
  },
  {
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
  },
  {
    key: "daily-active-users",
    name: "Active users per day",
    description: `Active users per UTC day over the last 90 days, with sessions started and tokens. ${ACTIVE_NOTE}`,
    sql: activeUsers((d) => d, daysAgo(90)),
  },
  {
    key: "weekly-active-users",
    name: "Active users per week",
    description: `Active users per ISO week (Monday start, UTC) over the last 26 weeks. ${ACTIVE_NOTE}`,
    sql: activeUsers((d) => `CAST(date_trunc('week', ${d}) AS DATE)`, `CAST(date_trunc('week', current_date) - INTERVAL '175' DAY AS DATE)`),
  },
  {
    key: "monthly-active-users",
    name: "Active users per month",
    description: `Active users per calendar month (UTC) over the last 12 months. ${ACTIVE_NOTE}`,
    sql: activeUsers((d) => `CAST(date_trunc('month', ${d}) AS DATE)`, monthsAgo(11)),
  },
  {
    key: "top-users",
    name: "Top 25 users by cost per month",
    description: "Per calendar month (UTC, by the data point's time) over the last 3 months: the 25 users with the highest cost from token counts and prices, with tokens, sessions, lines of code added, accepted edits and active hours.",
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
  },
  {
    key: "cache-hit-rate",
    name: "Prompt cache hit rate by model (last 30 days)",
    description: "Share of prompt tokens (input + cache read + cache write) served from the prompt cache, per model, over the last 30 days (by the data point's time).",
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
  },
  {
    key: "prompt-cache-savings",
    name: "Dollars saved by prompt caching per user and model (any window)",
    description: "What prompt caching saved each user per model between two UTC days (parameters, yyyy-MM-dd, both days included: first day, last day, then the same two again): cache reads at the input price minus their cache-read price, less the cache-write premium over the input price. Negative savings mean caching costs more than it saves (misconfigured caching); they are listed first.",
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
  },
  {
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
  },
  {
    key: "unpriced-models",
    name: "Models without a price (data quality)",
    description: "Model ids with token usage in the last 90 days that the pricing table does not know; their cost is missing from every cost query until a price (or a model alias) is added to the stage config.",
    sql: `WITH ${events(daysAgo(90), "m.claude_code_token_usage IS NOT NULL")}
SELECT e.model,
  COUNT(DISTINCT e.email) AS users,
  SUM(e.claude_code_token_usage) AS tokens
FROM events e
LEFT JOIN ${TABLE.pricing} p ON p.model_id = e.model
WHERE p.model_id IS NULL
GROUP BY e.model
ORDER BY tokens DESC, e.model`,
  },
];

export function namedQuery(key: string): NamedQuerySql {
  const q = NAMED_QUERIES.find((x) => x.key === key);
  if (!q) throw new Error(`no named query "${key}"`);
  return q;
}
