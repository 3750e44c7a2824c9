/**
 * The price book as the quota functions use it: the catalog literals (`PRICING_JSON`, rendered by the
 * stack) are the tested fallback; the daily price source stores a book built from the AWS Price List
 * as one usage-table item, and the aggregation prefers that item whenever it is present and valid.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mostExpensivePrice, parsePriceBook, PRICE_BOOK_ITEM_KEY, type Price, type PriceBook } from "@ccb/contracts";
import type { Logger } from "../log.js";

/**
 * Listed prices over the fallback, model by model: a model the Price List does not list keeps its
 * catalog price; family fallbacks and the default stay at least as expensive as any listed price, so
 * an unknown model still errs towards reaching a USD budget early.
 */
export function mergePriceBook(fallback: PriceBook, listed: Readonly<Record<string, Price>>): PriceBook {
  const models = { ...fallback.models, ...listed };
  const all = Object.values(models);
  return {
    models,
    families: fallback.families,
    default: mostExpensivePrice([fallback.default, ...all])!,
  };
}

export interface StoredBookMeta {
  readonly fetchedAt: string;
  readonly region: string;
  readonly listedModels: number;
}

export async function writePriceBook(client: DynamoDBClient, usageTable: string, book: PriceBook, meta: StoredBookMeta): Promise<void> {
  const doc = DynamoDBDocumentClient.from(client);
  await doc.send(new PutCommand({ TableName: usageTable, Item: { ...PRICE_BOOK_ITEM_KEY, book: JSON.stringify(book), ...meta } }));
}

export type BookOrigin = "price-list" | "fallback";

/**
 * The stored book, or the fallback when the item is missing, unreadable or invalid. Never throws:
 * metering with catalog prices beats not metering; the reason is logged and returned.
 */
export async function loadPriceBook(
  client: DynamoDBClient,
  usageTable: string,
  fallback: PriceBook,
  log: Logger,
): Promise<{ book: PriceBook; origin: BookOrigin; fetchedAt?: string; reason?: string }> {
  let reason: string;
  try {
    const doc = DynamoDBDocumentClient.from(client);
    const r = await doc.send(new GetCommand({ TableName: usageTable, Key: { ...PRICE_BOOK_ITEM_KEY } }));
    if (!r.Item) reason = "no stored price book yet";
    else if (typeof r.Item.book !== "string") reason = "stored price book has no `book` string";
    else {
      const book = parsePriceBook(r.Item.book, "stored price book");
      return { book, origin: "price-list", ...(typeof r.Item.fetchedAt === "string" ? { fetchedAt: r.Item.fetchedAt } : {}) };
    }
  } catch (e) {
    reason = `stored price book unusable: ${(e as Error).message}`;
  }
  log.warn("using catalog prices", { reason });
  return { book: fallback, origin: "fallback", reason };
}
