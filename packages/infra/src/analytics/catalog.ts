import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childOpts, type BuilderScope } from "../scope";
import type { SecureBucket } from "../storage";
import type { AnalyticsPipelineArgs } from "./args";
import { pricingCsv, pricingRows } from "./pricing";
import {
  METRICS_COLUMNS,
  METRICS_PREFIX,
  PARTITION_COLUMN,
  PRICING_CATALOG_KEY,
  PRICING_COLUMNS,
  PRICING_OBJECT_KEY,
  PRICING_PREFIX,
  PROJECTION_START,
  TABLE,
  USER_DIRECTORY_COLUMNS,
  USER_DIRECTORY_PREFIX,
  type Column,
} from "./schema";

export interface CatalogArgs {
  readonly databaseName: string;
  readonly keyArn: pulumi.Output<string>;
  readonly data: SecureBucket;
  readonly reference: SecureBucket;
  readonly priceOverrides: AnalyticsPipelineArgs["priceOverrides"];
  readonly modelAliases: AnalyticsPipelineArgs["modelAliases"];
  /** The daily price source rewrites the pricing CSV (`priceWriter`). */
  readonly externalPriceWriter: boolean;
}

export interface Catalog {
  readonly database: aws.glue.CatalogDatabase;
  /** The table Firehose converts records with. */
  readonly metrics: aws.glue.CatalogTable;
}

const glueColumns = (cols: readonly Column[]) => cols.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
const location = (bucket: pulumi.Output<string>, prefix: string) => pulumi.interpolate`s3://${bucket}/${prefix}`;

/** The Glue database with its three tables (metrics, pricing, user directory) and the pricing CSV the pricing table reads. */
export function buildCatalog(scope: BuilderScope, args: CatalogArgs): Catalog {
  const database = new aws.glue.CatalogDatabase(
    `${scope.name}-database`,
    {
      name: args.databaseName,
      description: "Claude Code usage (OpenTelemetry metrics), prices and user directory",
      tags: scope.tags,
    },
    childOpts(scope),
  );
  const metrics = metricsTable(scope, database, args.data);
  const referenceBucket = args.reference.bucketName;
  csvTable(
    scope,
    database,
    "pricing-table",
    TABLE.pricing,
    "Bedrock on-demand prices (USD per million tokens) per model id Claude Code reports; written by Pulumi from the model catalog and, with a price source, rewritten daily from the AWS Price List",
    referenceBucket,
    PRICING_PREFIX,
    PRICING_COLUMNS,
  );
  csvTable(
    scope,
    database,
    "user-directory",
    TABLE.userDirectory,
    "Department and team per user email, for IdP tokens without those claims; upload a CSV with a header line",
    referenceBucket,
    USER_DIRECTORY_PREFIX,
    USER_DIRECTORY_COLUMNS,
  );
  pricesObject(scope, args);
  return { database, metrics };
}

function metricsTable(scope: BuilderScope, database: aws.glue.CatalogDatabase, data: SecureBucket): aws.glue.CatalogTable {
  const day = PARTITION_COLUMN.name;
  return new aws.glue.CatalogTable(
    `${scope.name}-metrics`,
    {
      databaseName: database.name,
      name: TABLE.metrics,
      description: "Claude Code metric records as the collector exported them (EMF), one column per metric; partitioned by arrival day",
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": "SNAPPY",
        "projection.enabled": "true",
        [`projection.${day}.type`]: "date",
        [`projection.${day}.format`]: "yyyy/MM/dd",
        [`projection.${day}.range`]: `${PROJECTION_START},NOW`,
        [`projection.${day}.interval`]: "1",
        [`projection.${day}.interval.unit`]: "DAYS",
        "storage.location.template": pulumi.interpolate`s3://${data.bucketName}/${METRICS_PREFIX}\${${day}}/`,
      },
      partitionKeys: glueColumns([PARTITION_COLUMN]),
      storageDescriptor: {
        location: location(data.bucketName, METRICS_PREFIX),
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: {
          serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
          parameters: { "serialization.format": "1" },
        },
        columns: glueColumns(METRICS_COLUMNS),
      },
    },
    childOpts(scope),
  );
}

function csvTable(
  scope: BuilderScope,
  database: aws.glue.CatalogDatabase,
  role: string,
  table: string,
  description: string,
  bucket: pulumi.Output<string>,
  prefix: string,
  columns: readonly Column[],
): aws.glue.CatalogTable {
  return new aws.glue.CatalogTable(
    `${scope.name}-${role}`,
    {
      databaseName: database.name,
      name: table,
      description,
      tableType: "EXTERNAL_TABLE",
      parameters: { EXTERNAL: "TRUE", classification: "csv", "skip.header.line.count": "1" },
      storageDescriptor: {
        location: location(bucket, prefix),
        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serDeInfo: {
          serializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
          parameters: { "field.delim": ",", "serialization.format": "," },
        },
        columns: glueColumns(columns),
      },
    },
    childOpts(scope),
  );
}

/**
 * The pricing CSV (catalog prices with the overrides, plus one row per alias resolved at deploy time)
 * and, for the price source, the same rows as the JSON row catalog it reprices daily.
 */
function pricesObject(scope: BuilderScope, args: CatalogArgs): aws.s3.BucketObjectv2 {
  const aliases = args.modelAliases ?? [];
  const overrides = args.priceOverrides ? { overrides: args.priceOverrides } : {};
  const rows = pulumi
    .all(aliases.map((a) => pulumi.output(a.id)))
    .apply((ids) => pricingRows({ ...overrides, aliases: Object.fromEntries(ids.map((id, i) => [id, aliases[i]!.baseModelId])) }));
  const object = (
    logical: string,
    key: string,
    content: pulumi.Output<string>,
    contentType: string,
    opts: pulumi.CustomResourceOptions = {},
  ) =>
    new aws.s3.BucketObjectv2(
      `${scope.name}-${logical}`,
      {
        bucket: args.reference.bucketName,
        key,
        content,
        contentType,
        serverSideEncryption: "aws:kms",
        kmsKeyId: args.keyArn,
        bucketKeyEnabled: true,
        tags: scope.tags,
      },
      childOpts(scope, { dependsOn: [args.reference], ...opts }),
    );
  if (args.externalPriceWriter)
    object(
      "price-catalog",
      PRICING_CATALOG_KEY,
      rows.apply((r) => JSON.stringify(r)),
      "application/json",
    );
  // With a price source the deploy-time CSV is only the fallback until its first run: the source
  // rewrites this object daily from the AWS Price List book, and a later `pulumi up` must not put the
  // catalog literals back over the fresh prices (new rows reach it through the row catalog above).
  // The source writes without tags, so the tags are the deploy's too.
  return object(
    "prices",
    PRICING_OBJECT_KEY,
    rows.apply((r) => pricingCsv(r)),
    "text/csv",
    args.externalPriceWriter ? { ignoreChanges: ["content", "tags", "tagsAll"] } : {},
  );
}
