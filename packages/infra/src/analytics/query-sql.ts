/** SQL fragments the named queries share: event windows, directory attribution, pricing. */
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
export const EVENT_DAY = `CAST(from_unixtime(m.emf.timestamp / 1000) AS DATE)`;
/** First day of a window `days` before today. */
export const daysAgo = (days: number) => `current_date - INTERVAL '${days}' DAY`;
/** First day of the month `months` before this one. */
export const monthsAgo = (months: number) => `CAST(date_trunc('month', current_date) - INTERVAL '${months}' MONTH AS DATE)`;
/** The partition value of the day before `day` (a DATE expression): the pruning margin. */
export const dtBefore = (day: string) => `replace(CAST(CAST(${day} - INTERVAL '1' DAY AS DATE) AS VARCHAR), '-', '/')`;
/** The partition value of the day after `day`. */
export const dtAfter = (day: string) => `replace(CAST(CAST(${day} + INTERVAL '1' DAY AS DATE) AS VARCHAR), '-', '/')`;
export const monthOf = (day: string) => `substr(CAST(${day} AS VARCHAR), 1, 7)`;
export const TOKENS_CONSUMED = `claude_code_token_usage > 0`;

/**
 * Metric records whose event day is in [first, last] (last defaults to today), with the lower-cased
 * email and the event day; `dt` prunes partitions one day wider on each side.
 */
export const events = (first: string, where = "TRUE", last?: string) => `events AS (
  SELECT m.*, lower(m.user_email) AS email, ${EVENT_DAY} AS event_day
  FROM ${TABLE.metrics} m
  WHERE m.dt >= ${dtBefore(first)}${last ? ` AND m.dt <= ${dtAfter(last)}` : ""}
    AND ${EVENT_DAY} >= ${first}${last ? ` AND ${EVENT_DAY} <= ${last}` : ""}
    AND (${where})
)`;

/** One row per user (emails compared case-insensitively), so a duplicated directory line never double-counts. */
export const DIRECTORY = `directory AS (
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
export const ATTRIBUTED = `attributed AS (
  SELECT e.*,
    COALESCE(NULLIF(NULLIF(e.department, ''), '${UNSPECIFIED}'), d.department, 'unassigned') AS dept,
    COALESCE(NULLIF(NULLIF(e.team, ''), '${UNSPECIFIED}'), d.team, 'unassigned') AS team_name
  FROM events e
  LEFT JOIN directory d ON d.email = e.email
)`;

/** Cost of one token record at the model's price; NULL when the model has no price (reported, never silently 0). */
export const COST = `CAST(a.claude_code_token_usage AS DOUBLE) / 1e6 * CASE a.type
      WHEN 'input' THEN p.input_usd_per_mtok
      WHEN 'output' THEN p.output_usd_per_mtok
      WHEN 'cacheRead' THEN p.cache_read_usd_per_mtok
      WHEN 'cacheCreation' THEN p.cache_write_usd_per_mtok
    END`;

/** Token records with their cost. */
export const PRICED = `priced AS (
  SELECT a.event_day, a.email, a.dept, a.team_name AS team, a.model, a.type, a.claude_code_token_usage AS tokens, ${COST} AS cost_usd
  FROM attributed a
  LEFT JOIN ${TABLE.pricing} p ON p.model_id = a.model
  WHERE a.claude_code_token_usage IS NOT NULL
)`;

export const tokensOf = (type: string, col = "tokens") => `SUM(CASE WHEN type = '${type}' THEN ${col} ELSE 0 END)`;
export const ACTIVE_NOTE =
  "A user is active in a period when they consumed tokens in it (a session started without a prompt is not activity); periods are the data point's own UTC time.";

/** Active users per period: `bucket` maps the event day to the period's first day. */
export const activeUsers = (bucket: (day: string) => string, first: string) => `WITH ${events(first)}
SELECT ${bucket("event_day")} AS period_start,
  COUNT(DISTINCT CASE WHEN ${TOKENS_CONSUMED} THEN email END) AS active_users,
  SUM(COALESCE(claude_code_session_count, 0)) AS sessions_started,
  SUM(COALESCE(claude_code_token_usage, 0)) AS tokens
FROM events
GROUP BY ${bucket("event_day")}
ORDER BY period_start`;
