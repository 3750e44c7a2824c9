/**
 * The Claude models this library knows on Amazon Bedrock: base ids, the cross-Region profile prefixes
 * each supports, and on-demand list prices (USD per million tokens) used for cost reporting and
 * USD quotas. Prices can be overridden per stage; verify them on the Bedrock pricing page.
 */

import type { ModelFamily, Price } from "@ccb/contracts";

export type CrossRegionPrefix = "us" | "eu" | "apac" | "jp" | "au" | "global" | "us-gov";

/** USD per million tokens, by kind: the price-book contract's `Price`. */
export type ModelPrice = Price;

export interface KnownModel {
  readonly id: string;
  readonly family: ModelFamily;
  readonly prefixes: readonly CrossRegionPrefix[];
  readonly price: ModelPrice;
}

const SONNET: ModelPrice = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
const OPUS_4: ModelPrice = { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 };
const OPUS_45: ModelPrice = { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 };
const HAIKU_45: ModelPrice = { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 };

export const KNOWN_MODELS: readonly KnownModel[] = [
  { id: "anthropic.claude-3-7-sonnet-20250219-v1:0", family: "sonnet", prefixes: ["us", "eu", "apac", "us-gov"], price: SONNET },
  { id: "anthropic.claude-sonnet-4-20250514-v1:0", family: "sonnet", prefixes: ["us", "eu", "apac", "global"], price: SONNET },
  {
    id: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    family: "sonnet",
    prefixes: ["us", "eu", "jp", "au", "global", "us-gov"],
    price: SONNET,
  },
  { id: "anthropic.claude-sonnet-4-6", family: "sonnet", prefixes: ["us", "eu", "jp", "au", "global"], price: SONNET },
  { id: "anthropic.claude-opus-4-20250514-v1:0", family: "opus", prefixes: ["us"], price: OPUS_4 },
  { id: "anthropic.claude-opus-4-1-20250805-v1:0", family: "opus", prefixes: ["us"], price: OPUS_4 },
  { id: "anthropic.claude-opus-4-5-20251101-v1:0", family: "opus", prefixes: ["us", "eu", "global"], price: OPUS_45 },
  { id: "anthropic.claude-opus-4-6-v1", family: "opus", prefixes: ["us", "eu", "au", "global"], price: OPUS_45 },
  { id: "anthropic.claude-haiku-4-5-20251001-v1:0", family: "haiku", prefixes: ["us", "eu", "jp", "au", "global"], price: HAIKU_45 },
];

export function findModel(id: string): KnownModel | undefined {
  return KNOWN_MODELS.find((m) => m.id === id);
}

/** The geography prefix a source Region uses for cross-Region profiles. */
export function geographyOfRegion(region: string): CrossRegionPrefix | undefined {
  if (region.startsWith("us-gov-")) return "us-gov";
  if (region.startsWith("us-") || region.startsWith("ca-")) return "us";
  if (region.startsWith("eu-")) return "eu";
  if (region === "ap-northeast-1" || region === "ap-northeast-3") return "jp";
  if (region === "ap-southeast-2" || region === "ap-southeast-4") return "au";
  if (region.startsWith("ap-")) return "apac";
  return undefined;
}

/** The inference profile id for a model under a prefix (`us.anthropic…`), or the base id for `none`. */
export function profileId(modelId: string, prefix: CrossRegionPrefix | "none"): string {
  return prefix === "none" ? modelId : `${prefix}.${modelId}`;
}

const sameGeography = (prefix: CrossRegionPrefix, region: string) => {
  const geo = geographyOfRegion(region);
  return geo === prefix || (prefix === "apac" && (geo === "jp" || geo === "au"));
};

/** Checks that a cross-Region prefix can be used from the source Region. Returns problems. */
export function validateGeography(region: string, prefix: CrossRegionPrefix | "none"): string[] {
  if (prefix === "none" || prefix === "global") return [];
  return sameGeography(prefix, region)
    ? []
    : [`"${prefix}." profiles are not available from ${region} (its geography is ${geographyOfRegion(region) ?? "unknown"})`];
}

/**
 * The Regions a cross-Region profile may route to, as ARN Region patterns. AWS adds destination
 * Regions to a profile over time (and they differ per model), so the grant covers the profile's whole
 * geography instead of a list that goes stale and turns into AccessDenied for requests served in a new
 * Region. Requests still reach these models only through the stage's own profiles.
 */
export const GEOGRAPHY_REGION_PATTERNS: Readonly<Record<CrossRegionPrefix, readonly string[]>> = {
  us: ["us-*", "ca-*"],
  "us-gov": ["us-gov-*"],
  eu: ["eu-*"],
  apac: ["ap-*"],
  jp: ["ap-northeast-*"],
  au: ["ap-southeast-*"],
  global: ["*"],
};
