import { insightsSql, Layout, type DashboardOptions, type InsightsQuery, type MetricRow } from "./dashboard-layout";
import { AGG, AGG_DIM, ATTR, BEDROCK, CC, TOKEN_TYPES, type Window } from "./metrics";

/** What every section reads: the options, the namespaces, the layout and the row helpers. */
export interface DashboardParts {
  readonly o: DashboardOptions;
  readonly ns: string;
  readonly agg: string;
  readonly top: number;
  readonly L: Layout;
  readonly base: (title: string, extra?: Record<string, unknown>) => Record<string, unknown>;
  readonly tokens: (type: string, id: string, opts?: Record<string, unknown>) => MetricRow;
  readonly aggRow: (metric: string, dims: Record<string, string>, opts?: Record<string, unknown>) => MetricRow;
  readonly sql: (id: string, label: string, query: InsightsQuery) => MetricRow;
}

export function dashboardParts(o: DashboardOptions): DashboardParts {
  const { collector: ns, aggregates: agg } = o.namespaces;
  return {
    o,
    ns,
    agg,
    top: o.leaderboardSize ?? 10,
    L: new Layout(),
    base: (title, extra = {}) => ({ title, region: o.region, period: 300, stat: "Sum", ...extra }),
    tokens: (type, id, opts = {}) => [ns, CC.tokens, ATTR.type, type, { id, label: type, ...opts }],
    aggRow: (metric, dims, opts = {}) => [agg, metric, ...Object.entries(dims).flat(), opts],
    sql: (id, label, query) => [{ expression: insightsSql(query), id, label, period: 3600 }],
  };
}

/** The title and what the numbers mean. */
export function introSection(p: DashboardParts): void {
  const { o, L } = p;
  L.add("text", 24, 2, {
    markdown:
      `# Claude Code on Amazon Bedrock: ${o.stage}\n` +
      "User attributes come from the validated OIDC token at the collector. Costs are estimates at list prices (tokens × the model's rates), " +
      "not the bill; Cost Explorer is the source of truth. Active users, leaderboards, savings and operations are computed every 15 minutes by the aggregation Lambda.",
  });
  L.newRow();
}

/** Overview numbers: active users, cost, savings, cache hit rate. */
export function overviewSection(p: DashboardParts): void {
  const { L, base, tokens, aggRow } = p;
  // Overview numbers.
  for (const w of ["1h", "1d", "7d"] as const satisfies readonly Window[]) {
    L.add(
      "metric",
      4,
      4,
      base(`Active users (${w})`, {
        view: "singleValue",
        stat: "Maximum",
        metrics: [aggRow(AGG.activeUsers, { [AGG_DIM.window]: w }, { label: "users" })],
      }),
    );
  }
  L.add(
    "metric",
    4,
    4,
    base("Estimated cost today (USD)", {
      view: "singleValue",
      stat: "Maximum",
      metrics: [aggRow(AGG.estimatedCost, { [AGG_DIM.window]: "1d" }, { label: "USD" })],
    }),
  );
  L.add(
    "metric",
    4,
    4,
    base("Prompt-cache savings today (USD)", {
      view: "singleValue",
      stat: "Maximum",
      metrics: [aggRow(AGG.cacheSavings, { [AGG_DIM.window]: "1d" }, { label: "USD" })],
    }),
  );
  L.add(
    "metric",
    4,
    4,
    base("Cache hit rate (%)", {
      view: "singleValue",
      period: 86400,
      metrics: [
        [{ expression: "100 * cr / (i + cr + cc)", id: "rate", label: "cache read share of input" }],
        tokens("cacheRead", "cr", { visible: false }),
        tokens("input", "i", { visible: false }),
        tokens("cacheCreation", "cc", { visible: false }),
      ],
    }),
  );
}

