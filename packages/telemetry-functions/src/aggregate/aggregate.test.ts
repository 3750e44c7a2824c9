import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { aggregate, configFromEnv, type AggregatorConfig } from "./aggregate.js";
import { field } from "./insights.js";
import { cacheSavingsUsd, costUsd, priceOf } from "./pricing.js";

const NOW = new Date("2026-11-26T10:05:00Z");
const HOUR = 3_600_000;

/** The environment the TelemetryService component writes (names as in packages/infra/src/telemetry/metrics.ts). */
const ENV = {
  AGG_NAMESPACE: "ClaudeCode/ccb-pilot/Aggregates",
  METRICS_LOG_GROUP: "/ccb-pilot/telemetry/emf",
  EVENTS_LOG_GROUP: "/ccb-pilot/telemetry/events",
  LEADERBOARD_SIZE: "2",
  EVERY_MINUTES: "15",
  // The price book (@ccb/contracts), its models keyed by match key.
  PRICES_JSON: JSON.stringify({
    models: {
      "claude-sonnet-4-5": { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
      "claude-haiku-4-5": { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
    },
    families: {},
    default: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  }),
  TOOL_CATEGORIES_JSON: JSON.stringify({
    Edit: "edit",
    Write: "edit",
    Grep: "search",
    Read: "read",
    WebFetch: "docs-web",
    Bash: "execute",
  }),
  NAMES_JSON: JSON.stringify({
    metrics: {
      activeUsers: "ActiveUsers",
      leaderboard: "Leaderboard",
      operations: "Operations",
      cacheSavings: "CacheSavingsUSD",
      estimatedCost: "EstimatedCostUSD",
      negativeSavingsUsers: "NegativeCacheSavingsUsers",
    },
    dims: { window: "Window", board: "Board", category: "Category", email: "user.email", model: "model" },
    attrs: { email: "user.email", model: "model", type: "type", toolName: "tool_name", decision: "decision" },
    cc: { tokens: "claude_code.token.usage", linesOfCode: "claude_code.lines_of_code.count", activeTime: "claude_code.active_time.total" },
    tokenTypes: { input: "input", output: "output", cacheRead: "cacheRead", cacheCreation: "cacheCreation" },
  }),
};

type Emf = { t: number; "user.email": string; model?: string; type?: string; [metric: string]: string | number | undefined };
const SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const at = (hoursAgo: number) => NOW.getTime() - hoursAgo * HOUR;
const tokens = (hoursAgo: number, user: string, model: string, type: string, n: number): Emf => ({
  t: at(hoursAgo),
  "user.email": user,
  model,
  type,
  "claude_code.token.usage": n,
});

/** EMF records as the collector writes them (one attribute set per record). */
const RECORDS: Emf[] = [
  // alice: active now, heavy cache reuse on Sonnet.
  tokens(0.5, "alice@example.com", SONNET, "input", 10_000),
  tokens(0.5, "alice@example.com", SONNET, "output", 2_000),
  tokens(0.5, "alice@example.com", SONNET, "cacheRead", 1_000_000),
  tokens(0.5, "alice@example.com", SONNET, "cacheCreation", 50_000),
  { t: at(0.5), "user.email": "alice@example.com", type: "added", "claude_code.lines_of_code.count": 120 },
  { t: at(0.5), "user.email": "alice@example.com", type: "user", "claude_code.active_time.total": 1800 },
  // bob: yesterday only, writes cache but never reads it (misconfigured).
  tokens(20, "bob@example.com", SONNET, "input", 1_000),
  tokens(20, "bob@example.com", SONNET, "cacheCreation", 400_000),
  { t: at(20), "user.email": "bob@example.com", type: "added", "claude_code.lines_of_code.count": 300 },
  { t: at(20), "user.email": "bob@example.com", type: "cli", "claude_code.active_time.total": 7200 },
  // carol: three days ago, Haiku.
  tokens(72, "carol@example.com", HAIKU, "input", 500_000),
  tokens(72, "carol@example.com", HAIKU, "output", 100_000),
  // dave: ten days ago, outside every window.
  tokens(240, "dave@example.com", SONNET, "input", 9_999_999),
];

type Event = { t: number; body: string; "attributes.tool_name": string; "attributes.decision": string };
const EVENTS: Event[] = [
  ...["Edit", "Edit", "Write", "Grep", "Read", "Read", "Read", "Bash", "mcp_tool"].map((tool) => ({
    t: at(0.2),
    body: "claude_code.tool_decision",
    "attributes.tool_name": tool,
    "attributes.decision": "accept",
  })),
  { t: at(0.2), body: "claude_code.tool_decision", "attributes.tool_name": "Bash", "attributes.decision": "reject" },
  { t: at(3), body: "claude_code.tool_decision", "attributes.tool_name": "Edit", "attributes.decision": "accept" },
];

/** A tiny evaluator for the query shapes the aggregator sends (tests the plumbing and the math, not Logs Insights). */
function evaluate(group: string, query: string, start: number, end: number): Record<string, string>[] {
  const inRange = <T extends { t: number }>(x: T) => x.t >= start * 1000 && x.t <= end * 1000;
  if (group === ENV.EVENTS_LOG_GROUP) {
    const counts = new Map<string, number>();
    for (const e of EVENTS.filter(inRange).filter((e) => e["attributes.decision"] === "accept"))
      counts.set(e["attributes.tool_name"], (counts.get(e["attributes.tool_name"]) ?? 0) + 1);
    return [...counts].map(([tool, uses]) => ({ "attributes.tool_name": tool, uses: String(uses) }));
  }
  const records = RECORDS.filter(inRange);
  const sumBy = (metric: string, keys: string[], filter: (r: Emf) => boolean = () => true) => {
    const m = new Map<string, { row: Record<string, string>; sum: number }>();
    for (const r of records.filter((x) => x[metric] !== undefined && filter(x))) {
      const k = keys.map((key) => String(r[key])).join("|");
      const e = m.get(k) ?? { row: Object.fromEntries(keys.map((key) => [key, String(r[key])])), sum: 0 };
      e.sum += Number(r[metric]);
      m.set(k, e);
    }
    return [...m.values()];
  };
  if (query.includes("count(*) as records"))
    return [...new Set(records.map((r) => r["user.email"]))].map((u) => ({ "user.email": u, records: "1" }));
  const typeMatch = / type = "(\w+)"/.exec(query);
  if (typeMatch)
    return sumBy("claude_code.token.usage", ["user.email", "model"], (r) => r.type === typeMatch[1]).map((e) => ({
      ...e.row,
      tokens: String(e.sum),
    }));
  if (query.includes("as lines"))
    return sumBy("claude_code.lines_of_code.count", ["user.email"])
      .sort((a, b) => b.sum - a.sum)
      .map((e) => ({ ...e.row, lines: String(e.sum) }));
  if (query.includes("as seconds"))
    return sumBy("claude_code.active_time.total", ["user.email"])
      .sort((a, b) => b.sum - a.sum)
      .map((e) => ({ ...e.row, seconds: String(e.sum) }));
  throw new Error(`unexpected query: ${query}`);
}

const logs = mockClient(CloudWatchLogsClient);
const cw = mockClient(CloudWatchClient);
let queries: { group: string; query: string; start: number; end: number }[];

beforeEach(() => {
  logs.reset();
  cw.reset();
  queries = [];
  const pending = new Map<string, { group: string; query: string; start: number; end: number; polls: number }>();
  logs.on(StartQueryCommand).callsFake((input) => {
    const id = `q${queries.length}`;
    const q = { group: input.logGroupName, query: input.queryString, start: input.startTime, end: input.endTime };
    queries.push(q);
    pending.set(id, { ...q, polls: 0 });
    return { queryId: id };
  });
  logs.on(GetQueryResultsCommand).callsFake((input) => {
    const q = pending.get(input.queryId)!;
    // First poll: still running (the aggregator must wait and poll again).
    if (q.polls++ === 0) return { status: "Running" };
    const rows = evaluate(q.group, q.query, q.start, q.end);
    return {
      status: "Complete",
      results: rows.map((row) => [...Object.entries(row).map(([field, value]) => ({ field, value })), { field: "@ptr", value: "x" }]),
    };
  });
  cw.on(PutMetricDataCommand).resolves({});
});

const deps = () => ({
  logs: logs as unknown as CloudWatchLogsClient,
  cloudwatch: cw as unknown as CloudWatchClient,
  now: () => NOW,
  sleep: async () => undefined,
});
const cfg = (): AggregatorConfig => configFromEnv(ENV);
const published = () => cw.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData ?? []);
const value = (metric: string, dims: Record<string, string>) => {
  const found = published().filter(
    (d) =>
      d.MetricName === metric &&
      d.Dimensions?.length === Object.keys(dims).length &&
      Object.entries(dims).every(([k, v]) => d.Dimensions?.some((x) => x.Name === k && x.Value === v)),
  );
  expect(found, `${metric} ${JSON.stringify(dims)}`).toHaveLength(1);
  return found[0]!.Value!;
};

describe("aggregate", () => {
  it("counts distinct active users per hour, day and week on the first run of the hour", async () => {
    const result = await aggregate(deps(), cfg());
    expect(result.windows).toEqual(["1h", "1d", "7d"]);
    expect(value("ActiveUsers", { Window: "1h" })).toBe(1);
    expect(value("ActiveUsers", { Window: "1d" })).toBe(2);
    expect(value("ActiveUsers", { Window: "7d" })).toBe(3);
    expect(cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input.Namespace).toBe("ClaudeCode/ccb-pilot/Aggregates");
  });

  it("computes only the hour window on later runs (day and week queries scan more data)", async () => {
    const result = await aggregate({ ...deps(), now: () => new Date("2026-11-26T10:35:00Z") }, cfg());
    expect(result.windows).toEqual(["1h"]);
    expect(queries.filter((q) => q.group === ENV.METRICS_LOG_GROUP)).toHaveLength(1);
  });

  it("estimates cost and prompt-cache savings by model from token counts and prices; flags users whose caching costs money", async () => {
    await aggregate(deps(), cfg());
    const sonnet = priceOf(SONNET, cfg().prices)!;
    const alice = { input: 10_000, output: 2_000, cacheRead: 1_000_000, cacheCreation: 50_000 };
    const bob = { input: 1_000, output: 0, cacheRead: 0, cacheCreation: 400_000 };
    expect(value("CacheSavingsUSD", { model: "claude-sonnet-4-5", Window: "1d" })).toBeCloseTo(
      cacheSavingsUsd(alice, sonnet) + cacheSavingsUsd(bob, sonnet),
      6,
    );
    expect(cacheSavingsUsd(alice, sonnet)).toBeCloseTo((1_000_000 * 2.7 - 50_000 * 0.75) / 1e6, 9);
    expect(cacheSavingsUsd(bob, sonnet)).toBeLessThan(0);
    expect(value("EstimatedCostUSD", { model: "claude-sonnet-4-5", Window: "1d" })).toBeCloseTo(
      costUsd(alice, sonnet) + costUsd(bob, sonnet),
      6,
    );
    expect(value("NegativeCacheSavingsUsers", { Window: "1d" })).toBe(1);
    // The week includes carol's Haiku usage: $0.5 input + $0.5 output.
    expect(value("EstimatedCostUSD", { model: "claude-haiku-4-5", Window: "7d" })).toBeCloseTo(1.0, 6);
    expect(value("EstimatedCostUSD", { Window: "7d" })).toBeCloseTo(costUsd(alice, sonnet) + costUsd(bob, sonnet) + 1.0, 6);
  });

  it("publishes top-N leaderboards for the week with the user's email as the dimension", async () => {
    await aggregate(deps(), cfg());
    const board = (b: string) =>
      published()
        .filter((d) => d.MetricName === "Leaderboard" && d.Dimensions!.some((x) => x.Name === "Board" && x.Value === b))
        .map((d) => [d.Dimensions!.find((x) => x.Name === "user.email")!.Value, d.Value]);
    expect(board("tokens")).toEqual([
      ["alice@example.com", 1_062_000],
      ["carol@example.com", 600_000],
    ]);
    expect(board("lines")).toEqual([
      ["bob@example.com", 300],
      ["alice@example.com", 120],
    ]);
    expect(board("session-time")).toEqual([
      ["bob@example.com", 2],
      ["alice@example.com", 0.5],
    ]);
    expect(board("cache-savings")[0]![0]).toBe("alice@example.com");
    expect(board("cost")).toHaveLength(2);
  });

  it("breaks accepted tool decisions of the last hour down into operation categories", async () => {
    await aggregate(deps(), cfg());
    expect(value("Operations", { Category: "edit", Window: "1h" })).toBe(3);
    expect(value("Operations", { Category: "read", Window: "1h" })).toBe(3);
    expect(value("Operations", { Category: "search", Window: "1h" })).toBe(1);
    expect(value("Operations", { Category: "execute", Window: "1h" })).toBe(1);
    expect(value("Operations", { Category: "other", Window: "1h" })).toBe(1);
    expect(value("Operations", { Category: "docs-web", Window: "1h" })).toBe(0);
  });

  it("queries the right groups and windows with backtick-quoted dotted fields", async () => {
    await aggregate(deps(), cfg());
    for (const q of queries) expect(q.end).toBe(NOW.getTime() / 1000);
    const week = queries.filter((q) => q.end - q.start === 7 * 24 * 3600);
    expect(week.length).toBeGreaterThan(0);
    expect(queries.every((q) => !/[^`]user\.email/.test(q.query.replace(/`user\.email`/g, "")))).toBe(true);
    expect(field("user.email")).toBe("`user.email`");
    expect(field("tokens")).toBe("tokens");
  });

  it("reports models without a price instead of guessing", async () => {
    const c = { ...cfg(), prices: cfg().prices.filter((p) => p.key !== "claude-haiku-4-5") };
    const result = await aggregate(deps(), c);
    expect(result.unpricedModels).toEqual([HAIKU]);
  });

  it("fails when a query fails, and stops a query that never finishes", async () => {
    logs.on(GetQueryResultsCommand).resolves({ status: "Failed" });
    await expect(aggregate(deps(), cfg())).rejects.toThrow(/ended Failed/);
    logs.on(GetQueryResultsCommand).resolves({ status: "Running" });
    logs.on(StopQueryCommand).resolves({ success: true });
    await expect(aggregate(deps(), cfg())).rejects.toThrow(/did not finish/);
    expect(logs.commandCalls(StopQueryCommand).length).toBe(1);
  });

  it("names a missing environment variable", () => {
    expect(() => configFromEnv({ ...ENV, NAMES_JSON: undefined })).toThrow(/NAMES_JSON is not set/);
  });
});
