/**
 * The Price List → price book mapping over GetProducts pages in the API's documented shape
 * (testdata/get-products-bedrock-us-east-1.json: two pages, regional and `_Global` rates, batch and
 * 1-hour cache tiers, another Region, a model listed without cache prices).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.js";
import { mapPriceList, priceListName, type PriceListProduct } from "./price-list.js";
import { fetchBedrockProducts, refreshPrices, type GetProducts, type GetProductsPage } from "./refresh.js";
import { parsePriceBook, type PriceBook } from "@ccb/contracts";

const pages = JSON.parse(
  readFileSync(new URL("./testdata/get-products-bedrock-us-east-1.json", import.meta.url), "utf8"),
) as GetProductsPage[];
const products = pages.flatMap((p) => (p.PriceList ?? []).map((s) => JSON.parse(s) as PriceListProduct));

const SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_45 = "anthropic.claude-haiku-4-5-20251001-v1:0";
const OPUS_46 = "anthropic.claude-opus-4-6-v1";
const MODELS = [
  { id: SONNET_45, prefixes: ["us", "eu", "global"] },
  { id: HAIKU_45, prefixes: ["us", "global"] },
  { id: OPUS_46, prefixes: ["us", "global"] },
];

/** Two pages served in order, NextToken checked: what the Price List answers. */
function pagedApi(): { getProducts: GetProducts; calls: Array<Record<string, unknown>> } {
  const calls: Array<Record<string, unknown>> = [];
  return {
    calls,
    getProducts: async (input) => {
      calls.push(input);
      return input.NextToken === "page-2" ? pages[1]! : pages[0]!;
    },
  };
}

const FALLBACK: PriceBook = parsePriceBook(
  JSON.stringify({
    models: {
      [SONNET_45]: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
      [OPUS_46]: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    },
    families: { opus: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
    default: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  }),
);

describe("priceListName", () => {
  it("turns model ids into the Price List's servicename words", () => {
    expect(priceListName(SONNET_45)).toBe("claude sonnet 4.5");
    expect(priceListName("us.anthropic.claude-3-7-sonnet-20250219-v1:0")).toBe("claude 3.7 sonnet");
    expect(priceListName(OPUS_46)).toBe("claude opus 4.6");
    expect(priceListName("anthropic.claude-sonnet-4-20250514-v1:0")).toBe("claude sonnet 4");
  });
});

describe("mapPriceList", () => {
  const mapped = mapPriceList(products, "us-east-1", MODELS);

  it("prices the base id and geographic profiles at the regional rate, global. at the global rate, all four kinds", () => {
    const regional = { input: 3.3, output: 16.5, cacheRead: 0.33, cacheWrite: 4.125 };
    expect(mapped.models[SONNET_45]).toEqual(regional);
    expect(mapped.models[`us.${SONNET_45}`]).toEqual(regional);
    expect(mapped.models[`eu.${SONNET_45}`]).toEqual(regional);
    expect(mapped.models[`global.${SONNET_45}`]).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
  });

  it("ignores batch and 1-hour cache tiers and other Regions", () => {
    expect(mapped.models[SONNET_45]!.input).toBe(3.3);
    expect(mapped.models[SONNET_45]!.cacheWrite).toBe(4.125);
    expect(mapPriceList(products, "us-west-2", MODELS).models[SONNET_45]).toBeUndefined();
  });

  it("prices a model listed at one scope only at that rate under every prefix", () => {
    const haiku = { input: 1.1, output: 5.5, cacheRead: 0.11, cacheWrite: 1.375 };
    expect(mapped.models[`global.${HAIKU_45}`]).toEqual(haiku);
    expect(mapped.models[`us.${HAIKU_45}`]).toEqual(haiku);
  });

  it("reports a model without all four prices as missing instead of pricing cache tokens at zero", () => {
    expect(mapped.missing).toEqual([OPUS_46]);
    expect(Object.keys(mapped.models).some((k) => k.includes("opus"))).toBe(false);
  });

  it("reads 1K-token units as a thousandth of the per-million price", () => {
    const p = JSON.parse(JSON.stringify(products.filter((x) => x.product?.attributes?.servicename?.startsWith("Claude Haiku")))) as Array<{
      terms: { OnDemand: Record<string, { priceDimensions: Record<string, { unit: string; pricePerUnit: { USD: string } }> }> };
    }>;
    for (const x of p)
      for (const t of Object.values(x.terms.OnDemand))
        for (const d of Object.values(t.priceDimensions)) {
          d.unit = "1K tokens";
          d.pricePerUnit.USD = String(Number(d.pricePerUnit.USD) / 1000);
        }
    expect(mapPriceList(p, "us-east-1", [{ id: HAIKU_45, prefixes: [] }]).models[HAIKU_45]!.input).toBeCloseTo(1.1, 9);
  });
});

describe("refreshPrices", () => {
  it("follows NextToken, filters by regionCode, stores the listed prices over the fallback and publishes the unpriced count", async () => {
    const api = pagedApi();
    const stored: PriceBook[] = [];
    const metrics: number[] = [];
    const s = await refreshPrices({
      getProducts: api.getProducts,
      region: "us-east-1",
      models: MODELS,
      fallback: FALLBACK,
      store: async (b) => void stored.push(b),
      putMetric: async (_n, v) => void metrics.push(v),
      log: memoryLogger(),
    });
    expect(api.calls).toHaveLength(2);
    expect(api.calls[0]).toMatchObject({
      ServiceCode: "AmazonBedrockFoundationModels",
      Filters: [{ Type: "TERM_MATCH", Field: "regionCode", Value: "us-east-1" }],
    });
    expect(s).toEqual({ products: 18, listedModels: 2, missing: [OPUS_46] });
    expect(metrics).toEqual([1]);
    const book = stored[0]!;
    expect(book.models[SONNET_45]!.input).toBe(3.3);
    // Opus is not listed completely: it keeps its catalog price.
    expect(book.models[OPUS_46]).toEqual(FALLBACK.models[OPUS_46]);
    // The default stays the most expensive price known (list or catalog).
    expect(book.default.output).toBe(25);
  });

  it("stores nothing, publishes every model as unpriced and fails when the API fails", async () => {
    const stored: PriceBook[] = [];
    const metrics: number[] = [];
    await expect(
      refreshPrices({
        getProducts: async () => {
          throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
        },
        region: "us-east-1",
        models: MODELS,
        fallback: FALLBACK,
        store: async (b) => void stored.push(b),
        putMetric: async (_n, v) => void metrics.push(v),
        log: memoryLogger(),
      }),
    ).rejects.toThrow("Rate exceeded");
    expect(stored).toEqual([]);
    expect(metrics).toEqual([3]);
  });

  it("refuses an endless pagination instead of storing a partial book", async () => {
    const endless: GetProducts = async () => ({ PriceList: [], NextToken: "again" });
    await expect(fetchBedrockProducts(endless, "us-east-1", 3)).rejects.toThrow(/more than 3 pages/);
  });
});
