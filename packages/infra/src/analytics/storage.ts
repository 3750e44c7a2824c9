import type * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";
import { customerKey, SecureBucket, type SecureBucketArgs } from "../storage";
import type { AnalyticsPipelineArgs } from "./args";
import { priceWriterBucketStatements, priceWriterKeyStatements } from "./price-writer";

export interface AnalyticsStorage {
  readonly keyArn: pulumi.Output<string>;
  readonly data: SecureBucket;
  readonly reference: SecureBucket;
  readonly results: SecureBucket;
}

/**
 * The pipeline's customer managed key and its three buckets (logical names `${name}-key`,
 * `${name}-data|reference|results`). A price writer in another account is granted the pricing prefix
 * in the reference bucket's policy and the key's policy (price-writer.ts).
 */
export function buildStorage(scope: BuilderScope, env: AwsEnvironment, args: AnalyticsPipelineArgs): AnalyticsStorage {
  const { name } = scope;
  const { namePrefix } = args;
  const forceDestroy = args.forceDestroy ?? false;
  const key = customerKey(scope.parent, name, env, {
    description: `${namePrefix}: Claude Code analytics (Firehose, S3, logs, Athena results)`,
    alias: `${namePrefix}-analytics`,
    logGroups: "*",
    statements: priceWriterKeyStatements(args.priceWriter, env),
    tags: scope.tags,
  });
  const keyArn = key.arn;
  const bucket = (
    role: string,
    expirationDays: number,
    noncurrentExpirationDays: number,
    more: Pick<SecureBucketArgs, "policyStatements"> = {},
  ) =>
    new SecureBucket(
      `${name}-${role}`,
      { kmsKeyArn: keyArn, expirationDays, noncurrentExpirationDays, forceDestroy, tags: scope.tags, ...more },
      { parent: scope.parent },
    );
  return {
    keyArn,
    data: bucket("data", args.dataRetentionDays, 7),
    // Pricing and the user directory must not expire with the data: a bucket of their own, kept ten years.
    reference: bucket("reference", 3653, 90, { policyStatements: (arn) => priceWriterBucketStatements(args.priceWriter, arn) }),
    results: bucket("results", args.resultsRetentionDays ?? 30, 1),
  };
}
