import * as pulumi from "@pulumi/pulumi";
import { allow, type AwsEnvironment, type Conditions, type Statement } from "../iam";
import { PRICING_CATALOG_READ_ACTIONS, PRICING_WRITE_ACTIONS, KMS_S3_ACTIONS } from "./perms";
import { PRICING_CATALOG_KEY, PRICING_PREFIX } from "./schema";

/**
 * The daily price source (the quota service's price function) rewrites the pricing table's CSV from
 * the stored price book. In a multi-account stage it runs in the inference account and the bucket and
 * key are here, so the bucket policy and the key policy name exactly its role, pinned to its account
 * (and the organization when known); in one account its identity policy is enough and these are empty.
 */
export interface PriceWriter {
  readonly crossAccount?: {
    readonly roleArn: pulumi.Input<string>;
    readonly accountId: string;
    readonly organizationId?: string;
  };
}

function pinned(w: NonNullable<PriceWriter["crossAccount"]>, extra: Record<string, pulumi.Input<string>> = {}): Conditions {
  return {
    StringEquals: {
      "aws:PrincipalAccount": w.accountId,
      ...(w.organizationId ? { "aws:PrincipalOrgID": w.organizationId } : {}),
      ...extra,
    },
  };
}

/** Reference bucket statements: write the table's prefix, read the row catalog object, nothing else. */
export function priceWriterBucketStatements(writer: PriceWriter | undefined, bucketArn: pulumi.Output<string>): Statement[] {
  const w = writer?.crossAccount;
  if (!w) return [];
  return [
    allow(PRICING_WRITE_ACTIONS, [pulumi.interpolate`${bucketArn}/${PRICING_PREFIX}*`], {
      sid: "PriceSourceWritesPricing",
      principal: { AWS: w.roleArn },
      conditions: pinned(w),
    }),
    allow(PRICING_CATALOG_READ_ACTIONS, [pulumi.interpolate`${bucketArn}/${PRICING_CATALOG_KEY}`], {
      sid: "PriceSourceReadsPricingCatalog",
      principal: { AWS: w.roleArn },
      conditions: pinned(w),
    }),
  ];
}

/**
 * Key statement: the same role encrypts (and reads back) through S3 in this Region only. The bucket
 * key's encryption context is the bucket ARN, which the key cannot name (the bucket is created with
 * the key), so S3 as the only way in and the bucket policy's prefix bound the use.
 */
export function priceWriterKeyStatements(writer: PriceWriter | undefined, env: AwsEnvironment): Statement[] {
  const w = writer?.crossAccount;
  if (!w) return [];
  return [
    allow(KMS_S3_ACTIONS, ["*"], {
      sid: "PriceSourceEncryptsPricing",
      principal: { AWS: w.roleArn },
      conditions: pinned(w, { "kms:ViaService": pulumi.interpolate`s3.${env.region}.${env.dnsSuffix}` }),
    }),
  ];
}
