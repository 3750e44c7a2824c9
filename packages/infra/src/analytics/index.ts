/**
 * The analytics module: Claude Code usage history for SQL. The collector's EMF lines flow through a
 * CloudWatch Logs subscription into Firehose, which writes Parquet under `metrics/yyyy/MM/dd/`; Glue
 * tables (metrics, pricing, user directory) with partition projection and an Athena workgroup with
 * the named queries answer the seed's questions. See docs/analytics.md.
 */
export { AnalyticsPipeline } from "./analytics-pipeline";
export type { AnalyticsGrants, AnalyticsPipelineArgs, AnalyticsSource } from "./args";
export type { PriceWriter } from "./price-writer";
export { NAMED_QUERIES, namedQuery } from "./queries";
export type { NamedQuerySql } from "./queries";
export { pricingCsv, pricingRows } from "./pricing";
export type { ModelAliases, PriceOverrides, PricingRow } from "./pricing";
export { MIN_BYTES_SCANNED_CUTOFF, validateAnalyticsPipelineArgs } from "./validate";
export * as schema from "./schema";
export * as perms from "./perms";
export { BillingExport, curTableConfigurations, validateBillingExportArgs, EXPORT_PREFIX } from "./billing-export";
export type { BillingExportArgs, BillingGrants } from "./billing-export";
export { BILLING_QUERIES } from "./billing-queries";
export * as billingSchema from "./billing-schema";
