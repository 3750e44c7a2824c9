import { MODEL_FAMILIES, mostExpensivePrice, type ModelFamily, type PriceBook } from "@ccb/contracts";
import { KNOWN_MODELS, type ModelPrice } from "../inference/models";

/**
 * The price book the aggregation Lambda receives (`PRICING_JSON`), built from the model catalog
 * plus per-stage overrides. The format is the contract (@ccb/contracts); the Lambda package reads it
 * with the contract's parser and never imports the catalog.
 */
export type PricingTable = PriceBook;

const mostExpensive = (prices: readonly ModelPrice[]): ModelPrice => mostExpensivePrice(prices)!;

/**
 * Catalog prices, overrides by model id on top. Family fallbacks use the family's most expensive
 * catalog price and the default is the most expensive of all, so an unknown model errs towards
 * reaching a USD budget early rather than late.
 */
export function pricingTable(overrides: Readonly<Record<string, ModelPrice>> = {}): PricingTable {
  const models: Record<string, ModelPrice> = {};
  for (const m of KNOWN_MODELS) models[m.id] = m.price;
  Object.assign(models, overrides);
  const families: Partial<Record<ModelFamily, ModelPrice>> = {};
  for (const family of MODEL_FAMILIES) {
    const prices = KNOWN_MODELS.filter((m) => m.family === family).map((m) => models[m.id]!);
    if (prices.length) families[family] = mostExpensive(prices);
  }
  return { models, families, default: mostExpensive(Object.values(models)) };
}

export function validatePrice(p: ModelPrice, where: string): string[] {
  return (["input", "output", "cacheRead", "cacheWrite"] as const)
    .filter((k) => typeof p[k] !== "number" || !Number.isFinite(p[k]) || p[k] < 0 || p[k] > 1000)
    .map((k) => `\`${where}.${k}\` must be a price in USD per million tokens from 0 to 1000`);
}
