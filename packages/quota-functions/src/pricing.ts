/**
 * Cost from token counts. Prices are USD per million tokens for the four kinds Bedrock bills
 * separately (input, output, cache read, cache write), so a budget in USD counts cache reads at their
 * real (low) price instead of letting them dominate a raw token count. The table comes from the
 * stack (serialised from the infra model catalog plus config overrides) through `PRICING_JSON`; this
 * package never imports the catalog.
 */
import { parsePriceBook, type Price as ContractPrice, type PriceBook } from "@ccb/contracts";

/** The price-book format is the contract with the infrastructure (@ccb/contracts). */
export type Price = ContractPrice;
export type PricingTable = PriceBook;

/** Tokens of one model or one user, by kind. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export const zeroCounts = (): TokenCounts => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

export function totalTokens(c: TokenCounts): number {
  return c.input + c.output + c.cacheRead + c.cacheWrite;
}

export function addCounts(into: TokenCounts, c: TokenCounts): TokenCounts {
  into.input += c.input;
  into.output += c.output;
  into.cacheRead += c.cacheRead;
  into.cacheWrite += c.cacheWrite;
  return into;
}

/** Parses and validates `PRICING_JSON`; throws naming the bad entry. */
export function parsePricing(json: string): PricingTable {
  return parsePriceBook(json, "PRICING_JSON");
}

/**
 * Reduces any way a model is named to a comparable core:
 * `arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0`,
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` and the telemetry's `claude-sonnet-4-5-20250929`
 * all become `claude-sonnet-4-5-20250929`.
 */
export function modelCore(id: string): string {
  let s = id.trim().toLowerCase();
  if (s.startsWith("arn:")) s = s.slice(s.lastIndexOf("/") + 1);
  s = s.replace(/^(us|eu|apac|jp|au|global|us-gov)\./, "");
  s = s.replace(/^anthropic\./, "");
  s = s.replace(/-v\d+(:\d+)?$/, "");
  return s;
}

export type PriceSource = "model" | "family" | "default";

/** Finds the price of a model: exact core match, then the longest catalog core the id starts with, then family, then default. */
export function priceOf(table: PricingTable, modelId: string): { price: Price; source: PriceSource } {
  const direct = table.models[modelId];
  if (direct) return { price: direct, source: "model" };
  const core = modelCore(modelId);
  let best: { len: number; price: Price } | undefined;
  for (const [id, price] of Object.entries(table.models)) {
    const c = modelCore(id);
    if (c === core) return { price, source: "model" };
    if ((core.startsWith(`${c}-`) || c.startsWith(`${core}-`)) && (!best || c.length > best.len)) best = { len: c.length, price };
  }
  if (best) return { price: best.price, source: "model" };
  for (const family of ["opus", "sonnet", "haiku"] as const) {
    if (core.includes(family) && table.families[family]) return { price: table.families[family]!, source: "family" };
  }
  return { price: table.default, source: "default" };
}

/** Cost in micro-USD (integers add exactly in DynamoDB and JavaScript). */
export function costMicros(price: Price, c: TokenCounts): number {
  // USD per 1M tokens == micro-USD per token.
  return Math.round(c.input * price.input + c.output * price.output + c.cacheRead * price.cacheRead + c.cacheWrite * price.cacheWrite);
}

export const microsToUsd = (m: number): number => Math.round(m) / 1_000_000;
