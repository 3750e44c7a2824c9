import { parseTelemetryAggregatorEnv, type TelemetryAggregatorNames } from "@ccb/contracts";
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { field, literal, runQuery, type Row } from "./insights.js";
import { cacheSavingsUsd, costUsd, emptyCounts, priceOf, type PriceEntry, type TokenCounts } from "./pricing.js";

/**
 * The aggregations the dashboard needs and CloudWatch cannot do: distinct active users per hour, day
 * and week; leaderboards (tokens, estimated cost, lines of code, active time, cache savings); estimated
 * cost and prompt-cache savings by model from token counts and prices; the operations breakdown from
 * Claude Code's tool decisions. Source: the collector's EMF records and events in CloudWatch Logs, which
 * keep every attribute (the collector set the identity ones from the validated token). Output: custom
 * metrics in the aggregates namespace. Every name comes from the configuration the infrastructure
 * writes (one source of truth: packages/infra/src/telemetry/metrics.ts).
 */

/** Every name the function reads or writes (`NAMES_JSON`, the contract in @ccb/contracts). */
export type Names = TelemetryAggregatorNames;

export interface AggregatorConfig {
  readonly namespace: string;
  readonly metricsLogGroup: string;
  readonly eventsLogGroup?: string;
  readonly leaderboardSize: number;
  readonly prices: readonly PriceEntry[];
  readonly toolCategories: Readonly<Record<string, string>>;
  readonly names: Names;
  /** Minutes between runs; the day and week windows are computed on the first run of each hour. */
  readonly everyMinutes: number;
}

