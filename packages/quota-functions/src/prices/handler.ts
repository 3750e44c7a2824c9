/**
 * Lambda entry of the daily price source (EventBridge schedule). The Price List API is served from
 * us-east-1 only, whatever the stage's Region; all logic is in `refreshPrices`.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { S3Client } from "@aws-sdk/client-s3";
import {
  parsePricedModels,
  parsePriceRegion,
  PRICE_SOURCE_ENV,
  QUOTA_ENV,
  QUOTA_METRIC_STAGE_DIMENSION,
  requireVar,
  parsePriceBook,
} from "@ccb/contracts";
import { writeAnalyticsPricing } from "./analytics-pricing.js";
import { createLogger } from "../log.js";
import { writePriceBook } from "./book.js";
import { refreshPrices, type RefreshSummary } from "./refresh.js";

export async function handler(): Promise<RefreshSummary> {
  const env = process.env;
  const log = createLogger("quota-prices");
  const region = parsePriceRegion(env);
  const usageTable = requireVar(env, QUOTA_ENV.usageTable, "QuotaService");
  const stage = requireVar(env, QUOTA_ENV.stage, "QuotaService");
  const namespace = requireVar(env, QUOTA_ENV.metricsNamespace, "QuotaService");
  const fallback = parsePriceBook(requireVar(env, QUOTA_ENV.pricing, "QuotaService"));
  const pricing = new PricingClient({ region: "us-east-1" });
  const ddb = new DynamoDBClient({});
  const cw = new CloudWatchClient({});
  // The analytics bucket may be in another account of the stage; its policies grant this role.
  const analyticsBucket = env[PRICE_SOURCE_ENV.analyticsBucket];
  const s3 = analyticsBucket ? new S3Client({}) : undefined;
  return refreshPrices({
    getProducts: (input) => pricing.send(new GetProductsCommand(input)),
    region,
    models: parsePricedModels(env),
    fallback,
    // The quota book first: the aggregation's prices matter more than the analytics table's.
    store: async (book, listedModels) => {
      await writePriceBook(ddb, usageTable, book, { fetchedAt: new Date().toISOString(), region, listedModels });
      if (s3 && analyticsBucket) await writeAnalyticsPricing(s3, analyticsBucket, book, log);
    },
    putMetric: async (name, value) => {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: [
            { MetricName: name, Value: value, Unit: "Count", Dimensions: [{ Name: QUOTA_METRIC_STAGE_DIMENSION, Value: stage }] },
          ],
        }),
      );
    },
    log,
  });
}
