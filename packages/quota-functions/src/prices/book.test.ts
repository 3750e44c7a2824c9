/**
 * The stored price book against a local DynamoDB with the usage table as the component creates it:
 * what the price source writes the aggregation reads back, and a missing, corrupt or unreadable item
 * falls back to the catalog prices instead of failing the metering run.
 */
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { parsePriceBook, PRICE_BOOK_ITEM_KEY, type PriceBook } from "@ccb/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../log.js";
import { startLocalDynamo, type LocalDynamo } from "../testing/dynalite.js";
import { loadPriceBook, mergePriceBook, writePriceBook } from "./book.js";

const P = (input: number) => ({ input, output: input * 5, cacheRead: input / 10, cacheWrite: input * 1.25 });
const FALLBACK: PriceBook = { models: { "anthropic.claude-sonnet-4-5-20250929-v1:0": P(3) }, families: { sonnet: P(3) }, default: P(5) };

let db: LocalDynamo;
beforeAll(async () => {
  db = await startLocalDynamo();
});
afterAll(async () => {
  await db.close();
});

const usageTable = () => db.store.usageTable;

describe("stored price book", () => {
  it("falls back to the catalog prices while nothing is stored", async () => {
    const log = memoryLogger();
    const r = await loadPriceBook(db.client, usageTable(), FALLBACK, log);
    expect(r).toMatchObject({ origin: "fallback", reason: "no stored price book yet" });
    expect(r.book).toBe(FALLBACK);
    expect(log.lines.some((l) => l.msg === "using catalog prices")).toBe(true);
  });

  it("reads back exactly what the price source wrote", async () => {
    const book = mergePriceBook(FALLBACK, { "global.anthropic.claude-sonnet-4-5-20250929-v1:0": P(2.7) });
    await writePriceBook(db.client, usageTable(), book, { fetchedAt: "2026-12-03T05:00:00.000Z", region: "us-east-1", listedModels: 1 });
    const r = await loadPriceBook(db.client, usageTable(), FALLBACK, memoryLogger());
    expect(r.origin).toBe("price-list");
    expect(r.fetchedAt).toBe("2026-12-03T05:00:00.000Z");
    expect(r.book).toEqual(parsePriceBook(JSON.stringify(book)));
    expect(r.book.models["global.anthropic.claude-sonnet-4-5-20250929-v1:0"]!.input).toBe(2.7);
  });

  it("falls back when the stored item is corrupt JSON or fails validation", async () => {
    for (const bad of ["{not json", JSON.stringify({ models: {}, families: {}, default: { input: -1 } })]) {
      await db.client.send(
        new PutItemCommand({
          TableName: usageTable(),
          Item: { pk: { S: PRICE_BOOK_ITEM_KEY.pk }, sk: { S: PRICE_BOOK_ITEM_KEY.sk }, book: { S: bad } },
        }),
      );
      const r = await loadPriceBook(db.client, usageTable(), FALLBACK, memoryLogger());
      expect(r.origin).toBe("fallback");
      expect(r.reason).toMatch(/^stored price book unusable: /);
      expect(r.book).toBe(FALLBACK);
    }
  });

  it("falls back when DynamoDB cannot be read", async () => {
    const r = await loadPriceBook(db.client, "no-such-table", FALLBACK, memoryLogger());
    expect(r.origin).toBe("fallback");
    expect(r.reason).toMatch(/ResourceNotFound|non-existent|not found/i);
  });

  it("keeps the default at least as expensive as any listed price", () => {
    const merged = mergePriceBook(FALLBACK, { "anthropic.claude-opus-5": P(20) });
    expect(merged.default).toEqual(P(20));
    expect(merged.models["anthropic.claude-sonnet-4-5-20250929-v1:0"]).toEqual(P(3));
  });
});
