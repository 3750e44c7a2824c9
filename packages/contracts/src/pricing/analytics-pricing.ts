/**
 * The analytics pricing table's object: the CSV the Glue `pricing` table reads (header first, one row
 * per model id as Claude Code reports it) and the row catalog it is built from. Infrastructure writes
 * both at deploy time; the daily price source rewrites the CSV with the prices of the stored price
 * book, so the Athena cost queries and the quota aggregation price with one book.
 */
import type { ModelFamily, Price, PriceBook } from "./price-book";

/** Column names of the pricing table, in CSV order (infra's Glue columns carry these names and types). */
export const PRICING_CSV_COLUMNS = [
  "model_id",
  "family",
  "input_usd_per_mtok",
  "output_usd_per_mtok",
  "cache_read_usd_per_mtok",
  "cache_write_usd_per_mtok",
] as const;

/** The table's location in the analytics reference bucket, and the one object under it. */
export const ANALYTICS_PRICING_PREFIX = "pricing/";
export const ANALYTICS_PRICING_OBJECT_KEY = `${ANALYTICS_PRICING_PREFIX}prices.csv`;
/**
 * The deploy-time row catalog (JSON, outside the table's location so Athena never reads it): every
 * id the table must price with its family and the base model it is priced like, and the deploy-time
 * price (catalog plus the stage's analytics overrides). The price source reads it every run, so
 * new team profiles reach the table although the deployed CSV is not rewritten by `pulumi up`.
 */
export const ANALYTICS_PRICING_CATALOG_KEY = "pricing-catalog/rows.json";

export interface AnalyticsPricingRow {
  readonly modelId: string;
  readonly family: ModelFamily;
  /** The base model id the row is priced like (itself for a base id; the copied model for a team profile ARN). */
  readonly baseModelId: string;
  readonly price: Price;
}

/** The CSV the table reads. Ids never contain commas, quotes or newlines (refused here). */
export function renderPricingCsv(rows: readonly AnalyticsPricingRow[]): string {
  const lines = rows.map((r) => {
    if (/[,\n"]/.test(r.modelId)) throw new Error(`model id "${r.modelId}" cannot go into the pricing CSV`);
    return [r.modelId, r.family, r.price.input, r.price.output, r.price.cacheRead, r.price.cacheWrite].join(",");
  });
  return `${[PRICING_CSV_COLUMNS.join(","), ...lines].join("\n")}\n`;
}

/** Reads the row catalog; throws naming the bad entry. */
export function parsePricingCatalog(json: string): AnalyticsPricingRow[] {
  const v = JSON.parse(json) as unknown;
  if (!Array.isArray(v)) throw new Error("pricing catalog: must be a JSON array of rows");
  return v.map((r, i) => {
    const o = r as Record<string, unknown>;
    const p = o.price as Record<string, unknown> | undefined;
    const priced = p && ["input", "output", "cacheRead", "cacheWrite"].every((k) => typeof p[k] === "number" && (p[k] as number) >= 0);
    if (typeof o.modelId !== "string" || typeof o.baseModelId !== "string" || typeof o.family !== "string" || !priced)
      throw new Error(`pricing catalog[${i}]: must be { modelId, family, baseModelId, price: { input, output, cacheRead, cacheWrite } }`);
    return o as unknown as AnalyticsPricingRow;
  });
}

/**
 * The catalog's rows at the book's prices. A base id or cross-Region profile id (`global.<base>`) takes
 * its own entry when the book has one (the Price List's global rate differs from the regional one),
 * else its base model's; a team profile ARN takes its base model's (the book carries team profiles at
 * the deploy-time price only); a model the book does not know keeps its deploy-time price. Ids,
 * families and order are the catalog's.
 */
export function repriceRows(rows: readonly AnalyticsPricingRow[], book: PriceBook): AnalyticsPricingRow[] {
  return rows.map((r) => {
    const own = r.modelId === r.baseModelId || r.modelId.endsWith(`.${r.baseModelId}`) ? book.models[r.modelId] : undefined;
    return { ...r, price: own ?? book.models[r.baseModelId] ?? r.price };
  });
}
