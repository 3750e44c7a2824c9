/**
 * Generated CUR 2.0 line items in AWS's column layout (`billing-schema.ts`), derived from the same
 * telemetry data set the analytics tests use so reconciliation has both sides: per developer, day,
 * model and token kind one Bedrock `Usage` line whose cost is the list-price cost times a per-user
 * factor (the bill is not the estimate), plus the lines every real bill has and the queries must
 * handle: a workload calling a system inference profile (no developer, no team tag), a Marketplace
 * product code, tax, a credit and another service.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { BILLING_TABLE, CUR_COLUMNS, CUR_PARTITION, curTagKey } from "../billing-schema";
import type { PricingRow } from "../pricing";
import { UNSPECIFIED } from "../schema";
import type { DataSet } from "./generate";
import { eventDay } from "./expected";

export interface CurRow {
  readonly bill_billing_period_start_date: string;
  readonly line_item_usage_start_date: string;
  readonly line_item_usage_account_id: string;
  readonly line_item_line_item_type: string;
  readonly line_item_product_code: string;
  readonly line_item_usage_type: string;
  readonly line_item_operation: string;
  readonly line_item_resource_id: string | null;
  readonly line_item_iam_principal: string | null;
  readonly line_item_usage_amount: number;
  readonly line_item_unblended_cost: number;
  readonly product_product_name: string;
  readonly resource_tags: Record<string, string>;
}

export const ROLE_ARN_PREFIX = "arn:aws:sts::111122223333:assumed-role/ccb-prod-bedrock-users/";
const USAGE_KIND: Record<string, string> = {
  input: "input-tokens",
  output: "output-tokens",
  cacheRead: "cache-read-input-tokens",
  cacheCreation: "cache-write-input-tokens",
};
const MODEL_NAME: Record<string, string> = { sonnet: "Claude4.5Sonnet", haiku: "Claude4.5Haiku", opus: "Claude4.5Opus" };

/** Per-user bill/estimate factor: deterministic, between 0.9 and 1.15. */
export const billFactor = (email: string) => 0.9 + ([...email].reduce((s, c) => s + c.charCodeAt(0), 0) % 26) / 100;

