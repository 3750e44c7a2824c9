/**
 * The named queries, executed: a generated data set (a few hundred users, two months, every Claude
 * Code metric) is written as Parquet in Firehose's `metrics/yyyy/MM/dd/` layout, loaded into DuckDB
 * through views named like the Glue tables, and every stored SQL text is run unchanged except for
 * `current_date` (see testdata/duckdb.ts). Each answer is compared with the same answer computed in
 * TypeScript straight from the records (testdata/expected.ts).
 *
 * The dialect: every text is parsed with dt-sql-parser's Trino grammar (Athena engine 3 is Trino), so a
 * construct DuckDB accepts but Trino does not fails here; `portable SQL` below pins the functions both
 * engines document with the same meaning.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pricingRows } from "./pricing";
import { NAMED_QUERIES, namedQuery } from "./queries";
import { METRICS_COLUMNS, METRICS_PREFIX } from "./schema";
import { useTrinoParser } from "./testdata/trino";
import { openLake, pinCurrentDate, type Lake } from "./testdata/duckdb";
import { eventDay, Expected, floorDaysAgo, floorMonthsAgo, mondayOf } from "./testdata/expected";
import { generateDataSet, MODELS, type DataSet } from "./testdata/generate";

const num = (v: unknown) => Number(v);
const trino = useTrinoParser();
const r2 = (x: number) => Math.round(x * 100) / 100;
/** SQL rounds to 2 decimals; allow one cent of float noise around TypeScript's rounding. */
const closeCents = (sql: unknown, ts: number) => expect(Math.abs(num(sql) - r2(ts))).toBeLessThanOrEqual(0.0100001);

let root: string;
let data: DataSet;
let lake: Lake & { objects: number };
let exp: Expected;
const results = new Map<string, Record<string, unknown>[]>();
const run = (key: string) => results.get(key)!;
/** The window the parameterised cache-savings query runs over in the tests (not the last 30 days: any window). */
const SAVINGS_WINDOW = ["2026-09-20", "2026-10-10"] as const;
const paramsOf = (key: string): string[] | undefined =>
  key === "prompt-cache-savings" ? [...SAVINGS_WINDOW, ...SAVINGS_WINDOW] : undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "ccb-analytics-"));
  data = generateDataSet({ seed: 20260901, users: 300 });
  const pricing = pricingRows();
  lake = await openLake(root, data, pricing, data.lastDay);
  exp = new Expected(data, pricing, data.lastDay);
  for (const q of NAMED_QUERIES) results.set(q.key, await lake.run(q.sql, paramsOf(q.key)));
});

