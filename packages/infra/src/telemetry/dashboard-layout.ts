/** Types, Metrics Insights SQL and the grid layout the dashboard sections share. */

import type { ServiceQuotaDashboard } from "./service-quota-metrics";

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
  /** The "Service quotas" section: Bedrock usage as a percentage of the published quotas (same account as the Bedrock metrics). */
  readonly serviceQuotas?: ServiceQuotaDashboard;
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
  const m =
    /^SELECT (SUM|MAX|AVG)\("([^"]+)"\) FROM SCHEMA\(([^)]*)\)(?: WHERE (.*?))?(?: GROUP BY (.*?))? ORDER BY \w+\(\) DESC LIMIT (\d+)$/.exec(
      sql,
    );
  if (!m) return undefined;
  const names = (s: string | undefined) => (s ? [...s.matchAll(/"([^"]+)"/g)].map((x) => x[1]!) : []);
  const [namespace, ...schema] = names(m[3]);
  const where: Record<string, string> = {};
  for (const w of m[4]?.split(" AND ") ?? []) {
    const wm = /^"([^"]+)" = '((?:[^']|'')*)'$/.exec(w);
    if (wm) where[wm[1]!] = wm[2]!.replace(/''/g, "'");
  }
  return {
    stat: m[1] as InsightsQuery["stat"],
    metric: m[2]!,
    namespace: namespace!,
    schema,
    where,
    groupBy: names(m[5]),
    limit: Number(m[6]),
  };
}

export class Layout {
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