export function generateCur(data: DataSet, pricing: readonly PricingRow[]): CurRow[] {
  const prices = new Map(pricing.map((p) => [p.modelId, p]));
  const directory = new Map(data.directory.map((d) => [d.user_email.toLowerCase(), d]));
  type Key = {
    day: string;
    email: string;
    model: string;
    type: string;
    team: string | undefined;
    costCenter: string | undefined;
    department: string | undefined;
  };
  const sums = new Map<string, Key & { tokens: number; cost: number }>();
  for (const r of data.rows) {
    const t = r["claude_code_token_usage"] as number | null;
    const email = (r["user_email"] as string | null)?.toLowerCase();
    if (t === null || !email) continue;
    const p = prices.get(String(r["model"]));
    if (!p) continue; // an unpriced profile: AWS bills it, but the generator has no price for it
    const claim = (k: string) => {
      const v = r[k] as string | null;
      return v && v !== UNSPECIFIED ? v : undefined;
    };
    const dir = directory.get(email);
    const team = claim("team") ?? dir?.team;
    const key = `${eventDay(r)}|${email}|${r["model"]}|${r["type"]}`;
    const rate = { input: p.price.input, output: p.price.output, cacheRead: p.price.cacheRead, cacheCreation: p.price.cacheWrite }[
      String(r["type"]) as "input"
    ];
    const e = sums.get(key) ?? {
      day: eventDay(r),
      email,
      model: String(r["model"]),
      type: String(r["type"]),
      team,
      costCenter: claim("cost_center") ?? dir?.cost_center,
      department: claim("department") ?? dir?.department,
      tokens: 0,
      cost: 0,
    };
    e.tokens += t;
    e.cost += (t / 1e6) * rate;
    sums.set(key, e);
  }
  const rows: CurRow[] = [];
  const line = (day: string, o: Partial<CurRow>): CurRow => ({
    bill_billing_period_start_date: `${day.slice(0, 7)}-01 00:00:00`,
    line_item_usage_start_date: `${day} 00:00:00`,
    line_item_usage_account_id: "111122223333",
    line_item_line_item_type: "Usage",
    line_item_product_code: "AmazonBedrock",
    line_item_usage_type: "USE1-Claude4.5Sonnet-input-tokens",
    line_item_operation: "InvokeModelInference",
    line_item_resource_id: null,
    line_item_iam_principal: null,
    line_item_usage_amount: 0,
    line_item_unblended_cost: 0,
    product_product_name: "Amazon Bedrock",
    resource_tags: {},
    ...o,
  });
  for (const e of sums.values()) {
    const family = prices.get(e.model)!.family;
    const tags: Record<string, string> = {};
    // Developers whose team is known call their team's application inference profile (tagged).
    if (e.team) tags[curTagKey("team")] = e.team;
    if (e.costCenter && e.team) tags[curTagKey("cost-center")] = e.costCenter;
    if (e.department && e.team) tags[curTagKey("department")] = e.department;
    rows.push(
      line(e.day, {
        line_item_usage_type: `USE1-${MODEL_NAME[family]}-${USAGE_KIND[e.type]}`,
        line_item_resource_id: e.team ? `arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/${e.team}` : null,
        line_item_iam_principal: `${ROLE_ARN_PREFIX}${e.email}`,
        line_item_usage_amount: e.tokens,
        line_item_unblended_cost: Math.round(e.cost * billFactor(e.email) * 1e6) / 1e6,
        resource_tags: tags,
      }),
    );
  }
  const days = [...new Set([...sums.values()].map((e) => e.day))].sort();
  days.forEach((day, i) => {
    // A nightly batch job: role without a session email, system profile, no tags.
    rows.push(
      line(day, {
        line_item_iam_principal: "arn:aws:iam::444455556666:role/etl-summaries",
        line_item_usage_type: "USE1-Claude4.5Haiku-output-tokens",
        line_item_usage_amount: 200_000,
        line_item_unblended_cost: 1,
      }),
    );
    // A Marketplace-billed model line from a developer (counts as Bedrock).
    if (i % 5 === 0)
      rows.push(
        line(day, {
          line_item_product_code: "a1b2c3marketplace",
          product_product_name: "Claude Opus 4.5 (Amazon Bedrock Edition)",
          line_item_usage_type: "USE1-Claude4.5Opus-output-tokens",
          line_item_iam_principal: `${ROLE_ARN_PREFIX}${sums.values().next().value!.email}`,
          line_item_usage_amount: 10_000,
          line_item_unblended_cost: 0.25,
        }),
      );
    // Not Bedrock usage: must not count.
    rows.push(
      line(day, {
        line_item_product_code: "AmazonS3",
        product_product_name: "Amazon Simple Storage Service",
        line_item_usage_type: "USE1-TimedStorage-ByteHrs",
        line_item_usage_amount: 1e9,
        line_item_unblended_cost: 3,
      }),
    );
    rows.push(line(day, { line_item_line_item_type: "Tax", line_item_unblended_cost: 7 }));
    if (i === 0) rows.push(line(day, { line_item_line_item_type: "Credit", line_item_unblended_cost: -50 }));
  });
  return rows;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Writes the rows as the export lays them out (`<prefix>/data/BILLING_PERIOD=yyyy-MM/*.parquet`) and creates the `cur` view. */
export async function writeCur(conn: DuckDBConnection, root: string, rows: readonly CurRow[]): Promise<void> {
  const dir = join(root, "cur");
  const json = join(dir, "rows.json");
  mkdirSync(dir, { recursive: true });
  writeFileSync(json, rows.map((r) => JSON.stringify(r)).join("\n"));
  const types: Record<string, string> = {
    string: "VARCHAR",
    double: "DOUBLE",
    timestamp: "TIMESTAMP",
    "map<string,string>": "MAP(VARCHAR, VARCHAR)",
  };
  const cols = `{${CUR_COLUMNS.map((c) => `'${c.name}': '${types[c.type]}'`).join(", ")}}`;
  const select = CUR_COLUMNS.map((c) => `"${c.name}"`).join(", ");
  for (const period of [...new Set(rows.map((r) => r.bill_billing_period_start_date.slice(0, 7)))]) {
    const out = join(dir, "data", `BILLING_PERIOD=${period}`);
    mkdirSync(out, { recursive: true });
    await conn.run(
      `COPY (SELECT ${select} FROM read_json(${quote(json)}, format = 'newline_delimited', columns = ${cols}) WHERE substr(CAST(bill_billing_period_start_date AS VARCHAR), 1, 7) = ${quote(period)}) TO ${quote(join(out, "cur-00001.snappy.parquet"))} (FORMAT PARQUET)`,
    );
  }
  await conn.run(
    `CREATE OR REPLACE VIEW ${BILLING_TABLE} AS SELECT ${CUR_COLUMNS.map((c) => `"${c.name}"`).join(", ")}, "BILLING_PERIOD" AS ${CUR_PARTITION.name} FROM read_parquet(${quote(join(dir, "data", "*", "*.parquet"))}, hive_partitioning = true)`,
  );
}
