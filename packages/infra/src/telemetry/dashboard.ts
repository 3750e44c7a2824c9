import {
  AGG,
  AGG_DIM,
  ATTR,
  BEDROCK,
  CC,
  OPERATION_CATEGORIES,
  TOKEN_TYPES,
  type Board,
  type Window,
} from "./metrics";

/**
 * The CloudWatch dashboard body, generated from the metric catalog. Widgets reference only metrics
 * the collector's EMF declarations produce (collector namespace) or the aggregation Lambda publishes
 * (aggregates namespace), and Bedrock's own `AWS/Bedrock` metrics; a test holds every widget to that.
 */

export interface DashboardOptions {
  readonly stage: string;
  readonly region: string;
  readonly namespaces: { readonly collector: string; readonly aggregates: string };
  /** `ModelId` dimension values of Bedrock metrics: the profile or model ids the stage calls. */
  readonly bedrockModelIds: readonly string[];
  /** Account of the Bedrock metrics when it differs from the dashboard's (cross-account dashboards). */
  readonly bedrockAccountId?: string;
  /** Alarms whose state the dashboard shows (same account, or cross-account sharing enabled). */
  readonly alarmArns?: readonly string[];
  /** How many users the leaderboards show. @default 10 */
  readonly leaderboardSize?: number;
}

export type MetricRow = (string | Record<string, unknown>)[];

export interface Widget {
  readonly type: "metric" | "text" | "alarm";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

export interface DashboardBody {
  readonly start?: string;
  readonly periodOverride?: "auto" | "inherit";
  readonly widgets: Widget[];
}

/** A Metrics Insights query over a schema (dimension set), kept structured for the tests. */
export interface InsightsQuery {
  readonly stat: "SUM" | "MAX" | "AVG";
  readonly namespace: string;
  readonly metric: string;
  readonly schema: readonly string[];
  readonly where?: Readonly<Record<string, string>>;
  readonly groupBy: readonly string[];
  readonly limit: number;
}

const q = (s: string) => `"${s.replace(/"/g, '\\"')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Renders a Metrics Insights SQL query. */
export function insightsSql(x: InsightsQuery): string {
  const where = Object.entries(x.where ?? {}).map(([k, v]) => `${q(k)} = ${lit(v)}`);
  return [
    `SELECT ${x.stat}(${q(x.metric)}) FROM SCHEMA(${[q(x.namespace), ...x.schema.map(q)].join(", ")})`,
    where.length ? `WHERE ${where.join(" AND ")}` : "",
    x.groupBy.length ? `GROUP BY ${x.groupBy.map(q).join(", ")}` : "",
    `ORDER BY ${x.stat}() DESC LIMIT ${x.limit}`,
  ]
    .filter(Boolean)
    .join(" ");
}

/** Parses a query rendered by `insightsSql` back into its parts (used by the tests on the final JSON). */
export function parseInsightsSql(sql: string): InsightsQuery | undefined {
  const m = /^SELECT (SUM|MAX|AVG)\("([^"]+)"\) FROM SCHEMA\(([^)]*)\)(?: WHERE (.*?))?(?: GROUP BY (.*?))? ORDER BY \w+\(\) DESC LIMIT (\d+)$/.exec(sql);
  if (!m) return undefined;
  const names = (s: string | undefined) => (s ? [...s.matchAll(/"([^"]+)"/g)].map((x) => x[1]!) : []);
  const [namespace, ...schema] = names(m[3]);
  const where: Record<string, string> = {};
  for (const w of m[4]?.split(" AND ") ?? []) {
    const wm = /^"([^"]+)" = '((?:[^']|'')*)'$/.exec(w);
    if (wm) where[wm[1]!] = wm[2]!.replace(/''/g, "'");
  }
  return { stat: m[1] as InsightsQuery["stat"], metric: m[2]!, namespace: namespace!, schema, where, groupBy: names(m[5]), limit: Number(m[6]) };
}

class Layout {
  readonly widgets: Widget[] = [];
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  add(type: Widget["type"], width: number, height: number, properties: Record<string, unknown>): void {
    if (this.x + width > 24) this.newRow();
    this.widgets.push({ type, x: this.x, y: this.y, width, height, properties });
    this.x += width;
    this.rowHeight = Math.max(this.rowHeight, height);
  }
  newRow(): void {
    if (this.x === 0) return;
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
  section(title: string, text: string): void {
    this.newRow();
    this.add("text", 24, 2, { markdown: `## ${title}\n${text}` });
    this.newRow();
  }
}

