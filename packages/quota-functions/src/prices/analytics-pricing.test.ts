/**
 * The price source's analytics writer against S3 on a moto server: the deploy-time row catalog (as
 * infra renders it) is read back, repriced with the stored book and written as the pricing table's
 * CSV under the table's key, encrypted with the bucket's default key; then the analytics named
 * queries run in DuckDB over exactly the object that landed, and their cost answers follow the book.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { ANALYTICS_PRICING_CATALOG_KEY, ANALYTICS_PRICING_OBJECT_KEY, PRICING_CSV_COLUMNS, type PriceBook } from "@ccb/contracts";
import { analytics } from "@ccb/infra";
import { Expected, generateDataSet, MODELS, openLake } from "@ccb/infra/analytics-lake";
import { startMoto, type Moto } from "@ccb/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../log.js";
import { writeAnalyticsPricing } from "./analytics-pricing.js";

const BUCKET = "ccb-prod-analytics-reference";
let moto: Moto;
let s3: S3Client;
let keyArn: string;

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ ...moto.clientOptions, forcePathStyle: true });
  // A KMS key in moto (no KMS client in this package: one JSON call does it).
  const res = await fetch(moto.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "TrentService.CreateKey",
      Authorization: "AWS4-HMAC-SHA256 Credential=local/20261203/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify({ Description: "analytics" }),
  });
  keyArn = ((await res.json()) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: BUCKET,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyArn }, BucketKeyEnabled: true }],
      },
    }),
  );
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await moto?.close();
});

const HAIKU = MODELS.haiku;
const HAIKU_BASE = HAIKU.replace(/^(us|eu|apac|global)\./, "");
const ALIAS = "arn:aws:bedrock:us-east-1:222222222222:application-inference-profile/team-a-fast";
/** The deploy-time rows: infra's catalog with one team profile priced like Haiku. */
const catalogRows = () => analytics.pricingRows({ aliases: { [ALIAS]: HAIKU_BASE } });
const HAIKU_GLOBAL = `global.${HAIKU_BASE}`;
const LISTED = { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 };
const LISTED_GLOBAL = { input: 1.8, output: 9, cacheRead: 0.18, cacheWrite: 2.25 };

/**
 * A stored book in the shape the price source stores: the catalog's base ids and the team profile at
 * deploy-time prices (the fallback book), Haiku's base id and its global profile listed over them.
 */
function book(): PriceBook {
  const rows = catalogRows();
  const models = Object.fromEntries(
    rows.filter((r) => r.modelId === r.baseModelId || r.modelId === ALIAS).map((r) => [r.modelId, r.price]),
  );
  return { models: { ...models, [HAIKU_BASE]: LISTED, [HAIKU_GLOBAL]: LISTED_GLOBAL }, families: {}, default: LISTED };
}
const priceOf = (r: { modelId: string; baseModelId: string }) =>
  r.modelId === HAIKU_GLOBAL ? LISTED_GLOBAL : r.baseModelId === HAIKU_BASE ? LISTED : undefined;

async function readObject(key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString("utf8");
}

describe("analytics pricing writer", () => {
  it("writes the table's CSV from the row catalog at the book's prices, encrypted with the bucket key", async () => {
    const rows = catalogRows();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: ANALYTICS_PRICING_CATALOG_KEY, Body: JSON.stringify(rows) }));
    const summary = await writeAnalyticsPricing(s3, BUCKET, book(), memoryLogger());
    expect(summary.key).toBe("pricing/prices.csv");
    expect(summary.rows).toBe(rows.length);

    const csv = await readObject(ANALYTICS_PRICING_OBJECT_KEY);
    const [header, ...lines] = csv.trimEnd().split("\n");
    expect(header).toBe(PRICING_CSV_COLUMNS.join(","));
    expect(lines.map((l) => l.split(",")[0])).toEqual(rows.map((r) => r.modelId));
    const byId = new Map(lines.map((l) => [l.split(",")[0]!, l.split(",")]));
    // Haiku's base id, its profile ids without a price of their own and the team profile take the listed
    // base price; the global profile its own global rate...
    expect(rows.some((r) => r.modelId === HAIKU_GLOBAL)).toBe(true);
    for (const id of [HAIKU_BASE, HAIKU, ALIAS]) expect(byId.get(id)!.slice(1)).toEqual(["haiku", "2", "10", "0.2", "2.5"]);
    expect(byId.get(HAIKU_GLOBAL)!.slice(1)).toEqual(["haiku", "1.8", "9", "0.18", "2.25"]);
    // ...every other row keeps its deploy-time price and family.
    const sonnet = rows.find((r) => r.family === "sonnet")!;
    expect(byId.get(sonnet.modelId)!.slice(1).map(String)).toEqual(
      ["sonnet", sonnet.price.input, sonnet.price.output, sonnet.price.cacheRead, sonnet.price.cacheWrite].map(String),
    );
    expect(summary.repriced).toBe(rows.filter((r) => r.baseModelId === HAIKU_BASE).length);

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: ANALYTICS_PRICING_OBJECT_KEY }));
    expect(head.ContentType).toBe("text/csv");
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.SSEKMSKeyId).toContain(keyArn.split("/").pop()!);
  });

  it("the analytics named queries parse the written object and price with the book", async () => {
    const root = mkdtempSync(join(tmpdir(), "ccb-prices-lake-"));
    const data = generateDataSet({ seed: 5, users: 12, days: 5 });
    const csv = await readObject(ANALYTICS_PRICING_OBJECT_KEY);
    // Independent answer: the catalog's rows with Haiku (base, profiles, team profile) at the listed price.
    const expectedRows = catalogRows().map((r) => ({ ...r, price: priceOf(r) ?? r.price }));
    const lake = await openLake(root, data, { csv }, data.lastDay);
    try {
      const exp = new Expected(data, expectedRows, data.lastDay);
      const want = exp.costByUser();
      const got = await lake.run(analytics.namedQuery("cost-by-user").sql);
      expect(got.length).toBe(want.size);
      for (const row of got) {
        const e = want.get(`${row["usage_month"]}|${row["user_email"]}`)!;
        expect(e, `${row["usage_month"]} ${row["user_email"]}`).toBeDefined();
        expect(Math.abs(Number(row["cost_usd"]) - e.cost)).toBeLessThan(0.01);
        expect(Number(row["unpriced_tokens"])).toBe(e.unpriced);
      }
      // The listed Haiku price really moves the answer: at the catalog prices the total would differ.
      const total = got.reduce((sum, r) => sum + Number(r["cost_usd"]), 0);
      const atCatalog = [...new Expected(data, catalogRows(), data.lastDay).costByUser().values()].reduce((sum, e) => sum + e.cost, 0);
      expect(Math.abs(total - atCatalog)).toBeGreaterThan(1);
      const unpriced = await lake.run(analytics.namedQuery("unpriced-models").sql);
      expect(unpriced.map((r) => r["model"])).toEqual([MODELS.unpriced]);
    } finally {
      lake.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses an empty row catalog and leaves the table's object as it was", async () => {
    const before = await readObject(ANALYTICS_PRICING_OBJECT_KEY);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: ANALYTICS_PRICING_CATALOG_KEY, Body: "[]" }));
    await expect(writeAnalyticsPricing(s3, BUCKET, book(), memoryLogger())).rejects.toThrow(/lists no rows/);
    expect(await readObject(ANALYTICS_PRICING_OBJECT_KEY)).toBe(before);
  });
});