afterAll(() => {
  lake?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the data set and its layout", () => {
  it("is realistic in size: a few hundred users over two months", () => {
    expect(data.users).toBe(300);
    expect(data.firstDay).toBe("2026-09-01");
    expect(data.lastDay).toBe("2026-10-31");
    expect(data.rows.length).toBeGreaterThan(100_000);
  });

  it("is deterministic for a seed", () => {
    const again = generateDataSet({ seed: 20260901, users: 20, days: 5 });
    const same = generateDataSet({ seed: 20260901, users: 20, days: 5 });
    const other = generateDataSet({ seed: 7, users: 20, days: 5 });
    expect(JSON.stringify(again.rows)).toBe(JSON.stringify(same.rows));
    expect(JSON.stringify(other.rows)).not.toBe(JSON.stringify(same.rows));
  });

  it("covers every metric, token type, decision and the edge cases", () => {
    for (const c of METRICS_COLUMNS.filter((x) => x.type === "double"))
      expect(
        data.rows.some((r) => r[c.name] !== null),
        c.name,
      ).toBe(true);
    expect(new Set(data.rows.filter((r) => r["claude_code_token_usage"] !== null).map((r) => r["type"]))).toEqual(
      new Set(["input", "output", "cacheRead", "cacheCreation"]),
    );
    expect(new Set(data.rows.map((r) => r["decision"]).filter(Boolean))).toEqual(new Set(["accept", "reject"]));
    // Exported before midnight, arrived after it: the row's dt is the next day.
    expect(
      data.rows.some((r) => new Date((r["emf"] as { timestamp: number }).timestamp).toISOString().slice(0, 10).replace(/-/g, "/") !== r.dt),
    ).toBe(true);
    expect(data.rows.some((r) => r["model"] === MODELS.unpriced)).toBe(true);
    expect(data.rows.some((r) => r["department"] === "unspecified")).toBe(true);
  });

  it("is stored as Parquet under metrics/yyyy/MM/dd/ with the Glue table's columns", async () => {
    const days = readdirSync(join(root, METRICS_PREFIX, "2026", "09"));
    expect(days).toContain("01");
    expect(days).toContain("30");
    expect(readdirSync(join(root, METRICS_PREFIX, "2026", "10", "15")).every((f) => f.endsWith(".parquet"))).toBe(true);
    const schema = await lake.conn.runAndReadAll(
      `SELECT name FROM parquet_schema('${join(root, METRICS_PREFIX, "2026/10/15/*.parquet")}') WHERE name <> 'duckdb_schema'`,
    );
    const names = new Set(schema.getRowObjectsJson().map((r) => String(r["name"])));
    for (const c of METRICS_COLUMNS) expect(names.has(c.name), c.name).toBe(true);
    expect(names.has("dt")).toBe(false); // the partition lives in the path, as Firehose writes it
    const count = await lake.run(`SELECT COUNT(*) AS n FROM metrics`);
    expect(num(count[0]!["n"])).toBe(data.rows.length);
  });
});

describe("the dialect shim", () => {
  it("gives DuckDB Trino's from_unixtime: seconds since the epoch to the UTC day", async () => {
    const rows = await lake.run(
      `SELECT CAST(from_unixtime(1790812798000 / 1000) AS DATE) AS d, CAST(from_unixtime(1790812800000 / 1000) AS DATE) AS next`,
    );
    expect(rows[0]).toEqual({ d: "2026-09-30", next: "2026-10-01" });
  });

  it("pins current_date and nothing else", () => {
    expect(pinCurrentDate("SELECT current_date, CURRENT_DATE, current_dates FROM t", "2026-10-31")).toBe(
      "SELECT DATE '2026-10-31', DATE '2026-10-31', current_dates FROM t",
    );
    expect(() => pinCurrentDate("x", "31/10/2026")).toThrow(/yyyy-MM-dd/);
  });

  it("window floors in SQL equal the TypeScript ones", async () => {
    const rows = await lake.run(`SELECT replace(CAST(CAST(current_date - INTERVAL '90' DAY AS DATE) AS VARCHAR), '-', '/') AS d90,
      replace(CAST(CAST(date_trunc('month', current_date) - INTERVAL '11' MONTH AS DATE) AS VARCHAR), '-', '/') AS m11`);
    expect(rows[0]).toEqual({ d90: floorDaysAgo(data.lastDay, 90), m11: floorMonthsAgo(data.lastDay, 11) });
  });

  it("portable SQL: no engine-specific functions in any stored query", () => {
    // Trino-only or DuckDB-only spellings that would make one text fail on the other engine.
    const forbidden =
      /\b(date_parse|date_format|strftime|strptime|epoch_ms|to_timestamp|regexp_matches|approx_percentile|quantile|last_day_of_month|last_day|date_add|date_diff|datediff|ilike|list_|struct_pack|try_cast|::)\b|::/i;
    for (const q of NAMED_QUERIES) expect(q.sql, q.key).not.toMatch(forbidden);
  });
});

describe("every named query runs and answers", () => {
  it.each(NAMED_QUERIES.map((q) => [q.key]))("%s returns rows", (key) => {
    expect(run(key).length).toBeGreaterThan(0);
  });

  it("names and descriptions fit Athena's limits and keys are unique", () => {
    expect(new Set(NAMED_QUERIES.map((q) => q.key)).size).toBe(NAMED_QUERIES.length);
    for (const q of NAMED_QUERIES) {
      expect(q.name.length).toBeLessThanOrEqual(128);
      expect(q.description.length).toBeLessThanOrEqual(1024);
      expect(q.key).toMatch(/^[a-z0-9-]+$/);
    }
  });
});

