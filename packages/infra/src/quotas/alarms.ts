import { QUOTA_METRIC_STAGE_DIMENSION, QUOTA_METRICS, QUOTA_METRICS_NAMESPACE, type QuotaMetricName } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";
import type { QuotaServiceArgs } from "./args";

export type AlarmSpec = Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "alarmDescription">;

export interface AlarmInputs {
  readonly aggregateFunction: aws.lambda.Function;
  readonly api: aws.apigatewayv2.Api;
}

/** The physical name of one of the service's alarms (`ccb-prod-quotas-stale-alarm`). */
export function quotaAlarmName(namePrefix: string, key: string): string {
  return physicalName("alarm", [namePrefix, "quotas", key]);
}

/** The service's metric in the quota namespace, for this stage. */
export const ownMetric = (args: Pick<QuotaServiceArgs, "stage">, metricName: QuotaMetricName) => ({
  namespace: QUOTA_METRICS_NAMESPACE,
  metricName,
  dimensions: { [QUOTA_METRIC_STAGE_DIMENSION]: args.stage },
  period: 900,
});

/**
 * One alarm of the service, notifying on alarm and OK. `where` puts it in another account of the stage
 * (its provider and a topic there): an alarm action must be a topic in the alarm's own account.
 */
export function quotaAlarm(
  scope: BuilderScope,
  args: Pick<QuotaServiceArgs, "namePrefix" | "alarmTopicArn">,
  alarm: { readonly key: string; readonly description: string; readonly spec: AlarmSpec },
  where?: { readonly provider: pulumi.ProviderResource; readonly alarmTopicArn: pulumi.Input<string> },
): aws.cloudwatch.MetricAlarm {
  const topic = where ? where.alarmTopicArn : args.alarmTopicArn;
  return new aws.cloudwatch.MetricAlarm(
    `${scope.name}-${alarm.key}`,
    {
      ...alarm.spec,
      // Explicit names: the stage dashboard lists the alarms by ARN, known before they exist.
      name: quotaAlarmName(args.namePrefix, alarm.key),
      alarmDescription: alarm.description,
      alarmActions: [topic],
      okActions: [topic],
      tags: scope.tags,
    },
    childOpts(scope, where ? { provider: where.provider } : {}),
  );
}

/** Alarms on the service's own metrics and on its function and API; every one notifies on alarm and OK. */
export function buildAlarms(scope: BuilderScope, args: QuotaServiceArgs, inputs: AlarmInputs): aws.cloudwatch.MetricAlarm[] {
  const alarms: aws.cloudwatch.MetricAlarm[] = [];
  const alarm = (key: string, description: string, spec: AlarmSpec) => {
    alarms.push(quotaAlarm(scope, args, { key, description, spec }));
  };
  const own = (metricName: QuotaMetricName) => ownMetric(args, metricName);
  const anyAtAll = {
    statistic: "Maximum",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  } as const;
  if (args.sources.telemetry && args.sources.invocationLogs) {
    alarm(
      "drift-alarm",
      `Client telemetry and Bedrock invocation logs disagree by more than ${args.drift.thresholdPercent}% for at least one user: a stopped, misconfigured or tampered client. See the aggregation logs ("usage records disagree").`,
      {
        ...own(QUOTA_METRICS.usersWithUsageDrift),
        ...anyAtAll,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      },
    );
  }
  if (args.priceSource) {
    alarm(
      "unpriced-model-alarm",
      `A model the stage uses has no complete on-demand price in the AWS Price List for ${args.priceSource.region} (or the Price List could not be read): its usage is costed at the catalog price. See the price function's logs ("without a list price") and add a price override if the model is new.`,
      {
        ...own(QUOTA_METRICS.modelsWithoutListPrice),
        period: 86_400,
        ...anyAtAll,
      },
    );
  }
  if (args.sources.invocationLogs) {
    // The role session name is chosen by whoever calls AssumeRoleWithWebIdentity: a session renamed
    // away from the email (the helper always uses the email) is usage the quotas cannot charge anyone.
    alarm(
      "unattributed-alarm",
      'Bedrock invocation logs show calls through the developers\' role under a session name that is not an email: credentials minted outside the helper with a chosen session name, not metered for any user. See the aggregation logs ("session name that is not an email") and CloudTrail AssumeRoleWithWebIdentity events for the session.',
      {
        ...own(QUOTA_METRICS.unattributedInvocations),
        ...anyAtAll,
      },
    );
    alarm(
      "unknown-sessions-alarm",
      'Bedrock invocation logs charge usage to session names (emails) of users who never asked the quota check API: sessions minted outside the helper under an invented email. See the aggregation logs ("users who never asked the check API").',
      {
        ...own(QUOTA_METRICS.unknownSessionUsers),
        ...anyAtAll,
      },
    );
  }
  alarm("stale-alarm", "The quota aggregation has not completed for 45 minutes: usage, alerts and blocks are stale.", {
    ...own(QUOTA_METRICS.usersEvaluated),
    statistic: "SampleCount",
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "breaching",
  });
  alarm("errors-alarm", "The quota aggregation failed twice in a row (a usage source or DynamoDB); it resumes from its watermark.", {
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: inputs.aggregateFunction.name },
    period: 900,
    statistic: "Sum",
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
  });
  if (args.block) {
    alarm(
      "block-overflow-alarm",
      "More users are blocked than the deny policies hold; raise quotas.enforcement.blockPolicyCount. They are still refused new credentials by the check API.",
      {
        ...own(QUOTA_METRICS.blockPolicyOverflowUsers),
        ...anyAtAll,
      },
    );
  }
  alarm("api-errors-alarm", "The quota check API answers 5xx: helpers fall back to their fail mode (open or closed).", {
    namespace: "AWS/ApiGateway",
    metricName: "5xx",
    dimensions: { ApiId: inputs.api.id, Stage: "$default" },
    period: 300,
    statistic: "Sum",
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 5,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  });
  return alarms;
}
