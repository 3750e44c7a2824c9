/**
 * Estimated cost and prompt-cache savings from token counts. Prices are USD per million tokens, by a
 * match key (`claude-sonnet-4-5`) that Claude Code's `model` attribute contains whatever form it takes
 * (`us.anthropic.claude-sonnet-4-5-20250929-v1:0`, an application profile name, `claude-sonnet-4-5`).
 */
import type { Price } from "@ccb/contracts";

/** One model of the price book (@ccb/contracts) with its match key. */
export type PriceEntry = Price & { readonly key: string };

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

export const emptyCounts = (): TokenCounts => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 });

/** The price of a model attribute value: the longest key it contains wins (`claude-opus-4-1` over `claude-opus-4`). */
export function priceOf(model: string, prices: readonly PriceEntry[]): PriceEntry | undefined {
  const m = model.toLowerCase();
  return [...prices].sort((a, b) => b.key.length - a.key.length).find((p) => m.includes(p.key));
}

const M = 1_000_000;

/** List-price cost of the tokens. */
export function costUsd(t: TokenCounts, p: PriceEntry): number {
  return (t.input * p.input + t.output * p.output + t.cacheRead * p.cacheRead + t.cacheCreation * p.cacheWrite) / M;
}

/**
 * What caching saved against sending the same tokens uncached: every cache read would have been a
 * full-price input token; every cache write cost a premium over a plain input token. Negative when
 * writes are never (or rarely) read back: caching is misconfigured.
 */
export function cacheSavingsUsd(t: TokenCounts, p: PriceEntry): number {
  return (t.cacheRead * (p.input - p.cacheRead) - t.cacheCreation * (p.cacheWrite - p.input)) / M;
}
