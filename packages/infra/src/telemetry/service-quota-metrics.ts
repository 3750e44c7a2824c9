/**
 * What the Bedrock service-quota alarms and the dashboard's "Service quotas" section divide: Bedrock's own
 * per-minute usage by the quota the publisher Lambda puts beside it. One definition for both, so the
 * widget shows exactly what the alarm evaluates.
 */
import { SERVICE_QUOTA_METRIC, type ServiceQuotaKind } from "@ccb/contracts";

/** Bedrock's usage per minute: estimated quota tokens (what the TPM quota counts) and accepted requests. */
export const QUOTA_USAGE: Readonly<Record<ServiceQuotaKind, { readonly metricName: string; readonly stat: "Sum" }>> = {
  tokens: { metricName: "EstimatedTPMQuotaUsage", stat: "Sum" },
  requests: { metricName: "Invocations", stat: "Sum" },
};
export const BEDROCK_NAMESPACE = "AWS/Bedrock";
/** The quotas are per minute; so are usage and the evaluation. */
export const QUOTA_PERIOD_SECONDS = 60;

/**
 * Usage as a percentage of the quota. The quota is published once a minute; FILL(…, REPEAT) carries the
 * last value over a minute the publisher missed, so one late run does not blank the alarm.
 */
export function percentOfQuota(usageId: string, quotaId: string): string {
  return `100 * ${usageId} / FILL(${quotaId}, REPEAT)`;
}

export interface QuotaSeries {
  /** Bedrock's `ModelId` dimension (the profile id for a cross-Region profile). */
  readonly modelId: string;
  readonly kind: ServiceQuotaKind;
  /** The model's role in the stage (`primary`, `fast`), for labels and alarm names. */
  readonly role: string;
}

/** What the dashboard needs to draw the section. */
export interface ServiceQuotaDashboard {
  readonly namespace: string;
  readonly series: readonly QuotaSeries[];
  readonly thresholdPercent: number;
}

export const quotaDimensions = (s: QuotaSeries) => ({
  [SERVICE_QUOTA_METRIC.modelDimension]: s.modelId,
  [SERVICE_QUOTA_METRIC.kindDimension]: s.kind,
});
