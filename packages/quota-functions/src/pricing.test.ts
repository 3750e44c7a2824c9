import { describe, expect, it } from "vitest";
import { costMicros, modelCore, parsePricing, priceOf } from "./pricing.js";
import { PRICING } from "./testing/fakes.js";

describe("pricing", () => {
  it("reduces model ids, profile ids, ARNs and telemetry names to one core", () => {
    expect(modelCore("anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe("claude-sonnet-4-5-20250929");
    expect(modelCore("global.anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe("claude-sonnet-4-5-20250929");
    expect(modelCore("arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe(
      "claude-sonnet-4-5-20250929",
    );
    expect(modelCore("claude-sonnet-4-5-20250929")).toBe("claude-sonnet-4-5-20250929");
  });

  it("finds the exact model before the family, and the family before the default", () => {
    expect(priceOf(PRICING, "us.anthropic.claude-opus-4-1-20250805-v1:0")).toEqual({
      price: PRICING.models["anthropic.claude-opus-4-1-20250805-v1:0"],
      source: "model",
    });
    expect(priceOf(PRICING, "claude-haiku-4-5")).toMatchObject({ source: "model" });
    expect(priceOf(PRICING, "claude-sonnet-9")).toEqual({ price: PRICING.families.sonnet, source: "family" });
    expect(priceOf(PRICING, "mistral.large")).toEqual({ price: PRICING.default, source: "default" });
  });

  it("prices cache reads at 0.1× and cache writes at 1.25× of input (Sonnet)", () => {
    const p = PRICING.models["anthropic.claude-sonnet-4-5-20250929-v1:0"]!;
    // One million cache-read tokens cost $0.30, not $3: a raw token count would overstate them 10×.
    expect(costMicros(p, { input: 0, output: 0, cacheRead: 1_000_000, cacheWrite: 0 })).toBe(300_000);
    expect(costMicros(p, { input: 0, output: 0, cacheRead: 0, cacheWrite: 1_000_000 })).toBe(3_750_000);
    expect(costMicros(p, { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0 })).toBe(18_000_000);
  });

  it("rejects a pricing table with a missing or negative price, naming the entry", () => {
    expect(() => parsePricing(JSON.stringify({ default: { input: 1, output: 1, cacheRead: 1 } }))).toThrow(/default/);
    expect(() =>
      parsePricing(
        JSON.stringify({
          default: { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 },
          models: { x: { input: -1, output: 1, cacheRead: 1, cacheWrite: 1 } },
        }),
      ),
    ).toThrow(/models\["x"\]/);
    expect(() =>
      parsePricing(
        JSON.stringify({
          default: { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 },
          families: { gpt: { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 } },
        }),
      ),
    ).toThrow(/unknown family "gpt"/);
  });
});
