import { inference } from "@ccb/infra";
import type { ConfigProblems, Reader } from "./problems";

type ModelPrice = inference.ModelPrice;

/**
 * The `stage.analytics` section. Off unless the stage enables it (the seed adds analytics at the
 * expansion step, after the pilot).
 */
export interface AnalyticsConfig {
  readonly enabled: boolean;
  /** Days the Parquet history is kept. @default 730 (two years: year-over-year and audits) */
  readonly dataRetentionDays: number;
  /** Days Athena results are kept. @default 30 */
  readonly resultsRetentionDays: number;
  /** Athena cancels a query that scans more than this. @default 10 */
  readonly bytesScannedCutoffGiB: number;
  /** Firehose buffer interval (latency against object count). @default 300 */
  readonly bufferIntervalSeconds: number;
  /** Retention of the pipeline's own EMF log group (only when the collector's log group is not available). @default 3 */
  readonly emfLogRetentionDays: number;
  /** Negotiated or changed prices, USD per million tokens, per base model id. */
  readonly priceOverrides: Readonly<Record<string, Partial<ModelPrice>>>;
  /** IAM role names in the telemetry account that may run the queries (analysts, BI tools). */
  readonly analystRoleNames: readonly string[];
  /** Let `pulumi destroy` delete non-empty buckets. @default false */
  readonly forceDestroy: boolean;
}

const PRICE_KEYS = ["input", "output", "cacheRead", "cacheWrite"] as const;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export function parseAnalyticsConfig(r: Reader | undefined, p: ConfigProblems): AnalyticsConfig {
  const enabled = r?.bool("enabled", false) ?? false;
  const defaults: AnalyticsConfig = {
    enabled,
    dataRetentionDays: 730,
    resultsRetentionDays: 30,
    bytesScannedCutoffGiB: 10,
    bufferIntervalSeconds: 300,
    emfLogRetentionDays: 3,
    priceOverrides: {},
    analystRoleNames: [],
    forceDestroy: false,
  };
  if (!r || !enabled) return defaults;
  const emfLogRetentionDays = r.retention("emfLogRetentionDays", 3);
  const priceOverrides: Record<string, Partial<ModelPrice>> = {};
  const prices = r.child("priceOverrides", false);
  if (prices) {
    for (const id of Object.keys(prices.raw)) {
      if (!inference.findModel(id)) {
        p.add(prices.key(id), `is not a known base model id; use one of ${inference.KNOWN_MODELS.map((m) => m.id).join(", ")}`);
        continue;
      }
      const m = prices.child(id);
      if (!m) continue;
      const entry: Partial<Record<(typeof PRICE_KEYS)[number], number>> = {};
      // Other keys under a model id are refused by the schema (stacks/config/schema.ts) with the nearest price key.
      for (const k of PRICE_KEYS) if (m.has(k)) entry[k] = m.num(k, { min: 0, max: 1000, integer: false });
      priceOverrides[id] = entry;
    }
  }
  return {
    enabled,
    dataRetentionDays: r.num("dataRetentionDays", { min: 30, max: 3653, default: 730 }),
    resultsRetentionDays: r.num("resultsRetentionDays", { min: 1, max: 365, default: 30 }),
    bytesScannedCutoffGiB: r.num("bytesScannedCutoffGiB", { min: 1, max: 10_240, default: 10 }),
    bufferIntervalSeconds: r.num("bufferIntervalSeconds", { min: 60, max: 900, default: 300 }),
    emfLogRetentionDays,
    priceOverrides,
    analystRoleNames: r.strList("analystRoleNames", { pattern: ROLE_NAME, hint: "IAM role names (not ARNs) in the telemetry account", default: [] }),
    forceDestroy: r.bool("forceDestroy", false),
  };
}
