import { describe, expect, it } from "vitest";
import { parsePricingCatalog, renderPricingCsv, repriceRows, type AnalyticsPricingRow } from "./analytics-pricing";

const P = (input: number) => ({ input, output: input * 5, cacheRead: input / 10, cacheWrite: input * 1.25 });
const BASE = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const ROWS: AnalyticsPricingRow[] = [
  { modelId: BASE, family: "sonnet", baseModelId: BASE, price: P(3) },
  { modelId: `us.${BASE}`, family: "sonnet", baseModelId: BASE, price: P(3) },
  { modelId: `global.${BASE}`, family: "sonnet", baseModelId: BASE, price: P(3) },
  { modelId: "arn:aws:bedrock:us-east-1:1:application-inference-profile/t", family: "sonnet", baseModelId: BASE, price: P(3) },
  { modelId: "anthropic.claude-x", family: "opus", baseModelId: "anthropic.claude-x", price: P(5) },
];

describe("analytics pricing rows", () => {
  it("reprices a profile id by its own listed rate, else its base; a team profile by its base even when the book carries it; unknown models keep theirs", () => {
    const book = { models: { [BASE]: P(3.3), [`global.${BASE}`]: P(3), [ROWS[3]!.modelId]: P(3) }, families: {}, default: P(5) };
    expect(repriceRows(ROWS, book).map((r) => r.price.input)).toEqual([3.3, 3.3, 3, 3.3, 5]);
  });

  it("renders the table's header and rows, refusing an id that would break the CSV", () => {
    expect(renderPricingCsv(ROWS.slice(0, 1))).toBe(
      `model_id,family,input_usd_per_mtok,output_usd_per_mtok,cache_read_usd_per_mtok,cache_write_usd_per_mtok\n${BASE},sonnet,3,15,0.3,3.75\n`,
    );
    expect(() => renderPricingCsv([{ ...ROWS[0]!, modelId: "a,b" }])).toThrow(/cannot go into the pricing CSV/);
  });

  it("reads back its own catalog and names a bad entry", () => {
    expect(parsePricingCatalog(JSON.stringify(ROWS))).toEqual(ROWS);
    expect(() => parsePricingCatalog(JSON.stringify([ROWS[0], { ...ROWS[1], price: { input: -1 } }]))).toThrow(/pricing catalog\[1\]/);
    expect(() => parsePricingCatalog("{}")).toThrow(/JSON array/);
  });
});