export interface AggregatorDeps {
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

const WINDOW_MS = { "1h": 3_600_000, "1d": 86_400_000, "7d": 7 * 86_400_000 } as const;
type WindowName = keyof typeof WINDOW_MS;

/**
 * Reads the configuration the infrastructure sets (the contract's parser; throws naming the missing
 * variable). The price book's models are keyed by match key; the function matches by containment.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): AggregatorConfig {
  const c = parseTelemetryAggregatorEnv(env);
  return { ...c, prices: Object.entries(c.prices.models).map(([key, price]) => ({ key, ...price })) };
}

export interface AggregateResult {
  readonly windows: readonly WindowName[];
  readonly metrics: number;
  readonly unpricedModels: readonly string[];
}

export async function aggregate(deps: AggregatorDeps, cfg: AggregatorConfig, opts: { all?: boolean } = {}): Promise<AggregateResult> {
  const now = deps.now();
  const heavy = opts.all === true || now.getUTCMinutes() < cfg.everyMinutes;
  const windows: WindowName[] = heavy ? ["1h", "1d", "7d"] : ["1h"];
  const n = cfg.names;
  const email = field(n.attrs.email);
  const data: MetricDatum[] = [];
  const dims = (d: Record<string, string>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
  const put = (MetricName: string, d: Record<string, string>, Value: number, Unit: MetricDatum["Unit"] = "None") =>
    data.push({ MetricName, Dimensions: dims(d), Value: Number.isFinite(Value) ? Value : 0, Unit, Timestamp: now });
  const q = (group: string, query: string, w: WindowName) => runQuery(deps, group, query, new Date(now.getTime() - WINDOW_MS[w]), now);
  const unpriced = new Set<string>();

  for (const w of windows) {
    // Distinct users with any Claude Code data in the window (exact up to 10,000 users).
    const users = await q(cfg.metricsLogGroup, `filter ispresent(${email}) | stats count(*) as records by ${email} | limit 10000`, w);
    put(n.metrics.activeUsers, { [n.dims.window]: w }, users.length, "Count");
  }

  for (const w of windows.filter((x) => x !== "1h")) {
    // Tokens by user, model and type: one query per type keeps each result under the 10,000-row cap.
    const perUserModel = new Map<string, { user: string; model: string; counts: TokenCounts }>();
    // The four queries run concurrently (Logs Insights allows 30 per account).
    const byType = await Promise.all(
      (Object.entries(n.tokenTypes) as [keyof TokenCounts, string][]).map(async ([slot, typeValue]) => ({
        slot,
        rows: await q(
          cfg.metricsLogGroup,
          `filter ispresent(${field(n.cc.tokens)}) and ${field(n.attrs.type)} = ${literal(typeValue)} | stats sum(${field(n.cc.tokens)}) as tokens by ${email}, ${field(n.attrs.model)} | limit 10000`,
          w,
        ),
      })),
    );
    for (const { slot, rows } of byType) {
      for (const r of rows) {
        const user = r[n.attrs.email] ?? "";
        const model = r[n.attrs.model] ?? "";
        const key = `${user}\u0000${model}`;
        const entry = perUserModel.get(key) ?? { user, model, counts: emptyCounts() };
        entry.counts[slot] += Number(r.tokens ?? 0);
        perUserModel.set(key, entry);
      }
    }
    const byUser = new Map<string, { tokens: number; cost: number; savings: number; cacheActive: boolean }>();
    const byModel = new Map<string, { cost: number; savings: number }>();
    let totalCost = 0;
    let totalSavings = 0;
    for (const { user, model, counts } of perUserModel.values()) {
      const price = priceOf(model, cfg.prices);
      if (!price) unpriced.add(model);
      const cost = price ? costUsd(counts, price) : 0;
      const savings = price ? cacheSavingsUsd(counts, price) : 0;
      const modelKey = price?.key ?? "unpriced";
      const u = byUser.get(user) ?? { tokens: 0, cost: 0, savings: 0, cacheActive: false };
      u.tokens += counts.input + counts.output + counts.cacheRead + counts.cacheCreation;
      u.cost += cost;
      u.savings += savings;
      u.cacheActive ||= counts.cacheRead + counts.cacheCreation > 0;
      byUser.set(user, u);
      const m = byModel.get(modelKey) ?? { cost: 0, savings: 0 };
      m.cost += cost;
      m.savings += savings;
      byModel.set(modelKey, m);
      totalCost += cost;
      totalSavings += savings;
    }
    put(n.metrics.estimatedCost, { [n.dims.window]: w }, totalCost);
    put(n.metrics.cacheSavings, { [n.dims.window]: w }, totalSavings);
    for (const [model, m] of byModel) {
      put(n.metrics.estimatedCost, { [n.dims.model]: model, [n.dims.window]: w }, m.cost);
      put(n.metrics.cacheSavings, { [n.dims.model]: model, [n.dims.window]: w }, m.savings);
    }
    put(
      n.metrics.negativeSavingsUsers,
      { [n.dims.window]: w },
      [...byUser.values()].filter((u) => u.cacheActive && u.savings < 0).length,
      "Count",
    );

    if (w === "7d") {
      const users = [...byUser.entries()];
      leaderboard(
        "tokens",
        users.map(([user, u]) => [user, u.tokens]),
      );
      leaderboard(
        "cost",
        users.map(([user, u]) => [user, round(u.cost)]),
      );
      leaderboard(
        "cache-savings",
        users.map(([user, u]) => [user, round(u.savings)]),
      );
      const lines = await q(
        cfg.metricsLogGroup,
        `filter ispresent(${field(n.cc.linesOfCode)}) | stats sum(${field(n.cc.linesOfCode)}) as lines by ${email} | sort lines desc | limit ${cfg.leaderboardSize}`,
        w,
      );
      leaderboard(
        "lines",
        lines.map((r) => [r[n.attrs.email] ?? "", Number(r.lines ?? 0)]),
      );
      const time = await q(
        cfg.metricsLogGroup,
        `filter ispresent(${field(n.cc.activeTime)}) | stats sum(${field(n.cc.activeTime)}) as seconds by ${email} | sort seconds desc | limit ${cfg.leaderboardSize}`,
        w,
      );
      leaderboard(
        "session-time",
        time.map((r) => [r[n.attrs.email] ?? "", round(Number(r.seconds ?? 0) / 3600)]),
      );
    }
  }

  if (cfg.eventsLogGroup) {
    // Operations from accepted tool decisions in the last hour, by category.
    const tool = field(`attributes.${n.attrs.toolName}`);
    const rows = await q(
      cfg.eventsLogGroup,
      `filter ${field(`attributes.${n.attrs.decision}`)} = "accept" and ispresent(${tool}) | stats count(*) as uses by ${tool} | limit 10000`,
      "1h",
    );
    const byCategory = new Map<string, number>();
    for (const category of new Set([...Object.values(cfg.toolCategories), "other"])) byCategory.set(category, 0);
    for (const r of rows) {
      const category = cfg.toolCategories[r[`attributes.${n.attrs.toolName}`] ?? ""] ?? "other";
      byCategory.set(category, (byCategory.get(category) ?? 0) + Number(r.uses ?? 0));
    }
    for (const [category, uses] of byCategory)
      put(n.metrics.operations, { [n.dims.category]: category, [n.dims.window]: "1h" }, uses, "Count");
  }

  for (let i = 0; i < data.length; i += 500) {
    await deps.cloudwatch.send(new PutMetricDataCommand({ Namespace: cfg.namespace, MetricData: data.slice(i, i + 500) }));
  }
  return { windows, metrics: data.length, unpricedModels: [...unpriced].sort() };

  function leaderboard(board: string, entries: [string, number][]) {
    entries
      .filter(([user]) => user !== "")
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, cfg.leaderboardSize)
      .forEach(([user, value]) =>
        put(n.metrics.leaderboard, { [n.dims.board]: board, [n.dims.window]: "7d", [n.dims.email]: user }, value),
      );
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

export type { Row };
