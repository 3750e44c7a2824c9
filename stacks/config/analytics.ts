import { inference, naming } from "@ccb/infra";
import type { ConfigProblems, Reader } from "./problems";
import { SCHEDULE } from "./quotas";

const { CUR_TABLE_CONFIGURATION, ROLE_NAME } = naming.patterns;

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
  /** `stage.analytics.billing`: the billed side (CUR 2.0 export of the inference account). */
  readonly billing: BillingConfig;
}

/**
 * `stage.analytics.billing`. The export is created in the inference account (a member account's
 * export holds that account's own costs, which is where Bedrock is billed); its bucket is read from
 * the analytics (telemetry) account. Cost allocation tags can only be activated by the management
 * (payer) account, so that switch is for stages whose inference account is the payer; otherwise the
 * payer activates them once (docs/analytics.md, "Billed cost").
 */
export interface BillingConfig {
  readonly enabled: boolean;
  /** Days CUR files are kept. @default 1100 (three years of chargeback disputes and audits) */
  readonly retentionDays: number;
  /** Activate `team`, `cost-center`, `department` as cost allocation tags (payer account only). @default false */
  readonly activateCostAllocationTags: boolean;
  /** CUR 2.0 table configurations added or changed over the defaults (UPPER_SNAKE_CASE name → value). */
  readonly tableConfigurationOverrides: Readonly<Record<string, string>>;
  /** The daily estimate-vs-bill check; its drift beyond `thresholdPercent` raises the billed-drift alarm. */
  readonly reconciliation: {
    readonly enabled: boolean;
    readonly thresholdPercent: number;
    readonly minUsd: number;
    readonly schedule: string;
  };
}

const RECONCILIATION_DEFAULTS = { enabled: true, thresholdPercent: 10, minUsd: 1, schedule: "cron(0 7 * * ? *)" };

const BILLING_DEFAULTS: BillingConfig = {
  enabled: false,
  retentionDays: 1100,
  activateCostAllocationTags: false,
  tableConfigurationOverrides: {},
  reconciliation: { ...RECONCILIATION_DEFAULTS, enabled: false },
};

function parseBillingConfig(r: Reader | undefined, p: ConfigProblems): BillingConfig {
  const enabled = r?.bool("enabled", false) ?? false;
  if (!r || !enabled) return BILLING_DEFAULTS;
  const overrides = r.has("tableConfigurationOverrides") ? r.stringMap("tableConfigurationOverrides") : {};
  for (const k of Object.keys(overrides)) {
    if (!CUR_TABLE_CONFIGURATION.test(k))
      p.add(
        r.key(`tableConfigurationOverrides.${k}`),
        "is not a CUR 2.0 table configuration name; use UPPER_SNAKE_CASE names from `aws bcm-data-exports get-table --table-name COST_AND_USAGE_REPORT`",
      );
  }
  return {
    enabled,
    retentionDays: r.num("retentionDays", { min: 400, max: 3653, default: 1100 }),
    activateCostAllocationTags: r.bool("activateCostAllocationTags", false),
    tableConfigurationOverrides: overrides,
    reconciliation: parseReconciliation(r.child("reconciliation", false)),
  };
}

function parseReconciliation(r: Reader | undefined): BillingConfig["reconciliation"] {
  if (!r) return RECONCILIATION_DEFAULTS;
  return {
    enabled: r.bool("enabled", true),
    thresholdPercent: r.num("thresholdPercent", { min: 1, max: 1000, default: 10, integer: false }),
    minUsd: r.num("minUsd", { min: 0, max: 1e6, default: 1, integer: false }),
    schedule: r.str("schedule", {
      default: RECONCILIATION_DEFAULTS.schedule,
      pattern: SCHEDULE,
      hint: "rate(1 day) or a cron() expression",
    }),
  };
}

const PRICE_KEYS = ["input", "output", "cacheRead", "cacheWrite"] as const;

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
    billing: BILLING_DEFAULTS,
  };
  if (!r || !enabled) {
    if (r?.child("billing", false)?.bool("enabled", false))
      p.add(
        r.key("billing.enabled"),
        "needs `analytics.enabled: true`: the billed-cost table and queries live in the analytics database and workgroup",
      );
    return defaults;
  }
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
    analystRoleNames: r.strList("analystRoleNames", {
      pattern: ROLE_NAME,
      hint: "IAM role names (not ARNs) in the telemetry account",
      default: [],
    }),
    forceDestroy: r.bool("forceDestroy", false),
    billing: parseBillingConfig(r.child("billing", false), p),
  };
}
