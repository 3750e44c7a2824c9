import type * as pulumi from "@pulumi/pulumi";
import type { Grant, Grantee } from "../iam";
import { ACCOUNT_ID, CUR_TABLE_CONFIGURATION } from "../naming/patterns";
import { CUR_TABLE_NAME } from "./billing-schema";

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
