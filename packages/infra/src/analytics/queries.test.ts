/**
 * The named queries, executed: a generated data set (a few hundred users, two months, every Claude
 * Code metric) is written as Parquet in Firehose's `metrics/yyyy/MM/dd/` layout, loaded into DuckDB
 * through views named like the Glue tables, and every stored SQL text is run unchanged except for
 * `current_date` (see testdata/duckdb.ts). Each answer is compared with the same answer computed in
 * TypeScript straight from the records (testdata/expected.ts).
 *
 * What this cannot prove: that Athena (Trino) accepts every construct. The SQL keeps to functions
 * both engines document with the same meaning; `portable SQL` below pins that list.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pricingRows } from "./pricing";
import { NAMED_QUERIES, namedQuery } from "./queries";
import { METRICS_COLUMNS, METRICS_PREFIX } from "./schema";
import { openLake, pinCurrentDate, type Lake } from "./testdata/duckdb";
import { Expected, floorDaysAgo, floorMonthsAgo, mondayOf } from "./testdata/expected";
import { generateDataSet, MODELS, type DataSet } from "./testdata/generate";

const num = (v: unknown) => Number(v);
const r2 = (x: number) => Math.round(x * 100) / 100;
/** SQL rounds to 2 decimals; allow one cent of float noise around TypeScript's rounding. */
const closeCents = (sql: unknown, ts: number) => expect(Math.abs(num(sql) - r2(ts))).toBeLessThanOrEqual(0.0100001);

let root: string;
let data: DataSet;
let lake: Lake & { objects: number };
let exp: Expected;
const results = new Map<string, Record<string, unknown>[]>();
const run = (key: string) => results.get(key)!;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "ccb-analytics-"));
  data = generateDataSet({ seed: 20260901, users: 300 });
  const pricing = pricingRows();
  lake = await openLake(root, data, pricing, data.lastDay);
  exp = new Expected(data, pricing, data.lastDay);
  for (const q of NAMED_QUERIES) results.set(q.key, await lake.run(q.sql));
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
    for (const c of METRICS_COLUMNS.filter((x) => x.type === "double")) expect(data.rows.some((r) => r[c.name] !== null), c.name).toBe(true);
    expect(new Set(data.rows.filter((r) => r["claude_code_token_usage"] !== null).map((r) => r["type"]))).toEqual(new Set(["input", "output", "cacheRead", "cacheCreation"]));
    expect(new Set(data.rows.map((r) => r["decision"]).filter(Boolean))).toEqual(new Set(["accept", "reject"]));
    // Exported before midnight, arrived after it: the row's dt is the next day.
    expect(data.rows.some((r) => new Date((r["emf"] as { timestamp: number }).timestamp).toISOString().slice(0, 10).replace(/-/g, "/") !== r.dt)).toBe(true);
    expect(data.rows.some((r) => r["model"] === MODELS.unpriced)).toBe(true);
    expect(data.rows.some((r) => r["department"] === "unspecified")).toBe(true);
  });

  it("is stored as Parquet under metrics/yyyy/MM/dd/ with the Glue table's columns", async () => {
    const days = readdirSync(join(root, METRICS_PREFIX, "2026", "09"));
    expect(days).toContain("01");
    expect(days).toContain("30");
    expect(readdirSync(join(root, METRICS_PREFIX, "2026", "10", "15")).every((f) => f.endsWith(".parquet"))).toBe(true);
    const schema = await lake.conn.runAndReadAll(`SELECT name FROM parquet_schema('${join(root, METRICS_PREFIX, "2026/10/15/*.parquet")}') WHERE name <> 'duckdb_schema'`);
    const names = new Set(schema.getRowObjectsJson().map((r) => String(r["name"])));
    for (const c of METRICS_COLUMNS) expect(names.has(c.name), c.name).toBe(true);
    expect(names.has("dt")).toBe(false); // the partition lives in the path, as Firehose writes it
    const count = await lake.run(`SELECT COUNT(*) AS n FROM metrics`);
    expect(num(count[0]!["n"])).toBe(data.rows.length);
  });
});

