/**
 * The analytics side of the price book: rewrites the Glue `pricing` table's CSV in the analytics
 * reference bucket from the deploy-time row catalog at the book's prices, so the Athena cost queries
 * and the quota aggregation price with one book. Encryption is the bucket's default (its SSE-KMS key
 * with a bucket key), so the object is encrypted exactly like the deploy-time one.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  ANALYTICS_PRICING_CATALOG_KEY,
  ANALYTICS_PRICING_OBJECT_KEY,
  parsePricingCatalog,
  renderPricingCsv,
  repriceRows,
  type PriceBook,
} from "@ccb/contracts";
import type { Logger } from "../log.js";

export interface AnalyticsPricingSummary {
  readonly key: string;
  readonly rows: number;
  /** Rows whose price the book changed against the deploy-time catalog. */
  readonly repriced: number;
}

export async function writeAnalyticsPricing(s3: S3Client, bucket: string, book: PriceBook, log: Logger): Promise<AnalyticsPricingSummary> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: ANALYTICS_PRICING_CATALOG_KEY }));
  const catalog = parsePricingCatalog(await got.Body!.transformToString("utf8"));
  const rows = repriceRows(catalog, book);
  // The table must never lose a row or get an empty object: refuse instead, the fallback CSV stays.
  if (rows.length === 0) throw new Error(`${ANALYTICS_PRICING_CATALOG_KEY} lists no rows; the pricing table is left as it is`);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: ANALYTICS_PRICING_OBJECT_KEY,
      Body: renderPricingCsv(rows),
      ContentType: "text/csv",
    }),
  );
  const repriced = rows.filter((r, i) => JSON.stringify(r.price) !== JSON.stringify(catalog[i]!.price)).length;
  log.info("analytics pricing table rewritten", { bucket, key: ANALYTICS_PRICING_OBJECT_KEY, rows: rows.length, repriced });
  return { key: ANALYTICS_PRICING_OBJECT_KEY, rows: rows.length, repriced };
}