export function dashboardBody(o: DashboardOptions): DashboardBody {
  const { collector: ns, aggregates: agg } = o.namespaces;
  const top = o.leaderboardSize ?? 10;
  const L = new Layout();
  const base = (title: string, extra: Record<string, unknown> = {}) => ({ title, region: o.region, period: 300, stat: "Sum", ...extra });
  const tokens = (type: string, id: string, opts: Record<string, unknown> = {}): MetricRow => [ns, CC.tokens, ATTR.type, type, { id, label: type, ...opts }];
  const aggRow = (metric: string, dims: Record<string, string>, opts: Record<string, unknown> = {}): MetricRow => [agg, metric, ...Object.entries(dims).flat(), opts];
  const sql = (id: string, label: string, query: InsightsQuery): MetricRow => [{ expression: insightsSql(query), id, label, period: 3600 }];

  L.add("text", 24, 2, {
    markdown:
      `# Claude Code on Amazon Bedrock: ${o.stage}\n` +
      "User attributes come from the validated OIDC token at the collector. Costs are estimates at list prices (tokens × the model's rates), " +
      "not the bill; Cost Explorer is the source of truth. Active users, leaderboards, savings and operations are computed every 15 minutes by the aggregation Lambda.",
  });
  L.newRow();

  // Overview numbers.
  for (const w of ["1h", "1d", "7d"] as const satisfies readonly Window[]) {
    L.add("metric", 4, 4, base(`Active users (${w})`, { view: "singleValue", stat: "Maximum", metrics: [aggRow(AGG.activeUsers, { [AGG_DIM.window]: w }, { label: "users" })] }));
  }
  L.add("metric", 4, 4, base("Estimated cost today (USD)", { view: "singleValue", stat: "Maximum", metrics: [aggRow(AGG.estimatedCost, { [AGG_DIM.window]: "1d" }, { label: "USD" })] }));
  L.add("metric", 4, 4, base("Prompt-cache savings today (USD)", { view: "singleValue", stat: "Maximum", metrics: [aggRow(AGG.cacheSavings, { [AGG_DIM.window]: "1d" }, { label: "USD" })] }));
  L.add("metric", 4, 4, base("Cache hit rate (%)", {
    view: "singleValue",
    period: 86400,
    metrics: [
      [{ expression: "100 * cr / (i + cr + cc)", id: "rate", label: "cache read share of input" }],
      tokens("cacheRead", "cr", { visible: false }),
      tokens("input", "i", { visible: false }),
      tokens("cacheCreation", "cc", { visible: false }),
    ],
  }));

  L.section("Adoption and tokens", "Distinct users per hour, day and week; tokens by type; cache hit rate (cache reads as a share of all input tokens).");
  L.add("metric", 8, 6, base("Active users", { view: "timeSeries", stat: "Maximum", metrics: (["1h", "1d", "7d"] as const).map((w) => aggRow(AGG.activeUsers, { [AGG_DIM.window]: w }, { label: `distinct users, last ${w}` })) }));
  L.add("metric", 8, 6, base("Tokens by type", { view: "timeSeries", stacked: true, metrics: TOKEN_TYPES.map((t, i) => tokens(t, `t${i}`)) }));
  L.add("metric", 8, 6, base("Cache hit rate (%)", {
    view: "timeSeries",
    yAxis: { left: { min: 0, max: 100 } },
    metrics: [
      [{ expression: "100 * cr / (i + cr + cc)", id: "rate", label: "cache hit rate" }],
      tokens("cacheRead", "cr", { visible: false }),
      tokens("input", "i", { visible: false }),
      tokens("cacheCreation", "cc", { visible: false }),
    ],
  }));
  L.add("metric", 12, 6, base("Tokens by model", {
    view: "timeSeries",
    stacked: true,
    metrics: [sql("bymodel", "", { stat: "SUM", namespace: ns, metric: CC.tokens, schema: [ATTR.type, ATTR.model], groupBy: [ATTR.model], limit: 20 })],
  }));
  L.add("metric", 12, 6, base("Tokens by department", {
    view: "bar",
    metrics: [sql("bydept", "", { stat: "SUM", namespace: ns, metric: CC.tokens, schema: [ATTR.type, ATTR.department], groupBy: [ATTR.department], limit: 20 })],
  }));

  L.section("Cost and prompt caching", "Estimated cost from token counts and model prices. Savings = what cache reads saved against uncached input, minus the cache-write premium. **Negative savings mean caching is misconfigured** (writes that are never read).");
  const byModel = (metric: string, id: string): MetricRow =>
    sql(id, "", { stat: "MAX", namespace: agg, metric, schema: [AGG_DIM.model, AGG_DIM.window], where: { [AGG_DIM.window]: "1d" }, groupBy: [AGG_DIM.model], limit: 20 });
  L.add("metric", 8, 6, base("Estimated cost by model (USD, rolling day)", {
    view: "timeSeries",
    stat: "Maximum",
    metrics: [aggRow(AGG.estimatedCost, { [AGG_DIM.window]: "1d" }, { label: "all models", id: "total" }), byModel(AGG.estimatedCost, "costmodel")],
  }));
  L.add("metric", 8, 6, base("Prompt-cache savings (USD, rolling day)", {
    view: "timeSeries",
    stat: "Maximum",
    metrics: [aggRow(AGG.cacheSavings, { [AGG_DIM.window]: "1d" }, { label: "all models", id: "total" }), byModel(AGG.cacheSavings, "savingsmodel")],
    annotations: { horizontal: [{ value: 0, label: "below 0: caching costs more than it saves", color: "#d62728", fill: "below" }] },
  }));
  L.add("metric", 8, 6, base("Users with negative cache savings", {
    view: "timeSeries",
    stat: "Maximum",
    metrics: [aggRow(AGG.negativeSavingsUsers, { [AGG_DIM.window]: "1d" }, { label: "users (misconfigured caching)", color: "#d62728" })],
  }));
  L.add("metric", 12, 6, base("Client-reported cost by team (USD, estimate)", {
    view: "bar",
    metrics: [sql("costteam", "", { stat: "SUM", namespace: ns, metric: CC.cost, schema: [ATTR.team], groupBy: [ATTR.team], limit: 20 })],
  }));
  L.add("metric", 12, 6, base("Client-reported cost by cost center (USD, estimate)", {
    view: "bar",
    metrics: [sql("costcc", "", { stat: "SUM", namespace: ns, metric: CC.cost, schema: [ATTR.costCenter], groupBy: [ATTR.costCenter], limit: 20 })],
  }));

  L.section("Leaderboards (last 7 days)", `Top ${top} users, computed by the aggregation Lambda from the collector's records.`);
  const boards: readonly [Board, string][] = [
    ["tokens", "Tokens"],
    ["cost", "Estimated cost (USD)"],
    ["lines", "Lines of code added + removed"],
    ["session-time", "Active time (hours)"],
    ["cache-savings", "Prompt-cache savings (USD)"],
  ];
  boards.forEach(([board, title]) => {
    L.add("metric", board === "cache-savings" ? 8 : 8, 6, base(title, {
      view: "bar",
      stat: "Maximum",
      metrics: [sql(`lb${board.replace(/-/g, "")}`, "", { stat: "MAX", namespace: agg, metric: AGG.leaderboard, schema: [AGG_DIM.board, AGG_DIM.window, AGG_DIM.email], where: { [AGG_DIM.board]: board, [AGG_DIM.window]: "7d" }, groupBy: [AGG_DIM.email], limit: top })],
    }));
  });
  L.add("metric", 8, 6, base("Top users by tokens (now)", {
    view: "bar",
    metrics: [sql("topnow", "", { stat: "SUM", namespace: ns, metric: CC.tokens, schema: [ATTR.type, ATTR.email, ATTR.model], groupBy: [ATTR.email], limit: top })],
  }));

  L.section("Code activity", "Lines added and removed, edit acceptance, operations from Claude Code's tool decisions, sessions, commits and pull requests.");
  L.add("metric", 8, 6, base("Lines of code", { view: "timeSeries", metrics: ["added", "removed"].map((t) => [ns, CC.linesOfCode, ATTR.type, t, { label: t }]) }));
  L.add("metric", 8, 6, base("Code acceptance rate (%)", {
    view: "timeSeries",
    yAxis: { left: { min: 0, max: 100 } },
    metrics: [
      [{ expression: "100 * a / (a + r)", id: "rate", label: "accepted edits" }],
      [ns, CC.editDecisions, ATTR.decision, "accept", { id: "a", visible: false }],
      [ns, CC.editDecisions, ATTR.decision, "reject", { id: "r", visible: false }],
    ],
  }));
  L.add("metric", 8, 6, base("Operations (last hour)", {
    view: "pie",
    stat: "Maximum",
    metrics: OPERATION_CATEGORIES.map((c) => aggRow(AGG.operations, { [AGG_DIM.category]: c, [AGG_DIM.window]: "1h" }, { label: c })),
  }));
  L.add("metric", 8, 6, base("Accepted edits by language", {
    view: "bar",
    metrics: [sql("lang", "", { stat: "SUM", namespace: ns, metric: CC.editDecisions, schema: [ATTR.language, ATTR.decision], where: { [ATTR.decision]: "accept" }, groupBy: [ATTR.language], limit: 15 })],
  }));
  L.add("metric", 8, 6, base("Sessions, commits, pull requests", {
    view: "timeSeries",
    metrics: [
      [ns, CC.sessions, { label: "sessions" }],
      [ns, CC.commits, { label: "commits" }],
      [ns, CC.pullRequests, { label: "pull requests" }],
    ],
  }));
  L.add("metric", 8, 6, base("Active time (hours)", {
    view: "timeSeries",
    stacked: true,
    metrics: [
      [{ expression: "u / 3600", id: "uh", label: "user (typing)" }],
      [{ expression: "c / 3600", id: "ch", label: "cli (tools and model)" }],
      [ns, CC.activeTime, ATTR.type, "user", { id: "u", visible: false }],
      [ns, CC.activeTime, ATTR.type, "cli", { id: "c", visible: false }],
    ],
  }));

  L.section("Amazon Bedrock", "Invocations, throttles, errors and latency as Bedrock reports them (no user identity at this level).");
  const bedrock = (metric: string, stat?: string): MetricRow[] =>
    o.bedrockModelIds.map((id) => [BEDROCK.namespace, metric, BEDROCK.dimension, id, { label: id, ...(stat ? { stat } : {}), ...(o.bedrockAccountId ? { accountId: o.bedrockAccountId } : {}) }]);
  L.add("metric", 6, 6, base("Invocations", { view: "timeSeries", metrics: bedrock(BEDROCK.invocations) }));
  L.add("metric", 6, 6, base("Throttles", { view: "timeSeries", metrics: bedrock(BEDROCK.throttles) }));
  L.add("metric", 6, 6, base("Errors (client and server)", { view: "timeSeries", metrics: [...bedrock(BEDROCK.clientErrors), ...bedrock(BEDROCK.serverErrors)] }));
  L.add("metric", 6, 6, base("Latency p90 (ms)", { view: "timeSeries", stat: "p90", metrics: bedrock(BEDROCK.latency, "p90") }));

  if (o.alarmArns && o.alarmArns.length > 0) {
    L.newRow();
    L.add("alarm", 24, 3, { title: "Alarm states", alarms: [...o.alarmArns], sortBy: "stateUpdatedTimestamp", states: [] });
  }
  return { start: "-PT24H", periodOverride: "inherit", widgets: L.widgets };
}

