/**
 * The one price-book format. Prices are USD per million tokens for the four kinds Bedrock bills
 * separately. Infrastructure renders a book from its model catalog plus stage overrides; the quota
 * aggregation (`PRICING_JSON`) and the dashboard aggregation (`PRICES_JSON`) read it with
 * `parsePriceBook`, and the analytics pricing table is written from the same `Price` rows.
 */

export const MODEL_FAMILIES = ["opus", "sonnet", "haiku"] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export const PRICE_KINDS = ["input", "output", "cacheRead", "cacheWrite"] as const;

export interface Price {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export interface PriceBook {
  /**
   * By the id usage names a model with: a base model id (`anthropic.claude-sonnet-4-5-20250929-v1:0`),
   * an application inference profile ARN, or a match key (`claude-sonnet-4-5`) for readers that match
   * by containment.
   */
  readonly models: Readonly<Record<string, Price>>;
  /** Fallback by family when a model is not in `models` (a newer model, a telemetry short name). */
  readonly families: Readonly<Partial<Record<ModelFamily, Price>>>;
  /** Last resort for an unknown model: the most expensive model, so budgets err safe. */
  readonly default: Price;
}

export function isPrice(v: unknown): v is Price {
  return (
    typeof v === "object" &&
    v !== null &&
    PRICE_KINDS.every((k) => typeof (v as Record<string, unknown>)[k] === "number" && (v as Record<string, number>)[k]! >= 0)
  );
}

/** The most expensive of some prices (by output, then input): what an unknown model is charged at. */
export function mostExpensivePrice(prices: readonly Price[]): Price | undefined {
  return [...prices].sort((a, b) => b.output - a.output || b.input - a.input)[0];
}

/**
 * Parses and validates a price book; throws naming the environment variable and the bad entry.
 * @param variable the environment variable the book came from, for the message
 */
export function parsePriceBook(json: string, variable = "PRICING_JSON"): PriceBook {
  const v = JSON.parse(json) as Record<string, unknown>;
  if (!isPrice(v.default))
    throw new Error(`${variable}: \`default\` must have input, output, cacheRead, cacheWrite ≥ 0 (USD per million tokens)`);
  const models: Record<string, Price> = {};
  for (const [id, p] of Object.entries((v.models as Record<string, unknown>) ?? {})) {
    if (!isPrice(p)) throw new Error(`${variable}: models["${id}"] must have input, output, cacheRead, cacheWrite ≥ 0`);
    models[id] = p;
  }
  const families: Partial<Record<ModelFamily, Price>> = {};
  for (const [f, p] of Object.entries((v.families as Record<string, unknown>) ?? {})) {
    if (!(MODEL_FAMILIES as readonly string[]).includes(f))
      throw new Error(`${variable}: unknown family "${f}" (${MODEL_FAMILIES.join(", ")})`);
    if (!isPrice(p)) throw new Error(`${variable}: families.${f} must have input, output, cacheRead, cacheWrite ≥ 0`);
    families[f as ModelFamily] = p;
  }
  return { models, families, default: v.default };
}
