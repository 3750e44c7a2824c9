import { analytics } from "@ccb/infra";
import type { AnalyticsPart } from "./analytics";
import type { StageContext, StagePart } from "./context";

/**
 * Composes the billed side of analytics: a CUR 2.0 export of the inference account (where Bedrock is
 * billed; a member account's export holds its own costs) into a bucket there, read by the analytics
 * workgroup in the telemetry account through a Glue table and the billing and reconciliation named
 * queries. `undefined` when the stage leaves `analytics.billing` off. Exports of other accounts (the
 * payer's consolidated bill) are a separate step documented in docs/analytics.md.
 */
export function composeBilling(
  ctx: StageContext,
  inputs: { readonly analytics: Pick<AnalyticsPart, "pipeline"> | undefined },
): StagePart | undefined {
  const cfg = ctx.config.analytics.billing;
  if (!cfg.enabled) return undefined;
  const part = inputs.analytics;
  const billingApi = ctx.providers.inferenceBillingApi;
  // The config refuses analytics.billing without analytics.enabled (stacks/config/analytics.ts), and the
  // providers add the us-east-1 one whenever billing is on: nothing to build without them.
  if (!part || !billingApi) return undefined;
  const inference = ctx.config.accounts.inference;
  const telemetry = ctx.config.accounts.telemetry;
  const billing = new analytics.BillingExport(
    `${ctx.config.namePrefix}-billing`,
    {
      namePrefix: ctx.config.namePrefix,
      databaseName: part.pipeline.databaseName,
      workgroupName: part.pipeline.workgroupName,
      retentionDays: cfg.retentionDays,
      exportAccount: { id: inference.id, region: ctx.config.region, bucket: ctx.providers.inference, billingApi },
      ...(ctx.config.decisions.telemetryInInferenceAccount ? {} : { readerAccountId: telemetry.id }),
      activateCostAllocationTags: cfg.activateCostAllocationTags,
      tableConfigurationOverrides: cfg.tableConfigurationOverrides,
      forceDestroy: ctx.config.analytics.forceDestroy,
      tags: { ...ctx.tags, area: "analytics" },
    },
    { providers: { aws: ctx.providers.telemetry } },
  );
  for (const roleName of ctx.config.analytics.analystRoleNames)
    billing.grants.readBilledCost({ roleName, key: `analyst-${roleName.toLowerCase().replace(/[^a-z0-9-]/g, "-")}` });
  return {
    outputs: {
      billingBucket: billing.bucketName,
      billingExportArn: billing.exportArn,
      billingTable: billing.tableName,
    },
  };
}
