/**
 * A model of what Firehose's record format conversion does to one EMF line before it writes Parquet,
 * with the settings the component uses (OpenX JSON SerDe: `convertDotsInJsonKeysToUnderscores`,
 * `caseInsensitive`, `columnToJsonKeyMappings: { emf: "_aws" }`; schema = the Glue `metrics` table):
 * keys map to columns by name, dots become underscores, keys without a column are dropped, columns
 * without a key are NULL. The test data goes through it, so the rows the SQL reads have exactly the
 * shape the schema promises for the lines the collector writes.
 */
import { columnOf, EMF_COLUMN, EMF_KEY, METRICS_COLUMNS } from "../schema";

/** An EMF line as the collector's `awsemf` exporter writes it. */
export type EmfLine = Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: unknown[] } };

/** Builds the EMF line for one data point: the value under the metric's name, attributes as top-level keys. */
export function emfLine(
  metric: string,
  value: number,
  timestampMs: number,
  attributes: Readonly<Record<string, string>>,
  namespace = "ccb-prod/ClaudeCode",
): EmfLine {
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[]], Metrics: [{ Name: metric, Unit: "Count" }] }],
    },
    Version: "1",
    OTelLib: "com.anthropic.claude_code",
    ...attributes,
    [metric]: value,
  };
}

const byLowerName = new Map(METRICS_COLUMNS.map((c) => [c.name.toLowerCase(), c]));

/** The row Firehose would write for a line (without the partition, which comes from the object's path). */
export function firehoseRowOf(line: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const row: Record<string, unknown> = Object.fromEntries(METRICS_COLUMNS.map((c) => [c.name, null]));
  for (const [key, value] of Object.entries(line)) {
    const name = key === EMF_KEY ? EMF_COLUMN : columnOf(key);
    const col = byLowerName.get(name.toLowerCase());
    if (!col) continue;
    if (col.type === "double") row[col.name] = typeof value === "number" ? value : value === null ? null : Number(value);
    else if (col.type === "string") row[col.name] = value === null || value === undefined ? null : String(value);
    else {
      // struct<timestamp:bigint>: struct fields match case-insensitively, unknown fields are dropped.
      const ts = Object.entries(value as Record<string, unknown>).find(([k]) => k.toLowerCase() === "timestamp")?.[1];
      row[col.name] = { timestamp: typeof ts === "number" ? ts : null };
    }
  }
  return row;
}
