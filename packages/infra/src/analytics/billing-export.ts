import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, arn, awsEnvironment, grant, type Grant, type Grantee } from "../iam";
import { SecureBucket } from "../storage";
import { BILLING_QUERIES } from "./billing-queries";
import { BILLING_TABLE, COST_TAG_KEYS, CUR_COLUMNS, CUR_PARTITION, CUR_TABLE_NAME, curQueryStatement } from "./billing-schema";
import * as perms from "./perms";
import type { Column } from "./schema";
import { ACCOUNT_ID, CUR_TABLE_CONFIGURATION } from "../naming/patterns";

export interface BillingExportArgs {
  /** Prefix of physical names (`ccb-prod`): export `ccb-prod-bedrock-cur`. */
  readonly namePrefix: string;
  /** Glue database and Athena workgroup of the analytics pipeline: the `cur` table and the billing queries go there. */
  readonly databaseName: pulumi.Input<string>;
  readonly workgroupName: pulumi.Input<string>;
  /** Days CUR files are kept (chargeback disputes and audits look back more than a year). */
  readonly retentionDays: number;
  /**
   * The account whose costs are exported (the inference account: its Bedrock spend) and its providers:
   * `bucket` in the stage's Region for the CUR bucket, `billingApi` in us-east-1 (Data Exports and Cost
   * Explorer are served from there only). A member account's export holds that account's costs; the
   * Glue table and the queries use the component's own provider (the analytics account), which reads
   * the bucket across accounts through the bucket policy.
   */
  readonly exportAccount: {
    readonly id: string;
    readonly region: string;
    readonly bucket: pulumi.ProviderResource;
    readonly billingApi: pulumi.ProviderResource;
  };
  /** Account of the analytics catalog and its analysts, when it is not the export account: may read the CUR files. */
  readonly readerAccountId?: string;
  /**
   * Activate `team`, `cost-center` and `department` as cost allocation tags. Only the management
   * (payer) account of an organisation may change cost allocation tag status; in a member account
   * the call fails, so a member-account stage leaves this off and the payer activates them once.
   */
  readonly activateCostAllocationTags: boolean;
  /** Extra or changed CUR 2.0 table configurations (e.g. a newer AWS property), merged over the defaults. */
  readonly tableConfigurationOverrides?: Readonly<Record<string, string>>;
  readonly forceDestroy?: boolean;
  readonly tags?: Record<string, string>;
}

export interface BillingGrants {
  /** Read the CUR files and the `cur` table (add to analysts who already have the pipeline's runQueries). */
  readBilledCost(grantee: Grantee): Grant;
}

export const EXPORT_PREFIX = "cur2";

/**
 * The CUR 2.0 table configuration that fills `line_item_iam_principal` (the caller of each Bedrock
 * call: the developer's assumed-role session). AWS Billing documents that the column is filled only
 * "when you enable IAM principal data in CUR 2.0" (console: "Include caller identity (IAM principal)
 * allocation data"); without it the per-developer queries see no principal at all. Check the name
 * against `aws bcm-data-exports get-table --table-name COST_AND_USAGE_REPORT` (its table properties)
 * and correct it with `tableConfigurationOverrides` if AWS names it differently.
 */
export const CUR_CALLER_IDENTITY_CONFIGURATION = "INCLUDE_CALLER_IDENTITY";

/**
 * CUR 2.0 table configurations: daily line items with resource ids (the application inference profile
 * and its tags) and the IAM principal of each call.
 */
export function curTableConfigurations(accountId: string, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    TIME_GRANULARITY: "DAILY",
    INCLUDE_RESOURCES: "TRUE",
    [CUR_CALLER_IDENTITY_CONFIGURATION]: "TRUE",
    INCLUDE_SPLIT_COST_ALLOCATION_DATA: "FALSE",
    INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: "FALSE",
    // Data Exports requires the billing view for CUR 2.0; `primary` is the account's own bill.
    BILLING_VIEW_ARN: `arn:aws:billing::${accountId}:billingview/primary`,
    ...overrides,
  };
}

