/**
 * The metrics the quota aggregation publishes about each run (namespace `QUOTA_METRICS_NAMESPACE`,
 * one dimension `Stage`), and the QuotaService component's alarms watch. A name changed on one side
 * only would leave an alarm watching nothing (and `UsersEvaluated` alarms on missing data).
 */
export const QUOTA_METRICS = {
  usersEvaluated: "UsersEvaluated",
  alertsSent: "AlertsSent",
  blockedUsers: "BlockedUsers",
  blockPolicyOverflowUsers: "BlockPolicyOverflowUsers",
  usersWithUsageDrift: "UsersWithUsageDrift",
  usageDriftTokens: "UsageDriftTokens",
  telemetryTokens: "TelemetryTokens",
  invocationLogTokens: "InvocationLogTokens",
  unpricedTokens: "UnpricedTokens",
  unattributedInvocations: "UnattributedInvocations",
  unknownSessionUsers: "UnknownSessionUsers",
  sourceErrors: "SourceErrors",
  /** Price source (daily): models in use the AWS Price List has no price for; they keep the catalog price. */
  modelsWithoutListPrice: "ModelsWithoutListPrice",
  /** Reconciliation (daily): the largest |drift| in percent between estimate and bill of any developer or team and day. */
  billedDriftPercentMax: "BilledDriftPercentMax",
} as const;
export type QuotaMetricName = (typeof QUOTA_METRICS)[keyof typeof QUOTA_METRICS];

/** The dimension every quota metric carries, valued with the stage name. */
export const QUOTA_METRIC_STAGE_DIMENSION = "Stage";
