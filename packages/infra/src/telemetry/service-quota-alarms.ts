import { SERVICE_QUOTA_METRIC } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import {
  BEDROCK_NAMESPACE,
  percentOfQuota,
  QUOTA_PERIOD_SECONDS,
  QUOTA_USAGE,
  quotaDimensions,
  type QuotaSeries,
} from "./service-quota-metrics";

export interface QuotaAlarmsInputs {
  readonly namePrefix: string;
  readonly namespace: string;
  readonly series: readonly QuotaSeries[];
  readonly thresholdPercent: number;
  readonly topicArn: pulumi.Input<string>;
}

const KIND_WORDS = { tokens: "tokens per minute", requests: "requests per minute" } as const;

/**
 * One alarm per model and kind: Bedrock's usage in a minute as a percentage of the published quota, above
 * the threshold in 3 of 5 minutes (a single burst is normal; a sustained approach to the wall is not).
 * Returns the alarm names.
 */
export function buildQuotaAlarms(scope: BuilderScope, args: QuotaAlarmsInputs): pulumi.Output<string>[] {
  return args.series.map((s) => {
    const usage = QUOTA_USAGE[s.kind];
    const key = `quota-${s.role}-${s.kind}`;
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${scope.name}-${key}`,
      {
        // Explicit names: the dashboard and `verify` list alarms by name, known before they exist.
        name: physicalName("alarm", [args.namePrefix, key]),
        alarmDescription:
          `${args.namePrefix}: ${s.role} model ${s.modelId} uses over ${args.thresholdPercent} % of its Bedrock ${KIND_WORDS[s.kind]} quota. ` +
          "Request a quota increase (Service Quotas → Amazon Bedrock) before developers are throttled; see docs/operating.md.",
        comparisonOperator: "GreaterThanThreshold",
        threshold: args.thresholdPercent,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
        metricQueries: [
          {
            id: "usage",
            returnData: false,
            metric: {
              namespace: BEDROCK_NAMESPACE,
              metricName: usage.metricName,
              dimensions: { ModelId: s.modelId },
              period: QUOTA_PERIOD_SECONDS,
              stat: usage.stat,
            },
          },
          {
            id: "quota",
            returnData: false,
            metric: {
              namespace: args.namespace,
              metricName: SERVICE_QUOTA_METRIC.name,
              dimensions: quotaDimensions(s),
              period: QUOTA_PERIOD_SECONDS,
              stat: "Maximum",
            },
          },
          { id: "percent", expression: percentOfQuota("usage", "quota"), label: `% of ${KIND_WORDS[s.kind]} quota`, returnData: true },
        ],
        alarmActions: [args.topicArn],
        okActions: [args.topicArn],
        tags: scope.tags,
      },
      childOpts(scope),
    );
    return alarm.name;
  });
}