export function validateBillingExportArgs(a: BillingExportArgs): string[] {
  const p: string[] = [];
  if (!ACCOUNT_ID.test(a.exportAccount.id)) p.push("`exportAccount.id` must be a 12-digit account id");
  if (a.readerAccountId !== undefined && !ACCOUNT_ID.test(a.readerAccountId)) p.push("`readerAccountId` must be a 12-digit account id");
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(a.namePrefix)) p.push("`namePrefix` must be lower-case letters, digits and dashes");
  if (!Number.isInteger(a.retentionDays) || a.retentionDays < 400)
    p.push("`retentionDays` must be a whole number ≥ 400: a chargeback is disputed after the year closes");
  for (const k of Object.keys(a.tableConfigurationOverrides ?? {}))
    if (!CUR_TABLE_CONFIGURATION.test(k))
      p.push(
        `\`tableConfigurationOverrides.${k}\` is not a CUR 2.0 table configuration name (UPPER_SNAKE_CASE, see aws bcm-data-exports get-table --table-name ${CUR_TABLE_NAME})`,
      );
  return p;
}

const glueColumns = (cols: readonly Column[]) => cols.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));

/**
 * The billed side of Bedrock cost: a CUR 2.0 data export (Parquet, daily, resource ids and IAM
 * principal) into an SSE encrypted, TLS-only bucket with lifecycle, a Glue table over it with partition
 * projection on `billing_period`, the billing and reconciliation named queries in the analytics
 * workgroup, and (payer account only) the cost allocation tags the queries group by.
 *
 * The export covers the costs of the account it is created in: in a member account its own costs,
 * in the management account every member's. Put it in the inference account (its Bedrock spend) or
 * in the payer with a separate small stack (see docs/analytics.md).
 */
export class BillingExport extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly exportArn: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly namedQueryIds: Record<string, pulumi.Output<string>> = {};
  readonly grants: BillingGrants;

  constructor(name: string, args: BillingExportArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:analytics:BillingExport", name, {}, opts);
    const problems = validateBillingExportArgs(args);
    if (problems.length) throw new Error(`BillingExport ${name}: ${problems.join("; ")}`);
    const parent = { parent: this };
    const billing = { parent: this, provider: args.exportAccount.billingApi };
    const account = args.exportAccount.id;
    const env = awsEnvironment(this);
    const tags = args.tags ?? {};
    const exportName = `${args.namePrefix}-bedrock-cur`;

    const readers = args.readerAccountId && args.readerAccountId !== account ? [args.readerAccountId] : [];
    const bucket = new SecureBucket(
      `${name}-bucket`,
      {
        // SSE-S3: Data Exports writes as the service; SSE-KMS would need the key policy to trust it too.
        expirationDays: args.retentionDays,
        ...(args.forceDestroy ? { forceDestroy: true } : {}),
        tags,
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
      { parent: this, provider: args.exportAccount.bucket },
    );

    const exp = new aws.bcmdata.Export(
      `${name}-export`,
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
        tags,
      },
      { ...billing, dependsOn: [bucket] },
    );

    if (args.activateCostAllocationTags) {
      for (const key of COST_TAG_KEYS)
        new aws.costexplorer.CostAllocationTag(`${name}-tag-${key}`, { tagKey: key, status: "Active" }, billing);
    }

    // Data Exports writes <prefix>/<export name>/data/BILLING_PERIOD=yyyy-MM/*.parquet.
    const dataPrefix = pulumi.interpolate`s3://${bucket.bucketName}/${EXPORT_PREFIX}/${exportName}/data/`;
    const table = new aws.glue.CatalogTable(
      `${name}-table`,
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
      parent,
    );

    for (const q of BILLING_QUERIES) {
      const nq = new aws.athena.NamedQuery(
        `${name}-query-${q.key}`,
        { name: q.name, description: q.description, database: args.databaseName, workgroup: args.workgroupName, query: q.sql },
        { parent: this, dependsOn: [table] },
      );
      this.namedQueryIds[q.key] = nq.id;
    }

    this.grants = {
      readBilledCost: (grantee) =>
        grant(this, name, "read-billed-cost", grantee, [
          allow(perms.DATA_READ_BUCKET_ACTIONS, [bucket.arn], { sid: "ListCur" }),
          allow(perms.DATA_READ_OBJECT_ACTIONS, [pulumi.interpolate`${bucket.arn}/${EXPORT_PREFIX}/*`], { sid: "ReadCur" }),
        ]),
    };
    this.bucketName = bucket.bucketName;
    this.exportArn = exp.arn;
    this.tableName = table.name;
    this.registerOutputs({
      bucketName: this.bucketName,
      exportArn: this.exportArn,
      tableName: this.tableName,
      namedQueryIds: this.namedQueryIds,
    });
  }
}
