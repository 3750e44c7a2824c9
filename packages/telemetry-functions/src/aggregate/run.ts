import type { TelemetryAggregatorNames } from "@ccb/contracts";
import type { CloudWatchClient, MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { field, runQuery, type Row } from "./insights.js";
import type { PriceEntry } from "./pricing.js";

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
export type WindowName = keyof typeof WINDOW_MS;

/** One run's shared state: where to query, what to name, and the metric data collected so far. */
export interface Run {
  readonly deps: AggregatorDeps;
  readonly cfg: AggregatorConfig;
  readonly n: Names;
  /** The email attribute as a Logs Insights field. */
  readonly email: string;
  readonly data: MetricDatum[];
  readonly unpriced: Set<string>;
  readonly put: (metricName: string, dims: Record<string, string>, value: number, unit?: MetricDatum["Unit"]) => void;
  readonly q: (group: string, query: string, w: WindowName) => Promise<Row[]>;
}

export function startRun(deps: AggregatorDeps, cfg: AggregatorConfig, now: Date): Run {
  const data: MetricDatum[] = [];
  const dims = (d: Record<string, string>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
  return {
    deps,
    cfg,
    n: cfg.names,
    email: field(cfg.names.attrs.email),
    data,
    unpriced: new Set<string>(),
    put: (MetricName, d, Value, Unit = "None") =>
      data.push({ MetricName, Dimensions: dims(d), Value: Number.isFinite(Value) ? Value : 0, Unit, Timestamp: now }),
    q: (group, query, w) => runQuery(deps, group, query, new Date(now.getTime() - WINDOW_MS[w]), now),
  };
}
