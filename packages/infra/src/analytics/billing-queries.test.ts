/**
 * The billed-cost and reconciliation queries, executed in DuckDB over generated CUR 2.0 Parquet (AWS's
 * column names, `BILLING_PERIOD=` partitions) beside the generated telemetry lake, and parsed with the
 * Trino grammar. Every answer is recomputed in TypeScript from the generated rows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BILLING_QUERIES } from "./billing-queries";
import { curQueryStatement, curTagKey } from "./billing-schema";
import { pricingRows } from "./pricing";
import { NAMED_QUERIES } from "./queries";
import { generateCur, ROLE_ARN_PREFIX, type CurRow } from "./testdata/cur";
import { writeCur } from "./testdata/cur";
import { useTrinoParser } from "./testdata/trino";
import { openLake, type Lake } from "./testdata/duckdb";
import { eventDay, Expected, floorDaysAgo } from "./testdata/expected";
import { generateDataSet, type DataSet } from "./testdata/generate";

const num = (v: unknown) => Number(v);
const trino = useTrinoParser();
let root: string;
let data: DataSet;
let cur: CurRow[];
let lake: Lake;
let exp: Expected;
const results = new Map<string, Record<string, unknown>[]>();
const run = (key: string) => results.get(key)!;
const byKey = (key: string) => BILLING_QUERIES.find((q) => q.key === key)!;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "ccb-billing-"));
  data = generateDataSet({ seed: 20260901, users: 60 });
  const pricing = pricingRows();
  lake = await openLake(root, data, pricing, data.lastDay);
  cur = generateCur(data, pricing);
  await writeCur(lake.conn, root, cur);
  exp = new Expected(data, pricing, data.lastDay);
  for (const q of BILLING_QUERIES) results.set(q.key, await lake.run(q.sql));
}, 120_000);

afterAll(() => {
  lake?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const FIRST = () => floorDaysAgo(data.lastDay, 90).replace(/\//g, "-");
const dayOf = (r: CurRow) => r.line_item_usage_start_date.slice(0, 10);
const isBedrockUsage = (r: CurRow) =>
  r.line_item_line_item_type === "Usage" &&
  (r.line_item_product_code === "AmazonBedrock" || r.product_product_name.includes("(Amazon Bedrock Edition)")) &&
  dayOf(r) >= FIRST();
const developerOf = (r: CurRow) =>
  r.line_item_iam_principal?.startsWith(ROLE_ARN_PREFIX) ? r.line_item_iam_principal.slice(ROLE_ARN_PREFIX.length).toLowerCase() : null;
const sumBy = <K>(rows: readonly CurRow[], key: (r: CurRow) => K) => {
  const out = new Map<K, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + r.line_item_unblended_cost);
  return out;
};

describe("the CUR 2.0 export definition", () => {
  it("selects the principal and tag columns under CUR 2.0's names", () => {
    const sql = curQueryStatement();
    expect(sql).toMatch(/^SELECT .* FROM COST_AND_USAGE_REPORT$/);
    for (const c of [
      "line_item_iam_principal",
      "resource_tags",
      "line_item_resource_id",
      "line_item_usage_type",
      "line_item_unblended_cost",
    ])
      expect(sql).toContain(c);
    expect(curTagKey("cost-center")).toBe("user_cost_center");
  });
});

describe("billing queries are Trino SQL", () => {
  it.each(BILLING_QUERIES.map((q) => [q.key, q.sql]))("%s parses with the Trino grammar", (_k, sql) => {
    expect(trino().validate(sql)).toEqual([]);
  });
  it("reads map keys only when present (Trino's subscript fails on a missing key)", () => {
    for (const q of BILLING_QUERIES)
      expect(q.sql.match(/resource_tags\['[^']+'\]/g)?.length ?? 0, q.key).toBe(
        q.sql.match(/contains\(map_keys\(c\.resource_tags\), '[^']+'\) THEN c\.resource_tags\['[^']+'\]/g)?.length ?? 0,
      );
  });

  it("keys are unique across all named queries", () => {
    const keys = [...NAMED_QUERIES, ...BILLING_QUERIES].map((q) => q.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const q of BILLING_QUERIES) expect(q.name.length).toBeLessThanOrEqual(128);
  });
});

describe("billed cost answers match the generated bill", () => {
  it("by IAM principal: Bedrock usage only (no tax, credit or S3), developer from the session name", () => {
    const want = sumBy(cur.filter(isBedrockUsage), (r) => `${dayOf(r)}|${r.line_item_iam_principal}`);
    const got = run("billed-cost-by-principal");
    expect(got.length).toBe(want.size);
    for (const row of got) {
      const w = want.get(`${row["usage_day"]}|${row["principal"]}`)!;
      expect(w, String(row["principal"])).toBeDefined();
      expect(num(row["billed_usd"])).toBeCloseTo(w, 3);
      expect(row["developer"]).toBe(
        String(row["principal"]).startsWith(ROLE_ARN_PREFIX) ? String(row["principal"]).slice(ROLE_ARN_PREFIX.length) : null,
      );
    }
    expect(got.some((r) => r["developer"] === null)).toBe(true);
  });

  it("by team tag, untagged separately", () => {
    const want = sumBy(cur.filter(isBedrockUsage), (r) => `${dayOf(r)}|${r.resource_tags[curTagKey("team")] ?? "(untagged)"}`);
    const got = run("billed-cost-by-team");
    expect(got.length).toBe(want.size);
    for (const row of got) expect(num(row["billed_usd"])).toBeCloseTo(want.get(`${row["usage_day"]}|${row["team"]}`)!, 3);
    expect(got.some((r) => r["team"] === "(untagged)")).toBe(true);
  });

  it("by model and usage type: the four token kinds", () => {
    const kind = (u: string) =>
      u.includes("cache-read")
        ? "cache read"
        : u.includes("cache-write")
          ? "cache write"
          : u.includes("input")
            ? "input"
            : u.includes("output")
              ? "output"
              : "other";
    const model = (u: string) => u.replace(/^[A-Z0-9]+-/, "").replace(/-(input|output|cache).*$/, "");
    const want = sumBy(cur.filter(isBedrockUsage), (r) => `${dayOf(r)}|${model(r.line_item_usage_type)}|${kind(r.line_item_usage_type)}`);
    const got = run("billed-cost-by-model-usage-type");
    expect(got.length).toBe(want.size);
    for (const row of got)
      expect(num(row["billed_usd"])).toBeCloseTo(want.get(`${row["usage_day"]}|${row["model"]}|${row["usage_kind"]}`)!, 3);
    expect(new Set(got.map((r) => r["usage_kind"]))).toEqual(new Set(["input", "output", "cache read", "cache write"]));
  });

  it("the share no team tag or developer explains", () => {
    const rows = cur.filter(isBedrockUsage);
    const total = sumBy(rows, dayOf);
    const unexplained = sumBy(
      rows.filter((r) => !r.resource_tags[curTagKey("team")] && developerOf(r) === null),
      dayOf,
    );
    const got = run("billed-cost-unexplained");
    expect(got.map((r) => r["usage_day"])).toEqual([...total.keys()].sort());
    for (const row of got) {
      const t = total.get(String(row["usage_day"]))!;
      const u = unexplained.get(String(row["usage_day"])) ?? 0;
      expect(num(row["unexplained_usd"])).toBeCloseTo(u, 3);
      expect(num(row["unexplained_pct"])).toBeCloseTo((100 * u) / t, 1);
    }
  });
});

describe("reconciliation: estimate beside bill with drift", () => {
  it("per developer and day", () => {
    const billed = sumBy(
      cur.filter((r) => isBedrockUsage(r) && developerOf(r) !== null),
      (r) => `${dayOf(r)}|${developerOf(r)}`,
    );
    const estimate = new Map<string, number>();
    for (const r of exp.between(FIRST())) {
      const email = exp.email(r);
      if (email === null || r["claude_code_token_usage"] === null) continue;
      const key = `${eventDay(r)}|${email}`;
      estimate.set(key, (estimate.get(key) ?? 0) + (exp.cost(r) ?? 0));
    }
    const got = run("reconciliation-by-developer");
    const keys = new Set([...billed.keys(), ...estimate.keys()]);
    expect(got.length).toBe(keys.size);
    for (const row of got) {
      const key = `${row["usage_day"]}|${row["developer"]}`;
      const b = billed.get(key) ?? 0;
      const e = estimate.get(key) ?? 0;
      expect(num(row["billed_usd"])).toBeCloseTo(b, 3);
      expect(num(row["estimate_usd"])).toBeCloseTo(e, 3);
      if (b > 0) expect(num(row["drift_pct"])).toBeCloseTo((100 * (e - b)) / b, 0);
      else expect(row["drift_pct"]).toBeNull();
    }
    // The generated bill is 0.9–1.15 × list price: drift is visible and within that band for developers without unpriced usage.
    expect(got.some((r) => Math.abs(num(r["drift_pct"])) > 1)).toBe(true);
  });

  it("per team and day", () => {
    const billed = sumBy(
      cur.filter((r) => isBedrockUsage(r) && r.resource_tags[curTagKey("team")]),
      (r) => `${dayOf(r)}|${r.resource_tags[curTagKey("team")]}`,
    );
    const estimate = new Map<string, number>();
    for (const r of exp.between(FIRST())) {
      if (r["claude_code_token_usage"] === null) continue;
      const key = `${eventDay(r)}|${exp.team(r)}`;
      estimate.set(key, (estimate.get(key) ?? 0) + (exp.cost(r) ?? 0));
    }
    const got = run("reconciliation-by-team");
    expect(got.length).toBe(new Set([...billed.keys(), ...estimate.keys()]).size);
    for (const row of got) {
      const key = `${row["usage_day"]}|${row["team"]}`;
      expect(num(row["billed_usd"])).toBeCloseTo(billed.get(key) ?? 0, 3);
      expect(num(row["estimate_usd"])).toBeCloseTo(estimate.get(key) ?? 0, 3);
    }
  });
});

it("the query keys used by the test exist", () => {
  expect(byKey("reconciliation-by-team")).toBeDefined();
});
