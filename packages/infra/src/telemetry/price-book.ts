import { mostExpensivePrice, type PriceBook } from "@ccb/contracts";
import type { ModelPrice } from "../inference/models";

/** Match keys for model attribute values: `anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5`. */
export function modelKey(modelId: string): string {
  return modelId.replace(/^anthropic\./, "").replace(/(-\d{8})?(-v\d+(:\d+)?)?$/, "");
}

/**
 * The dashboard aggregation's price book (the one format, @ccb/contracts): models keyed by match key
 * (`modelKey`) and alias ids in lower case, because the function matches by containment in whatever
 * form Claude Code reports the model. The first price for a key wins, as the first match did before.
 * Families stay empty (a model without a key stays unpriced and is reported as such); `default` is
 * the most expensive price, as in every book.
 */
export function telemetryPriceBook(
  prices: Readonly<Record<string, ModelPrice>>,
  aliases: readonly { id: string; baseModelId: string }[],
): PriceBook {
  const models: Record<string, ModelPrice> = {};
  const add = (key: string, price: ModelPrice) => {
    if (!(key in models)) models[key] = price;
  };
  for (const [id, price] of Object.entries(prices)) add(modelKey(id), price);
  for (const a of aliases) {
    const base = prices[a.baseModelId];
    if (base) add(a.id.toLowerCase(), base);
  }
  return {
    models,
    families: {},
    default: mostExpensivePrice(Object.values(models)) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  };
}