describe("every stored text is Trino (Athena engine 3) SQL", () => {
  it.each(NAMED_QUERIES.map((q) => [q.key, q.sql]))("%s parses with the Trino grammar", (_key, sql) => {
    expect(trino().validate(sql)).toEqual([]);
  });

  it("the grammar rejects what Trino rejects (the check can fail)", () => {
    expect(trino().validate("SELEC 1 FRM t").length).toBeGreaterThan(0);
    // DuckDB's cast shorthand runs in the tests' engine but is not Trino.
    expect(trino().validate("SELECT x::DOUBLE FROM t").length).toBeGreaterThan(0);
  });

  it("parameterised queries declare one name per placeholder", () => {
    for (const q of NAMED_QUERIES) expect((q.sql.match(/\?/g) ?? []).length, q.key).toBe(q.parameters?.length ?? 0);
  });
});

describe("edge cases the data set must contain for the answers to mean something", () => {
  it("points exported before midnight arrive in the next day's partition", () => {
    const late = data.rows.filter((r) => eventDay(r).replace(/-/g, "/") !== r.dt && r["claude_code_token_usage"] !== null);
    expect(late.length).toBeGreaterThan(0);
  });
  it("records without an email carry tokens, and sessions exist without tokens", () => {
    expect(data.rows.some((r) => r["user_email"] === null && (r["claude_code_token_usage"] as number) > 0)).toBe(true);
    const withTokens = new Set(data.rows.filter((r) => (r["claude_code_token_usage"] as number) > 0).map((r) => String(r["session_id"])));
    expect(data.rows.some((r) => r["claude_code_session_count"] !== null && !withTokens.has(String(r["session_id"])))).toBe(true);
  });
});

