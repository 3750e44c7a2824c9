import type * as pulumi from "@pulumi/pulumi";
import type { Grant, Grantee } from "../iam";
import type { PriceWriter } from "./price-writer";
import type { PriceOverrides } from "./pricing";

/** Where the EMF lines come from. */
export type AnalyticsSource =
  /** The collector's existing EMF log group (the telemetry module's metrics log group): subscribe to it. */
  | { readonly logGroupName: pulumi.Input<string>; readonly logGroupArn: pulumi.Input<string> }
  /** Create a dedicated log group the collector's `awsemf` exporter writes to (see `grants.writeMetricEvents`). */
  | { readonly createLogGroup: { readonly retentionDays: number } };

export interface AnalyticsPipelineArgs {
  /** Prefix of physical names (`ccb-prod`): database `ccb_prod_analytics`, workgroup `ccb-prod-analytics`. */
  readonly namePrefix: string;
  readonly source: AnalyticsSource;
  /** Days Parquet data is kept. Chargeback and year-over-year need more than a year. */
  readonly dataRetentionDays: number;
  /** Days Athena query results are kept. @default 30 */
  readonly resultsRetentionDays?: number;
  /**
   * Athena stops a query that scans more than this many bytes. @default 10 GiB — the whole data set
   * of a few thousand developers for a year is a few GB of Parquet; a query that scans more is a
   * mistake (a missing `dt` predicate on years of data).
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Firehose buffer interval: latency against object count. @default 300 */
  readonly bufferIntervalSeconds?: number;
  /** Retention of Firehose's delivery error log. @default 30 */
  readonly deliveryLogRetentionDays?: number;
  /** Negotiated or changed prices (USD per million tokens) per base model id. */
  readonly priceOverrides?: PriceOverrides;
  /**
   * Model ids Claude Code may report that the catalog does not list, priced as a known base model:
   * application inference profile ARNs of the stage's teams.
   */
  readonly modelAliases?: ReadonlyArray<{ readonly id: pulumi.Input<string>; readonly baseModelId: string }>;
  /**
   * The daily price source rewrites the pricing CSV from the AWS Price List book: `pulumi up` then
   * writes the CSV once as the fallback and leaves later rewrites alone; a writer in another account is
   * granted the pricing prefix by the reference bucket's and the key's policies.
   */
  readonly priceWriter?: PriceWriter;
  /** Let `pulumi destroy` delete non-empty buckets and the workgroup's history. @default false */
  readonly forceDestroy?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface AnalyticsGrants {
  /** Analysts and BI tools: run the named (and ad-hoc) queries in the workgroup and read the results. */
  runQueries(grantee: Grantee): Grant;
  /** The collector's task role: write EMF lines to the pipeline's own log group (only with `source.createLogGroup`). */
  writeMetricEvents(grantee: Grantee): Grant;
  /** A directory sync job: replace the user directory CSV under `user-directory/`. */
  uploadUserDirectory(grantee: Grantee): Grant;
}
