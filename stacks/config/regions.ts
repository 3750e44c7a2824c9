import { nearest } from "./suggest";
/**
 * The AWS Regions a stage may name (commercial, GovCloud, China), as AWS lists them
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html). A pattern
 * alone accepts `us-east-7`, which deploys nothing and fails only at `pulumi up`. Add a Region here
 * when AWS opens it.
 */
export const AWS_REGIONS: readonly string[] = [
  // commercial
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-south-2",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
  // AWS GovCloud (US)
  "us-gov-east-1",
  "us-gov-west-1",
  // China
  "cn-north-1",
  "cn-northwest-1",
];

const KNOWN = new Set(AWS_REGIONS);

export function isAwsRegion(region: string): boolean {
  return KNOWN.has(region);
}

/** The partition an ARN in this Region uses. */
export function partitionOf(region: string): "aws" | "aws-us-gov" | "aws-cn" {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}

/** The message for a well-formed but non-existent Region, with the nearest real one. */
export function regionProblem(region: string): string {
  const near = nearest(region, AWS_REGIONS);
  return `"${region}" is not an AWS Region${near ? ` (did you mean ${near}?)` : ""}; use one of ${AWS_REGIONS.join(", ")}`;
}