/** Adoption and tokens. */
export function adoptionSection(p: DashboardParts): void {
  const { ns, L, base, tokens, aggRow, sql } = p;
  L.section(
    "Adoption and tokens",
    "Distinct users per hour, day and week; tokens by type; cache hit rate (cache reads as a share of all input tokens).",
  );
  L.add(
    "metric",
    8,
    6,
    base("Active users", {
      view: "timeSeries",
      stat: "Maximum",
      metrics: (["1h", "1d", "7d"] as const).map((w) =>
        aggRow(AGG.activeUsers, { [AGG_DIM.window]: w }, { label: `distinct users, last ${w}` }),
      ),
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Tokens by type", { view: "timeSeries", stacked: true, metrics: TOKEN_TYPES.map((t, i) => tokens(t, `t${i}`)) }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Cache hit rate (%)", {
      view: "timeSeries",
      yAxis: { left: { min: 0, max: 100 } },
      metrics: [
        [{ expression: "100 * cr / (i + cr + cc)", id: "rate", label: "cache hit rate" }],
        tokens("cacheRead", "cr", { visible: false }),
        tokens("input", "i", { visible: false }),
        tokens("cacheCreation", "cc", { visible: false }),
      ],
    }),
  );
  /** All token types summed, one line (or bar) per value of `attribute`. */
  const tokensBy = (attribute: string, id: string): MetricRow =>
    sql(id, "", { stat: "SUM", namespace: ns, metric: CC.tokens, schema: [ATTR.type, attribute], groupBy: [attribute], limit: 20 });
  L.add("metric", 12, 6, base("Tokens by model", { view: "timeSeries", stacked: true, metrics: [tokensBy(ATTR.model, "bymodel")] }));
  L.add("metric", 12, 6, base("Tokens by department", { view: "bar", metrics: [tokensBy(ATTR.department, "bydept")] }));
}

/** Cost and prompt caching. */
export function costSection(p: DashboardParts): void {
  const { ns, agg, L, base, aggRow, sql } = p;
  L.section(
    "Cost and prompt caching",
    "Estimated cost from token counts and model prices. Savings = what cache reads saved against uncached input, minus the cache-write premium. **Negative savings mean caching is misconfigured** (writes that are never read).",
  );
  const byModel = (metric: string, id: string): MetricRow =>
    sql(id, "", {
      stat: "MAX",
      namespace: agg,
      metric,
      schema: [AGG_DIM.model, AGG_DIM.window],
      where: { [AGG_DIM.window]: "1d" },
      groupBy: [AGG_DIM.model],
      limit: 20,
    });
  /** All models together, then one line per model. */
  const totalAndByModel = (metric: string, id: string): MetricRow[] => [
    aggRow(metric, { [AGG_DIM.window]: "1d" }, { label: "all models", id: "total" }),
    byModel(metric, id),
  ];
  L.add(
    "metric",
    8,
    6,
    base("Estimated cost by model (USD, rolling day)", {
      view: "timeSeries",
      stat: "Maximum",
      metrics: totalAndByModel(AGG.estimatedCost, "costmodel"),
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Prompt-cache savings (USD, rolling day)", {
      view: "timeSeries",
      stat: "Maximum",
      metrics: totalAndByModel(AGG.cacheSavings, "savingsmodel"),
      annotations: { horizontal: [{ value: 0, label: "below 0: caching costs more than it saves", color: "#d62728", fill: "below" }] },
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Users with negative cache savings", {
      view: "timeSeries",
      stat: "Maximum",
      metrics: [aggRow(AGG.negativeSavingsUsers, { [AGG_DIM.window]: "1d" }, { label: "users (misconfigured caching)", color: "#d62728" })],
    }),
  );
  L.add(
    "metric",
    12,
    6,
    base("Client-reported cost by team (USD, estimate)", {
      view: "bar",
      metrics: [sql("costteam", "", { stat: "SUM", namespace: ns, metric: CC.cost, schema: [ATTR.team], groupBy: [ATTR.team], limit: 20 })],
    }),
  );
  L.add(
    "metric",
    12,
    6,
    base("Client-reported cost by cost center (USD, estimate)", {
      view: "bar",
      metrics: [
        sql("costcc", "", {
          stat: "SUM",
          namespace: ns,
          metric: CC.cost,
          schema: [ATTR.costCenter],
          groupBy: [ATTR.costCenter],
          limit: 20,
        }),
      ],
    }),
  );
}

/** Amazon Bedrock's own metrics per model id. */
export function bedrockSection(p: DashboardParts): void {
  const { o, L, base } = p;
  L.section("Amazon Bedrock", "Invocations, throttles, errors and latency as Bedrock reports them (no user identity at this level).");
  const bedrock = (metric: string, stat?: string): MetricRow[] =>
    o.bedrockModelIds.map((id) => [
      BEDROCK.namespace,
      metric,
      BEDROCK.dimension,
      id,
      { label: id, ...(stat ? { stat } : {}), ...(o.bedrockAccountId ? { accountId: o.bedrockAccountId } : {}) },
    ]);
  L.add("metric", 6, 6, base("Invocations", { view: "timeSeries", metrics: bedrock(BEDROCK.invocations) }));
  L.add("metric", 6, 6, base("Throttles", { view: "timeSeries", metrics: bedrock(BEDROCK.throttles) }));
  L.add(
    "metric",
    6,
    6,
    base("Errors (client and server)", {
      view: "timeSeries",
      metrics: [...bedrock(BEDROCK.clientErrors), ...bedrock(BEDROCK.serverErrors)],
    }),
  );
  L.add("metric", 6, 6, base("Latency p90 (ms)", { view: "timeSeries", stat: "p90", metrics: bedrock(BEDROCK.latency, "p90") }));
}

/** The state of the alarms the stage names. */
export function alarmSection(p: DashboardParts): void {
  const { o, L } = p;
  if (o.alarmArns && o.alarmArns.length > 0) {
    L.newRow();
    L.add("alarm", 24, 3, { title: "Alarm states", alarms: [...o.alarmArns], sortBy: "stateUpdatedTimestamp", states: [] });
  }
}
