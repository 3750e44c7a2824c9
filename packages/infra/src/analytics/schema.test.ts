/**
 * The analytics schema against its producers: the names the telemetry module's collector writes
 * (one catalog, `telemetry/metrics.ts`) and what Firehose's JSON-to-Parquet conversion makes of an EMF
 * line. A renamed metric or attribute on either side fails here instead of silently becoming NULL.
 */
import { PRICING_CSV_COLUMNS } from "@ccb/contracts";
import { describe, expect, it } from "vitest";
import * as tm from "../telemetry/metrics";
import {
  columnOf,
  METRIC,
  METRICS_COLUMNS,
  PARTITION_COLUMN,
  PRICING_COLUMNS,
  TOKEN_TYPES,
  UNSPECIFIED,
  USER_DIRECTORY_COLUMNS,
} from "./schema";
import { emfLine, firehoseRowOf } from "./testdata/firehose";

const column = (name: string) => METRICS_COLUMNS.find((c) => c.name === name);

describe("pricing table versus the price source's CSV", () => {
  it("declares the contract's CSV columns in the contract's order (the price source writes them)", () => {
    expect(PRICING_COLUMNS.map((c) => c.name)).toEqual([...PRICING_CSV_COLUMNS]);
    expect(PRICING_COLUMNS.slice(2).every((c) => c.type === "double")).toBe(true);
  });
});

describe("schema versus the collector's names", () => {
  it("has a DOUBLE column for every Claude Code metric the collector exports, and no others", () => {
    expect(Object.values(METRIC).sort()).toEqual([...tm.CLAUDE_CODE_METRICS].sort());
    for (const m of tm.CLAUDE_CODE_METRICS) expect(column(columnOf(m))?.type, m).toBe("double");
  });

  it("has a STRING column for every attribute the collector sets or passes through", () => {
    for (const key of Object.values(tm.ATTR)) expect(column(columnOf(key))?.type, key).toBe("string");
  });

  it("agrees on token types and the value of a missing claim", () => {
    expect([...TOKEN_TYPES]).toEqual([...tm.TOKEN_TYPES]);
    expect(UNSPECIFIED).toBe(tm.UNSPECIFIED);
  });

  it("keeps no column the collector deletes as spoofable", () => {
    const spoofOnly = tm.SPOOFABLE_ATTRIBUTES.filter((a) => !(tm.IDENTITY_ATTRIBUTES as readonly string[]).includes(a));
    for (const a of spoofOnly) expect(column(columnOf(a)), a).toBeUndefined();
  });
});

describe("column names Athena and Glue accept", () => {
  it.each([
    ["metrics", [...METRICS_COLUMNS, PARTITION_COLUMN]],
    ["pricing", PRICING_COLUMNS],
    ["user_directory", USER_DIRECTORY_COLUMNS],
  ] as const)("%s: lower-case, start with a letter, unique", (_t, cols) => {
    const names = cols.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]{0,254}$/);
  });
});

describe("an EMF line through Firehose's conversion (model of the OpenX SerDe settings)", () => {
  const line = emfLine("claude_code.token.usage", 1234, 1_790_000_000_000, {
    "user.email": "ana@example.com",
    department: "engineering",
    team: "platform",
    cost_center: "CC-1",
    "session.id": "s-1",
    model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    type: "cacheRead",
    "not.in.schema": "dropped",
  });

  it("lands the value in the metric's column and the attributes in theirs", () => {
    const row = firehoseRowOf(line);
    expect(row).toMatchObject({
      claude_code_token_usage: 1234,
      user_email: "ana@example.com",
      department: "engineering",
      team: "platform",
      cost_center: "CC-1",
      session_id: "s-1",
      model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      type: "cacheRead",
      emf: { timestamp: 1_790_000_000_000 },
    });
  });

  it("leaves the other metrics NULL and drops keys the table does not have", () => {
    const row = firehoseRowOf(line);
    expect(row["claude_code_cost_usage"]).toBeNull();
    expect(Object.keys(row).sort()).toEqual(METRICS_COLUMNS.map((c) => c.name).sort());
    expect(JSON.stringify(row)).not.toContain("dropped");
  });

  it("matches keys case-insensitively, as the stream is configured", () => {
    expect(firehoseRowOf({ "User.Email": "x@example.com" })["user_email"]).toBe("x@example.com");
  });
});
