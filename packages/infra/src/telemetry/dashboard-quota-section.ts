import { SERVICE_QUOTA_METRIC } from "@ccb/contracts";
import type { MetricRow } from "./dashboard-layout";
import type { DashboardParts } from "./dashboard-sections";
import { BEDROCK_NAMESPACE, percentOfQuota, QUOTA_PERIOD_SECONDS, QUOTA_USAGE, quotaDimensions } from "./service-quota-metrics";

const TITLES = { tokens: "Tokens per minute (% of quota)", requests: "Requests per minute (% of quota)" } as const;

/**
 * Bedrock service quotas: per model, usage as a percentage of the applied quota, with the alarm threshold
 * drawn in. The same expression the quota alarms evaluate (service-quota-metrics.ts).
 */
export function serviceQuotaSection(p: DashboardParts): void {
  const { o, L, base } = p;
  const sq = o.serviceQuotas;
  if (!sq || sq.series.length === 0) return;
  L.section(
    "Service quotas",
    `Bedrock usage per minute as a percentage of the account's applied quota; the alarms fire above ${sq.thresholdPercent} %. ` +
      "Request increases early: they take days (docs/operating.md).",
  );
  const account = o.bedrockAccountId ? { accountId: o.bedrockAccountId } : {};
  for (const kind of ["tokens", "requests"] as const) {
    const series = sq.series.filter((s) => s.kind === kind);
    if (series.length === 0) continue;
    const metrics: MetricRow[] = series.flatMap((s, i) => [
      [
        BEDROCK_NAMESPACE,
        QUOTA_USAGE[kind].metricName,
        "ModelId",
        s.modelId,
        { id: `u${i}`, stat: QUOTA_USAGE[kind].stat, visible: false, ...account },
      ],
      [
        sq.namespace,
        SERVICE_QUOTA_METRIC.name,
        ...Object.entries(quotaDimensions(s)).flat(),
        { id: `q${i}`, stat: "Maximum", visible: false, ...account },
      ],
      [{ expression: percentOfQuota(`u${i}`, `q${i}`), id: `p${i}`, label: `${s.role}: ${s.modelId}` }],
    ]);
    L.add(
      "metric",
      12,
      6,
      base(TITLES[kind], {
        view: "timeSeries",
        period: QUOTA_PERIOD_SECONDS,
        metrics,
        yAxis: { left: { min: 0, max: 100, label: "%", showUnits: false } },
        annotations: { horizontal: [{ value: sq.thresholdPercent, label: `alarm at ${sq.thresholdPercent} %`, color: "#d62728" }] },
      }),
    );
  }
}
