import type * as pulumi from "@pulumi/pulumi";
import { analytics } from "@ccb/infra";
import type { StageContext, StagePart } from "./context";

/**
 * What analytics reads from the telemetry part, when telemetry provides it: the collector's EMF log
 * group (every Claude Code data point with the identity from the validated token) and the collector's
 * task role. Structural, so the two areas do not import each other.
 */
export interface TelemetryForAnalytics {
  readonly metricsLogGroup?: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  readonly collectorTaskRole?: { readonly name: pulumi.Input<string> };
}

/** What analytics reads from the areas composed before it. */
export interface AnalyticsInputs {
  readonly telemetry: TelemetryForAnalytics | undefined;
  /**
   * The quota price function's role (composed later), when the stage runs the price source: it rewrites
   * the pricing table's CSV, and in a multi-account stage the reference bucket and key name it.
   */
  readonly priceWriterRoleArn?: pulumi.Output<string>;
}

/** What the analytics area hands to the areas composed after it. */
export interface AnalyticsPart extends StagePart {
  readonly pipeline: analytics.AnalyticsPipeline;
}

/**
 * Composes the analytics area for a stage; `undefined` when the stage leaves it off.
 *
 * The source of records is the collector's EMF export: the pipeline subscribes to the telemetry
 * area's metrics log group when telemetry provides one, so nothing in the collector changes and the
 * analytics rows carry exactly the identity the dashboard and quotas see. Without it the pipeline
 * creates its own EMF log group and grants the collector's task role (when known) writes to it; the
 * collector then needs a second `awsemf` exporter pointed at that group (see docs/analytics.md).
 * A CloudWatch metric stream was not chosen: it carries only published metrics and dimensions, so
 * per-user rows would require per-user custom metrics (billed per metric) and lose session, language
 * and decision attributes.
 */
export function composeAnalytics(ctx: StageContext, inputs: AnalyticsInputs): AnalyticsPart | undefined {
  const cfg = ctx.config.analytics;
  if (!cfg.enabled) return undefined;
  const { telemetry } = inputs;
  const source: analytics.AnalyticsSource = telemetry?.metricsLogGroup
    ? { logGroupName: telemetry.metricsLogGroup.name, logGroupArn: telemetry.metricsLogGroup.arn }
    : { createLogGroup: { retentionDays: cfg.emfLogRetentionDays } };
  const pipeline = new analytics.AnalyticsPipeline(
    `${ctx.config.namePrefix}-analytics`,
    {
      namePrefix: ctx.config.namePrefix,
      source,
      dataRetentionDays: cfg.dataRetentionDays,
      resultsRetentionDays: cfg.resultsRetentionDays,
      bytesScannedCutoffPerQuery: cfg.bytesScannedCutoffGiB * 1024 ** 3,
      bufferIntervalSeconds: cfg.bufferIntervalSeconds,
      priceOverrides: cfg.priceOverrides,
      modelAliases: ctx.modelAliases,
      ...priceWriterOf(ctx, inputs.priceWriterRoleArn),
      forceDestroy: cfg.forceDestroy,
      permissionsBoundaryArn: ctx.workloadBoundaryArns[ctx.config.accounts.telemetry.id],
      tags: { ...ctx.tags, area: "analytics" },
    },
    { providers: { aws: ctx.providers.telemetry } },
  );
  if ("createLogGroup" in source && telemetry?.collectorTaskRole)
    pipeline.grants.writeMetricEvents({ roleName: telemetry.collectorTaskRole.name, key: "collector" });
  for (const roleName of cfg.analystRoleNames)
    pipeline.grants.runQueries({ roleName, key: `analyst-${roleName.toLowerCase().replace(/[^a-z0-9-]/g, "-")}` });
  return {
    pipeline,
    outputs: {
      analyticsWorkgroup: pipeline.workgroupName,
      analyticsDatabase: pipeline.databaseName,
      analyticsDataBucket: pipeline.dataBucketName,
      analyticsReferenceBucket: pipeline.referenceBucketName,
      analyticsResultsBucket: pipeline.resultsBucketName,
      analyticsDeliveryStream: pipeline.deliveryStreamName,
      analyticsSourceLogGroup: pipeline.sourceLogGroupName,
    },
  };
}

/** The price source as the pipeline's pricing writer, granted across accounts where it runs elsewhere. */
function priceWriterOf(
  ctx: StageContext,
  roleArn: pulumi.Output<string> | undefined,
): Pick<analytics.AnalyticsPipelineArgs, "priceWriter"> {
  const stage = ctx.config;
  if (!stage.decisions.priceSource || !roleArn) return {};
  if (stage.decisions.telemetryInInferenceAccount) return { priceWriter: {} };
  return {
    priceWriter: {
      crossAccount: {
        roleArn,
        accountId: stage.accounts.inference.id,
        ...(stage.organizationId ? { organizationId: stage.organizationId } : {}),
      },
    },
  };
}
