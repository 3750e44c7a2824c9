/**
 * The price source (a daily quota function) and its readers: where the price book from the AWS Price
 * List lives, the environment of the price and reconciliation functions, and the names of the
 * reconciliation named queries the admin CLI and the reconciliation function run.
 */
import { EnvError, jsonVar, requireVar, type Env } from "../env";

/**
 * The stored book is one item of the usage table (`pk`/`sk` below): that table is already encrypted
 * with the stage key, has point-in-time recovery, and the aggregation reads it every run. The item
 * has no `expiresAt`, so TTL never removes it.
 */
export const PRICE_BOOK_ITEM_KEY = { pk: "STATE", sk: "PRICE_BOOK" } as const;

/** The Price List service code that lists the Anthropic models sold through Bedrock (servicename `Claude … (Amazon Bedrock Edition)`). */
export const BEDROCK_PRICE_LIST_SERVICE_CODE = "AmazonBedrockFoundationModels";

export const PRICE_SOURCE_ENV = {
  /** Region whose prices are read (`regionCode` in the Price List), the stage's Bedrock Region. */
  priceRegion: "PRICE_REGION",
  /** JSON `[{ "id": "anthropic.claude-…", "prefixes": ["us", "global"] }]`: the models the stage uses. */
  models: "PRICED_MODELS",
  /**
   * The analytics reference bucket, when the stage has analytics: each run also rewrites the pricing
   * table's CSV there (`ANALYTICS_PRICING_OBJECT_KEY`) from the row catalog at the book's prices.
   */
  analyticsBucket: "ANALYTICS_PRICING_BUCKET",
} as const;

export const RECONCILE_ENV = {
  workgroup: "ATHENA_WORKGROUP",
  /** |drift| in percent beyond which a developer's or team's day counts as drifting (the alarm's threshold too). */
  thresholdPercent: "RECONCILE_THRESHOLD_PERCENT",
  /** Days whose estimate and bill are both below this many USD are not compared (noise). */
  minUsd: "RECONCILE_MIN_USD",
} as const;

/** Names of the reconciliation named queries (infra's billing queries create them with these names). */
export const RECONCILIATION_QUERY_NAMES = {
  developer: "Estimate vs bill per developer and day (drift %)",
  team: "Estimate vs bill per team and day (drift %)",
} as const;

export interface PricedModel {
  readonly id: string;
  readonly prefixes: readonly string[];
}

export function parsePricedModels(env: Env): PricedModel[] {
  const v = jsonVar<unknown>(env, PRICE_SOURCE_ENV.models);
  if (!Array.isArray(v)) throw new EnvError(`${PRICE_SOURCE_ENV.models}: must be a JSON array of { id, prefixes }`);
  return v.map((m, i) => {
    const o = m as Record<string, unknown>;
    if (typeof o.id !== "string" || !Array.isArray(o.prefixes) || !o.prefixes.every((p) => typeof p === "string"))
      throw new EnvError(`${PRICE_SOURCE_ENV.models}[${i}]: must be { "id": string, "prefixes": string[] }`);
    return { id: o.id, prefixes: o.prefixes as string[] };
  });
}

export function parsePriceRegion(env: Env): string {
  const r = requireVar(env, PRICE_SOURCE_ENV.priceRegion, "QuotaService");
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(r)) throw new EnvError(`${PRICE_SOURCE_ENV.priceRegion}: "${r}" is not an AWS Region`);
  return r;
}