describe("answers match totals computed in TypeScript", () => {
  it("monthly token consumption by department, by event month, active = consumed tokens", () => {
    const want = exp.monthlyTokensByDepartment();
    const got = run("monthly-tokens-by-department");
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const e = want.get(`${row["usage_month"]}|${row["department"]}`)!;
      expect(e, `${row["usage_month"]} ${row["department"]}`).toBeDefined();
      expect(num(row["active_users"])).toBe(e.activeUsers.size);
      expect(num(row["input_tokens"])).toBe(e.input);
      expect(num(row["output_tokens"])).toBe(e.output);
      expect(num(row["cache_read_tokens"])).toBe(e.cacheRead);
      expect(num(row["cache_write_tokens"])).toBe(e.cacheWrite);
      expect(num(row["total_tokens"])).toBe(e.total);
    }
    expect(got.map((r) => r["department"])).toContain("unassigned");
    // Months are the events' months (sessions running past midnight on Oct 31 reach November).
    expect(new Set(got.map((r) => r["usage_month"]))).toEqual(
      new Set(data.rows.filter((r) => r["claude_code_token_usage"] !== null).map((r) => eventDay(r).slice(0, 7))),
    );
    // Totals include the records without an email.
    const all = data.rows.reduce((s, r) => s + ((r["claude_code_token_usage"] as number | null) ?? 0), 0);
    expect(got.reduce((s, r) => s + num(r["total_tokens"]), 0)).toBe(all);
  });

  it("code acceptance rate by month and language", () => {
    const want = exp.acceptanceByMonthAndLanguage();
    const got = run("code-acceptance-by-language");
    expect(new Set(got.map((r) => `${r["usage_month"]}|${r["language"]}`))).toEqual(new Set(want.keys()));
    for (const row of got) {
      const e = want.get(`${row["usage_month"]}|${row["language"]}`)!;
      expect(num(row["accepted"])).toBe(e.accepted);
      expect(num(row["rejected"])).toBe(e.rejected);
      expect(num(row["users"])).toBe(e.users.size);
      expect(num(row["acceptance_rate_pct"])).toBeCloseTo((100 * e.accepted) / (e.accepted + e.rejected), 1);
    }
    for (const month of new Set(got.map((r) => r["usage_month"]))) {
      const totals = got.filter((r) => r["usage_month"] === month).map((r) => num(r["accepted"]) + num(r["rejected"]));
      expect([...totals].sort((a, b) => b - a)).toEqual(totals);
    }
  });

  it("token efficiency by team: lines per 1 000 output tokens and tokens per accepted line", () => {
    const want = exp.efficiencyByTeam();
    const got = run("token-efficiency-by-team");
    expect(new Set(got.map((r) => r["team"]))).toEqual(new Set(want.keys()));
    for (const row of got) {
      const e = want.get(String(row["team"]))!;
      expect(num(row["active_users"])).toBe(e.activeUsers.size);
      expect(num(row["total_tokens"])).toBe(e.total);
      expect(num(row["output_tokens"])).toBe(e.output);
      expect(num(row["accepted_lines"])).toBe(e.acceptedLines);
      expect(num(row["accepted_edits"])).toBe(e.acceptedEdits);
      expect(num(row["lines_per_1k_output_tokens"])).toBeCloseTo((1000 * e.acceptedLines) / e.output, 2);
      expect(num(row["tokens_per_accepted_line"])).toBeCloseTo(e.total / e.acceptedLines, 1);
      expect(num(row["output_tokens_per_accepted_edit"])).toBeCloseTo(e.output / e.acceptedEdits, 1);
      expect(num(row["cache_hit_rate_pct"])).toBeCloseTo((100 * e.cacheRead) / e.prompt, 1);
      closeCents(row["cost_usd"], e.cost);
    }
  });

  it("cost by user: event month, all four token types, estimates joined null-safe (records without email keep theirs)", () => {
    const want = exp.costByUser();
    const got = run("cost-by-user");
    expect(got.length).toBe(want.size);
    let unpriced = 0;
    for (const row of got) {
      const e = want.get(`${row["usage_month"]}|${row["user_email"]}`)!;
      expect(e, `${row["usage_month"]} ${row["user_email"]}`).toBeDefined();
      expect(num(row["tokens"])).toBe(e.tokens);
      closeCents(row["cost_usd"], e.cost);
      closeCents(row["client_estimate_usd"], e.estimate);
      expect(num(row["unpriced_tokens"])).toBe(e.unpriced);
      expect(row["department"]).toBe(e.department);
      unpriced += num(row["unpriced_tokens"]);
    }
    expect(unpriced).toBeGreaterThan(0);
    const anonymous = got.filter((r) => r["user_email"] === null);
    expect(anonymous.length).toBeGreaterThan(0);
    for (const r of anonymous) expect(num(r["client_estimate_usd"])).toBeGreaterThan(0);
    // The sum over users equals the sum over departments (chargeback adds up).
    const byUser = got.reduce((s, r) => s + num(r["cost_usd"]), 0);
    const byDept = run("cost-by-department").reduce((s, r) => s + num(r["cost_usd"]), 0);
    expect(Math.abs(byUser - byDept)).toBeLessThan(0.01 * got.length);
  });

  it("monthly cost by department with shares adding up to 100 %", () => {
    const want = exp.costByDepartment();
    const got = run("cost-by-department");
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const e = want.get(`${row["usage_month"]}|${row["department"]}`)!;
      closeCents(row["cost_usd"], e.cost);
      expect(num(row["active_users"])).toBe(e.activeUsers.size);
      if (e.activeUsers.size > 0) closeCents(row["cost_per_active_user_usd"], e.cost / e.activeUsers.size);
    }
    for (const month of new Set(got.map((r) => String(r["usage_month"])))) {
      const share = got.filter((r) => r["usage_month"] === month).reduce((s, r) => s + num(r["share_pct"]), 0);
      expect(Math.abs(share - 100)).toBeLessThan(0.5);
    }
  });

  it.each([
    ["daily-active-users", "day"],
    ["weekly-active-users", "week"],
    ["monthly-active-users", "month"],
  ] as const)("%s: users who consumed tokens, by event time", (key, period) => {
    const want = exp.activeUsers(period);
    const got = run(key);
    expect(got.map((r) => r["period_start"])).toEqual([...want.keys()].sort());
    for (const row of got) {
      const e = want.get(String(row["period_start"]))!;
      expect(num(row["active_users"])).toBe(e.activeUsers.size);
      expect(num(row["sessions_started"])).toBe(e.sessions);
      expect(num(row["tokens"])).toBe(e.tokens);
    }
  });

  it("a session without a prompt does not make its user active", () => {
    // Users with a session start on a day but no tokens that day are not counted.
    const day = exp.activeUsers("day");
    const sessionOnly = data.rows.filter((r) => r["claude_code_session_count"] !== null && String(r["session_id"]).startsWith("idle-"));
    const consumed = new Set(
      data.rows.filter((x) => (x["claude_code_token_usage"] as number) > 0).map((x) => `${x["user_email"]}|${eventDay(x)}`),
    );
    const lonely = sessionOnly.filter((r) => !consumed.has(`${r["user_email"]}|${eventDay(r)}`));
    expect(lonely.length).toBeGreaterThan(0);
    for (const r of lonely) expect(day.get(eventDay(r))?.activeUsers.has(String(r["user_email"]).toLowerCase()) ?? false).toBe(false);
    expect(mondayOf("2026/09/03")).toBe("2026-08-31");
  });

  it("top 25 users by cost, per month", () => {
    const want = exp.topUsersPerMonth(25);
    const got = run("top-users");
    expect(new Set(got.map((r) => r["usage_month"]))).toEqual(new Set(want.keys()));
    for (const [month, users] of want) {
      const rows = got.filter((r) => r["usage_month"] === month);
      expect(rows.map((r) => r["user_email"])).toEqual(users.map(([email]) => email));
      rows.forEach((row, i) => {
        const e = users[i]![1];
        expect(num(row["rank_in_month"])).toBe(i + 1);
        expect(num(row["tokens"])).toBe(e.tokens);
        closeCents(row["cost_usd"], e.cost);
        expect(num(row["sessions"])).toBe(e.sessions);
        expect(num(row["lines_added"])).toBe(e.linesAdded);
        expect(num(row["accepted_edits"])).toBe(e.acceptedEdits);
        expect(num(row["active_hours"])).toBeCloseTo(e.activeSeconds / 3600, 1);
      });
    }
  });

  it("cache hit rate by model", () => {
    const want = exp.cacheByModel();
    const got = run("cache-hit-rate");
    expect(new Set(got.map((r) => r["model"]))).toEqual(new Set(want.keys()));
    for (const row of got) {
      const e = want.get(String(row["model"]))!;
      expect(num(row["cache_read_tokens"])).toBe(e.cacheRead);
      expect(num(row["cache_hit_rate_pct"])).toBeCloseTo((100 * e.cacheRead) / (e.input + e.cacheRead + e.cacheWrite), 1);
    }
  });

  it("dollars saved by prompt caching over a window given as parameters, negative savings flagged", () => {
    const want = exp.cacheSavings(...SAVINGS_WINDOW);
    const got = run("prompt-cache-savings");
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const e = want.get(`${row["user_email"]}|${row["model"]}`)!;
      expect(e, `${row["user_email"]} ${row["model"]}`).toBeDefined();
      expect(num(row["cache_read_tokens"])).toBe(e.cacheRead);
      expect(num(row["cache_write_tokens"])).toBe(e.cacheWrite);
      if (e.saved === undefined) {
        expect(row["saved_usd"]).toBeNull();
        expect(row["status"]).toBe("unpriced model");
      } else {
        closeCents(row["saved_usd"], e.saved);
        expect(row["status"]).toBe(e.saved < 0 ? "NEGATIVE: cache writes cost more than reads save" : "ok");
      }
    }
    expect(got.some((r) => String(r["status"]).startsWith("NEGATIVE"))).toBe(true);
    const rank = (r: Record<string, unknown>) => (String(r["status"]).startsWith("NEGATIVE") ? 0 : r["status"] === "ok" ? 1 : 2);
    expect(got.map(rank)).toEqual([...got.map(rank)].sort((a, b) => a - b));
  });

  it("cache savings: a one-day window holds exactly that day's events", async () => {
    const day = "2026-09-30";
    const rows = await lake.run(namedQuery("prompt-cache-savings").sql, [day, day, day, day]);
    const want = exp.cacheSavings(day, day);
    expect(rows.length).toBe(want.size);
    const reads = rows.reduce((s, r) => s + num(r["cache_read_tokens"]), 0);
    expect(reads).toBe([...want.values()].reduce((s, e) => s + e.cacheRead, 0));
  });

  it("daily cost trend: cost, 7-day average, month to date and month-end projection", () => {
    const want = exp.dailyCost();
    const got = run("daily-cost-trend");
    const days = [...want.keys()];
    expect(got.map((r) => r["usage_day"])).toEqual(days);
    const costs = days.map((d) => want.get(d)!.cost);
    got.forEach((row, i) => {
      const day = days[i]!;
      closeCents(row["cost_usd"], costs[i]!);
      expect(num(row["active_users"])).toBe(want.get(day)!.activeUsers.size);
      const window = costs.slice(Math.max(0, i - 6), i + 1);
      closeCents(row["cost_7day_avg_usd"], window.reduce((s, x) => s + x, 0) / window.length);
      const mtd = days.map((d, j) => (d.slice(0, 7) === day.slice(0, 7) && j <= i ? costs[j]! : 0)).reduce((s, x) => s + x, 0);
      closeCents(row["month_to_date_usd"], mtd);
      const [y, m, d] = day.split("-").map(Number) as [number, number, number];
      const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
      expect(Math.abs(num(row["month_projection_usd"]) - (mtd / d) * daysInMonth)).toBeLessThan(0.01 * daysInMonth + 0.01);
    });
  });

  it("models without a price are listed", () => {
    const want = exp.unpricedModels();
    const got = run("unpriced-models");
    expect(got.map((r) => r["model"])).toEqual([MODELS.unpriced]);
    expect(num(got[0]!["tokens"])).toBe(want.get(MODELS.unpriced)!.tokens);
    expect(num(got[0]!["users"])).toBe(want.get(MODELS.unpriced)!.users.size);
  });

  it("a price override changes cost answers accordingly", async () => {
    const doubled = pricingRows({
      overrides: { "anthropic.claude-haiku-4-5-20251001-v1:0": { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } },
    });
    const root2 = mkdtempSync(join(tmpdir(), "ccb-analytics-o-"));
    const small = generateDataSet({ seed: 11, users: 15, days: 6 });
    const base = await openLake(join(root2, "a"), small, pricingRows(), small.lastDay);
    const over = await openLake(join(root2, "b"), small, doubled, small.lastDay);
    try {
      const haikuCost = async (l: Lake) => {
        const rows = await l.run(namedQuery("cost-by-user").sql);
        return rows.reduce((s, r) => s + num(r["cost_usd"]), 0);
      };
      const e = new Expected(small, pricingRows(), small.lastDay);
      const haikuShare = small.rows.filter((r) => r["model"] === MODELS.haiku).reduce((s, r) => s + (e.cost(r) ?? 0), 0);
      expect(haikuShare).toBeGreaterThan(0);
      expect(Math.abs((await haikuCost(over)) - (await haikuCost(base)) - haikuShare)).toBeLessThan(0.01 * 40);
    } finally {
      base.close();
      over.close();
      rmSync(root2, { recursive: true, force: true });
    }
  });
});
