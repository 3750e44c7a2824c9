import { renderPricingCsv, type AnalyticsPricingRow } from "@ccb/contracts";
import { KNOWN_MODELS, profileId, type KnownModel, type ModelPrice } from "../inference/models";

/**
 * The `pricing` table's rows. Claude Code reports the model as configured, which on Bedrock is a
 * cross-Region profile id (`us.anthropic.claude-sonnet-4-5-…`, `global.…`) or a base model id, so
 * every model gets one row per id it can appear under; the SQL joins on equality and never parses
 * ids. Cache creation is priced (the reference's Athena queries left it out, #756), and prices come
 * from the one model catalog the quota code also uses, not a second hand-kept table (the reference's
 * Athena price list drifted from its Lambda's).
 */
export type PricingRow = AnalyticsPricingRow;

/** Per-model overrides (USD per million tokens), keyed by base model id: negotiated or changed list prices. */
export type PriceOverrides = Readonly<Record<string, Partial<ModelPrice>>>;

/** Extra ids to price like a known model: application inference profile ARNs or ids the stage routes through. */
export type ModelAliases = Readonly<Record<string, string>>;

export function pricingRows(
  opts: { models?: readonly KnownModel[]; overrides?: PriceOverrides; aliases?: ModelAliases } = {},
): PricingRow[] {
  const models = opts.models ?? KNOWN_MODELS;
  const overrides = opts.overrides ?? {};
  const unknown = Object.keys(overrides).filter((id) => !models.some((m) => m.id === id));
  if (unknown.length > 0)
    throw new Error(
      `price overrides for unknown models: ${unknown.join(", ")}; use base model ids from the catalog (${models.map((m) => m.id).join(", ")})`,
    );
  const priceOf = (m: KnownModel): ModelPrice => ({ ...m.price, ...overrides[m.id] });
  const rows: PricingRow[] = [];
  for (const m of models) {
    for (const id of [m.id, ...m.prefixes.map((p) => profileId(m.id, p))])
      rows.push({ modelId: id, family: m.family, baseModelId: m.id, price: priceOf(m) });
  }
  for (const [alias, base] of Object.entries(opts.aliases ?? {})) {
    const m = models.find((x) => x.id === base);
    if (!m) throw new Error(`model alias "${alias}" points at unknown model "${base}"`);
    rows.push({ modelId: alias, family: m.family, baseModelId: m.id, price: priceOf(m) });
  }
  const ids = rows.map((r) => r.modelId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`model id "${dup}" would be priced twice`);
  for (const r of rows) {
    for (const [k, v] of Object.entries(r.price)) {
      if (!(typeof v === "number" && Number.isFinite(v) && v >= 0))
        throw new Error(`price ${k} of ${r.modelId} must be a non-negative number (USD per million tokens)`);
    }
  }
  return rows;
}

/**
 * The CSV the component stores under `pricing/` (header first; the table skips it): the contract's
 * rendering, which the daily price source uses too, so both writers produce the one format.
 */
export function pricingCsv(rows: readonly PricingRow[]): string {
  return renderPricingCsv(rows);
}