describe("the dialect shim", () => {
  it("pins current_date and nothing else", () => {
    expect(pinCurrentDate("SELECT current_date, CURRENT_DATE, current_dates FROM t", "2026-10-31")).toBe("SELECT DATE '2026-10-31', DATE '2026-10-31', current_dates FROM t");
    expect(() => pinCurrentDate("x", "31/10/2026")).toThrow(/yyyy-MM-dd/);
  });

  it("window floors in SQL equal the TypeScript ones", async () => {
    const rows = await lake.run(`SELECT replace(CAST(CAST(current_date - INTERVAL '90' DAY AS DATE) AS VARCHAR), '-', '/') AS d90,
      replace(CAST(CAST(date_trunc('month', current_date) - INTERVAL '11' MONTH AS DATE) AS VARCHAR), '-', '/') AS m11`);
    expect(rows[0]).toEqual({ d90: floorDaysAgo(data.lastDay, 90), m11: floorMonthsAgo(data.lastDay, 11) });
  });

  it("portable SQL: no engine-specific functions in any stored query", () => {
    // Trino-only or DuckDB-only spellings that would make one text fail on the other engine.
    const forbidden = /\b(from_unixtime|date_parse|date_format|strftime|strptime|epoch_ms|to_timestamp|regexp_matches|approx_percentile|quantile|last_day_of_month|last_day|date_add|date_diff|datediff|ilike|list_|struct_pack|try_cast|::)\b|::/i;
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

describe("answers match totals computed in TypeScript", () => {
  it("monthly token consumption by department", () => {
    const want = exp.monthlyTokensByDepartment();
    const got = run("monthly-tokens-by-department");
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const e = want.get(`${row["usage_month"]}|${row["department"]}`)!;
      expect(e, `${row["usage_month"]} ${row["department"]}`).toBeDefined();
      expect(num(row["users"])).toBe(e.users.size);
      expect(num(row["input_tokens"])).toBe(e.input);
      expect(num(row["output_tokens"])).toBe(e.output);
      expect(num(row["cache_read_tokens"])).toBe(e.cacheRead);
      expect(num(row["cache_write_tokens"])).toBe(e.cacheWrite);
      expect(num(row["total_tokens"])).toBe(e.total);
    }
    // The directory fills in departments the token lacked; nobody in either is `unassigned`.
    expect(got.map((r) => r["department"])).toContain("unassigned");
    expect(new Set(got.map((r) => r["usage_month"]))).toEqual(new Set(["2026-09", "2026-10", "2026-11"].filter((m) => [...want.values()].some((e) => e.usage_month === m))));
  });

  it("code acceptance rate by language", () => {
    const want = exp.acceptanceByLanguage();
    const got = run("code-acceptance-by-language");
    expect(new Set(got.map((r) => r["language"]))).toEqual(new Set(want.keys()));
    for (const row of got) {
      const e = want.get(String(row["language"]))!;
      expect(num(row["accepted"])).toBe(e.accepted);
      expect(num(row["rejected"])).toBe(e.rejected);
      expect(num(row["users"])).toBe(e.users.size);
      expect(num(row["acceptance_rate_pct"])).toBeCloseTo((100 * e.accepted) / (e.accepted + e.rejected), 1);
    }
    const totals = got.map((r) => num(r["accepted"]) + num(r["rejected"]));
    expect([...totals].sort((a, b) => b - a)).toEqual(totals);
  });

  it("token efficiency by team", () => {
    const want = exp.efficiencyByTeam();
    const got = run("token-efficiency-by-team");
    expect(new Set(got.map((r) => r["team"]))).toEqual(new Set(want.keys()));
    for (const row of got) {
      const e = want.get(String(row["team"]))!;
      expect(num(row["users"])).toBe(e.users.size);
      expect(num(row["total_tokens"])).toBe(e.total);
      expect(num(row["lines_added"])).toBe(e.linesAdded);
      expect(num(row["accepted_edits"])).toBe(e.acceptedEdits);
      expect(num(row["tokens_per_line_added"])).toBeCloseTo(e.total / e.linesAdded, 1);
      expect(num(row["output_tokens_per_accepted_edit"])).toBeCloseTo(e.output / e.acceptedEdits, 1);
      expect(num(row["cache_hit_rate_pct"])).toBeCloseTo((100 * e.cacheRead) / e.prompt, 1);
      closeCents(row["cost_usd"], e.cost);
    }
  });

  it("cost by user: tokens × prices for all four token types, client estimate and unpriced tokens beside it", () => {
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
    // The sum over users equals the sum over departments (chargeback adds up).
    const byUser = got.reduce((s, r) => s + num(r["cost_usd"]), 0);
    const byDept = run("cost-by-department").filter((r) => String(r["usage_month"]) >= "2026-09").reduce((s, r) => s + num(r["cost_usd"]), 0);
    expect(Math.abs(byUser - byDept)).toBeLessThan(0.01 * got.length);
  });

  it("monthly cost by department with shares adding up to 100 %", () => {
    const want = exp.costByDepartment();
    const got = run("cost-by-department");
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const e = want.get(`${row["usage_month"]}|${row["department"]}`)!;
      closeCents(row["cost_usd"], e.cost);
      expect(num(row["users"])).toBe(e.users.size);
      closeCents(row["cost_per_user_usd"], e.cost / e.users.size);
    }
    for (const month of new Set(got.map((r) => String(r["usage_month"])))) {
      const share = got.filter((r) => r["usage_month"] === month).reduce((s, r) => s + num(r["share_pct"]), 0);
      expect(Math.abs(share - 100)).toBeLessThan(0.5);
    }
  });

  it("active users per day and per week", () => {
    const daily = exp.dailyActiveUsers();
    const got = run("daily-active-users");
    expect(got.map((r) => r["usage_day"])).toEqual([...daily.keys()].sort());
    for (const row of got) {
      const e = daily.get(String(row["usage_day"]))!;
      expect(num(row["active_users"])).toBe(e.users.size);
      expect(num(row["sessions"])).toBe(e.sessions);
    }
    const weekly = exp.weeklyActiveUsers();
    const wk = run("weekly-active-users");
    expect(wk.map((r) => r["usage_week"])).toEqual([...weekly.keys()].sort());
    for (const row of wk) expect(num(row["active_users"])).toBe(weekly.get(String(row["usage_week"]))!.size);
    expect(mondayOf("2026/09/03")).toBe("2026-08-31");
  });

  it("top 25 users", () => {
    const want = exp.topUsers(25);
    const got = run("top-users");
    expect(got.map((r) => r["user_email"])).toEqual(want.map(([email]) => email));
    got.forEach((row, i) => {
      const e = want[i]![1];
      expect(num(row["tokens"])).toBe(e.tokens);
      closeCents(row["cost_usd"], e.cost);
      expect(num(row["sessions"])).toBe(e.sessions);
      expect(num(row["lines_added"])).toBe(e.linesAdded);
      expect(num(row["accepted_edits"])).toBe(e.acceptedEdits);
      expect(num(row["active_hours"])).toBeCloseTo(e.activeSeconds / 3600, 1);
    });
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

  it("dollars saved by prompt caching per user and model, negative savings flagged", () => {
    const want = exp.cacheSavings();
    const got = run("prompt-cache-savings");
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const e = want.get(`${row["user_email"]}|${row["model"]}`)!;
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
    // Flagged rows first (worst first), then savers by amount, unpriced last.
    const rank = (r: Record<string, unknown>) => (String(r["status"]).startsWith("NEGATIVE") ? 0 : r["status"] === "ok" ? 1 : 2);
    expect(got.map(rank)).toEqual([...got.map(rank)].sort((a, b) => a - b));
    const negatives = got.filter((r) => rank(r) === 0).map((r) => num(r["saved_usd"]));
    expect(negatives).toEqual([...negatives].sort((a, b) => a - b));
    expect(got.some((r) => r["status"] === "ok")).toBe(true);
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
      expect(num(row["active_users"])).toBe(want.get(day)!.users.size);
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
    const doubled = pricingRows({ overrides: { "anthropic.claude-haiku-4-5-20251001-v1:0": { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } } });
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
