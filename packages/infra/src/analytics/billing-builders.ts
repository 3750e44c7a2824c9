import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, arn, awsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";
import { SecureBucket } from "../storage";
import { BILLING_QUERIES } from "./billing-queries";
import { BILLING_TABLE, COST_TAG_KEYS, CUR_COLUMNS, CUR_PARTITION, CUR_TABLE_NAME, curQueryStatement } from "./billing-schema";
import { curTableConfigurations, EXPORT_PREFIX, type BillingExportArgs } from "./billing-args";
import * as perms from "./perms";
import type { Column } from "./schema";

/** The builders of `BillingExport`: the bucket, the CUR 2.0 export, the cost allocation tags, the Glue table and the named queries. */

const glueColumns = (cols: readonly Column[]) => cols.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));

/** The export's bucket (in the export account): Data Exports delivers into it; the analytics account reads its prefix. */
export function buildCurBucket(scope: BuilderScope, args: BillingExportArgs): SecureBucket {
  const account = args.exportAccount.id;
  const env = awsEnvironment(scope.parent);
  const readers = args.readerAccountId && args.readerAccountId !== account ? [args.readerAccountId] : [];
  const bucket = new SecureBucket(
    `${scope.name}-bucket`,
    {
      // SSE-S3: Data Exports writes as the service; SSE-KMS would need the key policy to trust it too.
      expirationDays: args.retentionDays,
      ...(args.forceDestroy ? { forceDestroy: true } : {}),
      tags: scope.tags,
      policyStatements: (bucketArn) => [
        allow(perms.DATA_EXPORTS_DELIVERY_ACTIONS, [bucketArn, pulumi.interpolate`${bucketArn}/*`], {
          sid: "DataExportsDelivery",
          principal: { Service: [...perms.DATA_EXPORTS_SERVICE_PRINCIPALS] },
          conditions: {
            StringEquals: { "aws:SourceAccount": account },
            ArnLike: {
              "aws:SourceArn": [
                arn(env.partition, "cur", "us-east-1", account, "definition/*"),
                arn(env.partition, "bcm-data-exports", "us-east-1", account, "export/*"),
              ],
            },
          },
        }),
        // The analytics account's catalog points at this bucket; its IAM decides which roles read (grants.readBilledCost).
        ...readers.map((id) =>
          allow(
            [...perms.DATA_READ_BUCKET_ACTIONS, ...perms.DATA_READ_OBJECT_ACTIONS],
            [bucketArn, pulumi.interpolate`${bucketArn}/${EXPORT_PREFIX}/*`],
            {
              sid: `AnalyticsAccountReads${id}`,
              principal: { AWS: arn(env.partition, "iam", "", id, "root") },
            },
          ),
        ),
      ],
    },
    { parent: scope.parent, provider: args.exportAccount.bucket },
  );
  return bucket;
}

/** The CUR 2.0 export itself: daily, Parquet, resource ids and the IAM principal. */
export function buildCurExport(scope: BuilderScope, args: BillingExportArgs, bucket: SecureBucket, exportName: string): aws.bcmdata.Export {
  const account = args.exportAccount.id;
  return new aws.bcmdata.Export(
    `${scope.name}-export`,
    {
      export: {
        name: exportName,
        description: "Bedrock chargeback: CUR 2.0, daily, resource ids and IAM principal (developer session names)",
        dataQueries: [
          {
            queryStatement: curQueryStatement(),
            tableConfigurations: { [CUR_TABLE_NAME]: curTableConfigurations(account, args.tableConfigurationOverrides) },
          },
        ],
        destinationConfigurations: [
          {
            s3Destinations: [
              {
                s3Bucket: bucket.bucketName,
                s3Prefix: EXPORT_PREFIX,
                s3Region: args.exportAccount.region,
                s3OutputConfigurations: [
                  { outputType: "CUSTOM", format: "PARQUET", compression: "PARQUET", overwrite: "OVERWRITE_REPORT" },
                ],
              },
            ],
          },
        ],
        refreshCadences: [{ frequency: "SYNCHRONOUS" }],
      },
      tags: scope.tags,
    },
    { parent: scope.parent, provider: args.exportAccount.billingApi, dependsOn: [bucket] },
  );
}

/** The tags the billed-cost queries group by, activated where the account can (the payer). */
export function buildCostAllocationTags(scope: BuilderScope, args: BillingExportArgs): void {
  if (args.activateCostAllocationTags) {
    for (const key of COST_TAG_KEYS)
      new aws.costexplorer.CostAllocationTag(
        `${scope.name}-tag-${key}`,
        { tagKey: key, status: "Active" },
        { parent: scope.parent, provider: args.exportAccount.billingApi },
      );
  }
}

/** The Glue table over the export's Parquet files, partitioned by billing period through projection. */
export function buildCurTable(
  scope: BuilderScope,
  args: BillingExportArgs,
  bucket: SecureBucket,
  exportName: string,
): aws.glue.CatalogTable {
  // Data Exports writes <prefix>/<export name>/data/BILLING_PERIOD=yyyy-MM/*.parquet.
  const dataPrefix = pulumi.interpolate`s3://${bucket.bucketName}/${EXPORT_PREFIX}/${exportName}/data/`;
  return new aws.glue.CatalogTable(
    `${scope.name}-table`,
    {
      databaseName: args.databaseName,
      name: BILLING_TABLE,
      description: "CUR 2.0 line items (AWS Data Exports), daily; partitioned by billing period",
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "projection.enabled": "true",
        [`projection.${CUR_PARTITION.name}.type`]: "date",
        [`projection.${CUR_PARTITION.name}.format`]: "yyyy-MM",
        [`projection.${CUR_PARTITION.name}.range`]: "2025-01,NOW",
        [`projection.${CUR_PARTITION.name}.interval`]: "1",
        [`projection.${CUR_PARTITION.name}.interval.unit`]: "MONTHS",
        "storage.location.template": pulumi.interpolate`${dataPrefix}BILLING_PERIOD=\${${CUR_PARTITION.name}}/`,
      },
      partitionKeys: glueColumns([CUR_PARTITION]),
      storageDescriptor: {
        location: dataPrefix,
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: {
          serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
          parameters: { "serialization.format": "1" },
        },
        columns: glueColumns(CUR_COLUMNS),
      },
    },
    { parent: scope.parent },
  );
}

/** The billing and reconciliation named queries in the analytics workgroup. */
export function buildBillingQueries(
  scope: BuilderScope,
  args: BillingExportArgs,
  table: aws.glue.CatalogTable,
): Record<string, pulumi.Output<string>> {
  const ids: Record<string, pulumi.Output<string>> = {};
  for (const q of BILLING_QUERIES) {
    const nq = new aws.athena.NamedQuery(
      `${scope.name}-query-${q.key}`,
      { name: q.name, description: q.description, database: args.databaseName, workgroup: args.workgroupName, query: q.sql },
      { parent: scope.parent, dependsOn: [table] },
    );
    ids[q.key] = nq.id;
  }
  return ids;
}