/** Every metric reference in a dashboard body: plain metrics and Metrics Insights queries. */
export interface MetricReference {
  readonly widget: string;
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: readonly string[];
  readonly dimensionValues: Readonly<Record<string, string>>;
}

/** Extracts every metric a body references (the dashboard tests check these against the producers). */
export function metricReferences(body: DashboardBody): MetricReference[] {
  const out: MetricReference[] = [];
  for (const w of body.widgets) {
    if (w.type !== "metric") continue;
    const title = String(w.properties.title);
    for (const row of (w.properties.metrics as MetricRow[]) ?? []) {
      const first = row[0];
      if (typeof first === "object") {
        const expr = String((first as { expression?: string }).expression ?? "");
        const query = parseInsightsSql(expr);
        if (query) out.push({ widget: title, namespace: query.namespace, metric: query.metric, dimensions: query.schema, dimensionValues: query.where ?? {} });
        continue;
      }
      const parts = row.filter((x): x is string => typeof x === "string");
      const [namespace, metric, ...dims] = parts;
      const dimensionValues: Record<string, string> = {};
      for (let i = 0; i + 1 < dims.length; i += 2) dimensionValues[dims[i]!] = dims[i + 1]!;
      out.push({ widget: title, namespace: namespace!, metric: metric!, dimensions: Object.keys(dimensionValues), dimensionValues });
    }
  }
  return out;
}
