import { type DashboardBody, type DashboardOptions, type MetricRow, parseInsightsSql } from "./dashboard-layout";
import {
  adoptionSection,
  alarmSection,
  bedrockSection,
  costSection,
  dashboardParts,
  introSection,
  overviewSection,
} from "./dashboard-sections";
import { codeActivitySection, leaderboardSection } from "./dashboard-activity-sections";
import { serviceQuotaSection } from "./dashboard-quota-section";

/**
 * The CloudWatch dashboard body, generated from the metric catalog. Widgets reference only metrics
 * the collector's EMF declarations produce (collector namespace) or the aggregation Lambda publishes
 * (aggregates namespace), and Bedrock's own `AWS/Bedrock` metrics; a test holds every widget to that.
 */

export { insightsSql, parseInsightsSql } from "./dashboard-layout";
export type { DashboardBody, DashboardOptions, InsightsQuery, MetricRow, Widget } from "./dashboard-layout";

export function dashboardBody(o: DashboardOptions): DashboardBody {
  const parts = dashboardParts(o);
  for (const section of [
    introSection,
    overviewSection,
    adoptionSection,
    costSection,
    leaderboardSection,
    codeActivitySection,
    bedrockSection,
    serviceQuotaSection,
    alarmSection,
  ])
    section(parts);
  return { start: "-PT24H", periodOverride: "inherit", widgets: parts.L.widgets };
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
        if (query)
          out.push({
            widget: title,
            namespace: query.namespace,
            metric: query.metric,
            dimensions: query.schema,
            dimensionValues: query.where ?? {},
          });
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
