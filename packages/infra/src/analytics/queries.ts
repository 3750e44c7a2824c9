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
import { COST_BY_DEPARTMENT, COST_BY_USER, DAILY_COST_TREND, PROMPT_CACHE_SAVINGS, UNPRICED_MODELS } from "./queries-cost";
import {
  CACHE_HIT_RATE,
  CODE_ACCEPTANCE_BY_LANGUAGE,
  DAILY_ACTIVE_USERS,
  MONTHLY_ACTIVE_USERS,
  MONTHLY_TOKENS_BY_DEPARTMENT,
  TOKEN_EFFICIENCY_BY_TEAM,
  TOP_USERS,
  WEEKLY_ACTIVE_USERS,
} from "./queries-usage";
import type { NamedQuerySql } from "./query-sql";

export type { NamedQuerySql } from "./query-sql";

/** Every named query, in the order the workgroup lists them. */
export const NAMED_QUERIES: readonly NamedQuerySql[] = [
  MONTHLY_TOKENS_BY_DEPARTMENT,
  CODE_ACCEPTANCE_BY_LANGUAGE,
  TOKEN_EFFICIENCY_BY_TEAM,
  COST_BY_USER,
  COST_BY_DEPARTMENT,
  DAILY_ACTIVE_USERS,
  WEEKLY_ACTIVE_USERS,
  MONTHLY_ACTIVE_USERS,
  TOP_USERS,
  CACHE_HIT_RATE,
  PROMPT_CACHE_SAVINGS,
  DAILY_COST_TREND,
  UNPRICED_MODELS,
];

export function namedQuery(key: string): NamedQuerySql {
  const q = NAMED_QUERIES.find((x) => x.key === key);
  if (!q) throw new Error(`no named query "${key}"`);
  return q;
}
