/**
 * The daily price refresh: read the Region's Bedrock prices from the AWS Price List, merge them over
 * the catalog fallback, store the book for the aggregation, and publish how many models in use the
 * Price List does not price (the alarm's metric). A failed fetch stores nothing: the aggregation keeps
 * the last good book (or the fallback), and the run fails so the Lambda errors alarm sees it.
 */
import { BEDROCK_PRICE_LIST_SERVICE_CODE, type PricedModel, type PriceBook } from "@ccb/contracts";
import type { Logger } from "../log.js";
import { mergePriceBook } from "./book.js";
import { mapPriceList, type PriceListProduct } from "./price-list.js";

export interface GetProductsPage {
  readonly PriceList?: readonly string[];
  readonly NextToken?: string;
}

/** One `pricing:GetProducts` call (the handler sends `GetProductsCommand`). */
export type GetProducts = (input: {
  ServiceCode: string;
  Filters: { Type: "TERM_MATCH"; Field: string; Value: string }[];
  FormatVersion: "aws_v1";
  NextToken?: string;
}) => Promise<GetProductsPage>;

export interface RefreshDeps {
  readonly getProducts: GetProducts;
  readonly region: string;
  readonly models: readonly PricedModel[];
  readonly fallback: PriceBook;
  readonly store: (book: PriceBook, listedModels: number) => Promise<void>;
  readonly putMetric: (name: "ModelsWithoutListPrice", value: number) => Promise<void>;
  readonly log: Logger;
  /** Bounds a runaway pagination (a Region lists a few hundred Bedrock SKUs). */
  readonly maxPages?: number;
}

export interface RefreshSummary {
  readonly products: number;
  readonly listedModels: number;
  readonly missing: string[];
}

export async function fetchBedrockProducts(getProducts: GetProducts, region: string, maxPages = 50): Promise<PriceListProduct[]> {
  const items: PriceListProduct[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const r = await getProducts({
      ServiceCode: BEDROCK_PRICE_LIST_SERVICE_CODE,
      Filters: [{ Type: "TERM_MATCH", Field: "regionCode", Value: region }],
      FormatVersion: "aws_v1",
      ...(token ? { NextToken: token } : {}),
    });
    for (const s of r.PriceList ?? []) items.push(JSON.parse(s) as PriceListProduct);
    token = r.NextToken;
    if (!token) return items;
  }
  throw new Error(`GetProducts returned more than ${maxPages} pages for ${region}; refusing a partial price book`);
}

export async function refreshPrices(d: RefreshDeps): Promise<RefreshSummary> {
  let products: PriceListProduct[];
  try {
    products = await fetchBedrockProducts(d.getProducts, d.region, d.maxPages);
  } catch (e) {
    // Every model is unpriced by the Price List today; the stored book stays as it was.
    await d.putMetric("ModelsWithoutListPrice", d.models.length);
    d.log.error("price list unavailable; the stored book is unchanged", { error: (e as Error).message });
    throw e;
  }
  const mapped = mapPriceList(products, d.region, d.models);
  const listedModels = d.models.length - mapped.missing.length;
  if (listedModels > 0) await d.store(mergePriceBook(d.fallback, mapped.models), listedModels);
  await d.putMetric("ModelsWithoutListPrice", mapped.missing.length);
  if (mapped.missing.length)
    d.log.warn("models in use without a list price keep their catalog price", { region: d.region, models: mapped.missing });
  d.log.info("price book refreshed", { region: d.region, products: products.length, listedModels });
  return { products: products.length, listedModels, missing: mapped.missing };
}
