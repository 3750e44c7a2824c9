import { describe, expect, it } from "vitest";
import { arr, at } from "../testing";
import { collectorConfig, parseCollectorConfig, renderCollectorConfig } from "./collector-config";
import { OPTIONS } from "./collector-config.test";
import { dashboardBody, insightsSql, metricReferences, parseInsightsSql, type DashboardOptions } from "./dashboard";
import { SERVICE_QUOTA_METRIC } from "@ccb/contracts";
import { AGG_METRICS, BEDROCK, namespaces } from "./metrics";

const NS = namespaces("ccb-pilot");
const OPTS: DashboardOptions = {
  stage: "pilot",
  region: "us-east-1",
  namespaces: NS,
  bedrockModelIds: ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"],
  alarmArns: ["arn:aws:cloudwatch:us-east-1:111111111111:alarm:ccb-pilot-throttles"],
  serviceQuotas: {
    namespace: "ccb-pilot/ServiceQuotas",
    thresholdPercent: 80,
    series: (["tokens", "requests"] as const).flatMap((kind) => [
      { role: "primary", kind, modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" },
      { role: "fast", kind, modelId: "us.anthropic.claude-haiku-4-5-20251001-v1:0" },
    ]),
  },
};

/** Dimension sets the rendered collector config produces, by metric name (read back from YAML). */
function producedByCollector(): (metric: string) => string[][] {
  const cfg = parseCollectorConfig(renderCollectorConfig(collectorConfig({ ...OPTIONS, namespace: NS.collector })));
  const decls = arr(at(cfg.exporters.awsemf, "metric_declarations"));
  const dimensionSets = (d: unknown) => arr(at(d, "dimensions")).map((set) => arr(set).map(String));
  return (metric) =>
    decls.filter((d) => arr(at(d, "metric_name_selectors")).some((s) => new RegExp(String(s)).test(metric))).flatMap(dimensionSets);
}
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

describe("dashboard body", () => {
  const body = dashboardBody(OPTS);
  const json = JSON.parse(JSON.stringify(body));

  it("has CloudWatch's dashboard body structure: widgets with type, position within the 24-column grid and properties", () => {
    expect(Array.isArray(json.widgets)).toBe(true);
    expect(json.widgets.length).toBeGreaterThan(25);
    expect(json.widgets.length).toBeLessThanOrEqual(500);
    for (const w of json.widgets) {
      expect(["metric", "text", "alarm", "log"]).toContain(w.type);
      expect(Number.isInteger(w.x) && w.x >= 0 && w.x + w.width <= 24).toBe(true);
      expect(Number.isInteger(w.y) && w.y >= 0 && w.height >= 1 && w.height <= 1000).toBe(true);
      if (w.type === "metric") {
        expect(typeof w.properties.region).toBe("string");
        expect(typeof w.properties.title).toBe("string");
        expect(Array.isArray(w.properties.metrics) && w.properties.metrics.length > 0).toBe(true);
        expect(["timeSeries", "singleValue", "bar", "pie", "gauge", "table"]).toContain(w.properties.view);
        // Expression ids are unique within a widget and lower-case-first (CloudWatch's rule).
        const ids = w.properties.metrics.map((row: unknown[]) => at(row[row.length - 1], "id")).filter(Boolean);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
        // Expressions reference only ids defined in the same widget.
        const exprs = w.properties.metrics
          .filter((row: unknown[]) => typeof row[0] === "object")
          .map((row: unknown[]) => String(at(row[0], "expression")));
        for (const e of exprs.filter((x: string) => !x.startsWith("SELECT"))) {
          for (const ref of e.match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? []) expect(ids, `${w.properties.title}: ${e}`).toContain(ref);
        }
      }
      if (w.type === "text") expect(typeof w.properties.markdown).toBe("string");
    }
  });

  it("does not overlap widgets", () => {
    const cells = new Set<string>();
    for (const w of json.widgets) {
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          const key = `${x},${y}`;
          expect(cells.has(key), `overlap at ${key}`).toBe(false);
          cells.add(key);
        }
    }
  });

  it("every widget metric is produced: collector metrics by the rendered collector config, aggregates by the Lambda's catalog", () => {
    const produced = producedByCollector();
    const refs = metricReferences(json);
    expect(refs.length).toBeGreaterThan(40);
    for (const r of refs) {
      const where = `${r.widget}: ${r.namespace} ${r.metric} [${r.dimensions.join(", ")}]`;
      if (r.namespace === NS.collector) {
        expect(
          produced(r.metric).some((set) => sameSet(set, r.dimensions)),
          where,
        ).toBe(true);
      } else if (r.namespace === NS.aggregates) {
        const m = AGG_METRICS.find((x) => x.metric === r.metric);
        expect(m, where).toBeDefined();
        expect(
          m!.dimensionSets.some((set) => sameSet(set, r.dimensions)),
          where,
        ).toBe(true);
      } else if (r.namespace === OPTS.serviceQuotas!.namespace) {
        // The quota publisher's metric and dimensions (the contract both sides read).
        expect(r.metric, where).toBe(SERVICE_QUOTA_METRIC.name);
        expect(r.dimensions, where).toEqual([SERVICE_QUOTA_METRIC.modelDimension, SERVICE_QUOTA_METRIC.kindDimension]);
        expect(OPTS.bedrockModelIds, where).toContain(r.dimensionValues[SERVICE_QUOTA_METRIC.modelDimension]);
      } else {
        expect(r.namespace, where).toBe(BEDROCK.namespace);
        expect(r.dimensions, where).toEqual([BEDROCK.dimension]);
        expect(OPTS.bedrockModelIds, where).toContain(r.dimensionValues[BEDROCK.dimension]);
      }
    }
  });

  it("shows the issue's widgets", () => {
    const titles = json.widgets
      .filter((w: { type: string }) => w.type !== "text")
      .map((w: { properties: { title: string } }) => w.properties.title);
    for (const t of [
      "Active users",
      "Tokens by type",
      "Cache hit rate (%)",
      "Prompt-cache savings (USD, rolling day)",
      "Lines of code",
      "Code acceptance rate (%)",
      "Operations (last hour)",
      "Throttles",
      "Latency p90 (ms)",
      "Alarm states",
      "Tokens",
      "Active time (hours)",
    ]) {
      expect(titles).toContain(t);
    }
    const savings = json.widgets.find(
      (w: { properties: { title: string } }) => w.properties.title === "Prompt-cache savings (USD, rolling day)",
    );
    expect(savings.properties.annotations.horizontal[0].value).toBe(0);
  });

  it("omits the alarm widget without alarms and marks cross-account Bedrock metrics", () => {
    const other = dashboardBody({ ...OPTS, alarmArns: [], bedrockAccountId: "222222222222" });
    expect(other.widgets.some((w) => w.type === "alarm")).toBe(false);
    const throttles = other.widgets.find((w) => w.properties.title === "Throttles")!;
    const rows = arr(throttles.properties.metrics).map(arr);
    expect(rows.length > 0 && rows.every((row) => at(row[row.length - 1], "accountId") === "222222222222")).toBe(true);
  });

  it("renders and parses Metrics Insights queries symmetrically, quoting names with dots", () => {
    const query = {
      stat: "SUM" as const,
      namespace: NS.collector,
      metric: "claude_code.token.usage",
      schema: ["user.email"],
      groupBy: ["user.email"],
      limit: 10,
    };
    const sql = insightsSql(query);
    expect(sql).toBe(
      'SELECT SUM("claude_code.token.usage") FROM SCHEMA("ClaudeCode/ccb-pilot", "user.email") GROUP BY "user.email" ORDER BY SUM() DESC LIMIT 10',
    );
    expect(parseInsightsSql(sql)).toEqual({ ...query, where: {} });
    const withWhere = insightsSql({ ...query, where: { Board: "it's" } });
    expect(parseInsightsSql(withWhere)?.where).toEqual({ Board: "it's" });
  });

  it("shows usage as a percentage of the quota per model and kind, with the alarm threshold, in a Service quotas section", () => {
    const widgets = arr(json.widgets);
    const texts = widgets.filter((w) => at(w, "type") === "text").map((w) => String(at(w, "properties", "markdown")));
    expect(texts.some((t) => t.startsWith("## Service quotas"))).toBe(true);
    for (const [title, usageMetric] of [
      ["Tokens per minute (% of quota)", "EstimatedTPMQuotaUsage"],
      ["Requests per minute (% of quota)", "Invocations"],
    ] as const) {
      const w = widgets.find((x) => at(x, "properties", "title") === title);
      expect(w, title).toBeDefined();
      expect(at(w, "properties", "period")).toBe(60);
      expect(at(w, "properties", "annotations", "horizontal")).toEqual([expect.objectContaining({ value: 80 })]);
      const rows = arr(at(w, "properties", "metrics")).map((r) => arr(r));
      const ids = new Map(rows.map((r) => [at(r.at(-1), "id"), r]));
      const shown = rows.filter((r) => typeof r[0] === "object");
      expect(shown.map((r) => at(r[0], "label"))).toEqual([
        "primary: us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "fast: us.anthropic.claude-haiku-4-5-20251001-v1:0",
      ]);
      for (const [row] of shown) {
        const [, u, q] = /^100 \* (\w+) \/ FILL\((\w+), REPEAT\)$/.exec(String(at(row, "expression")))!;
        expect(ids.get(u)![1], title).toBe(usageMetric);
        expect(ids.get(q)![1], title).toBe(SERVICE_QUOTA_METRIC.name);
        expect(ids.get(u)![3]).toBe(ids.get(q)![3]); // the same model on both sides
      }
    }
  });

  it("leaves the section out when the stage has no quota monitor", () => {
    const { serviceQuotas: _omit, ...rest } = OPTS;
    const titles = dashboardBody(rest).widgets.map((w) => String(w.properties.title ?? w.properties.markdown));
    expect(titles.some((t) => t.includes("% of quota") || t.includes("Service quotas"))).toBe(false);
  });
});
