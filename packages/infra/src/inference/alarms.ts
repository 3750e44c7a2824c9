import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import type { AlarmThresholds } from "./args";

interface AlarmSpec {
  readonly period: number;
  readonly threshold: number;
  readonly statistic?: string;
  readonly extendedStatistic?: string;
  readonly evaluationPeriods?: number;
}

export interface BedrockAlarmsInputs {
  readonly namePrefix: string;
  readonly region: string;
  readonly thresholds: AlarmThresholds;
  readonly topicArn: pulumi.Input<string>;
  /** Alarm on failed invocation-log delivery (only when logging is on). */
  readonly logDelivery: boolean;
}

/**
 * Alarms on Bedrock's metrics. Bedrock also publishes each metric without dimensions ("across all model
 * IDs"): one alarm covers every model and profile. Returns the alarm names.
 */
export function buildBedrockAlarms(scope: BuilderScope, args: BedrockAlarmsInputs): pulumi.Output<string>[] {
  const names: pulumi.Output<string>[] = [];
  const alarm = (key: string, metricName: string, description: string, spec: AlarmSpec) => {
    const a = new aws.cloudwatch.MetricAlarm(
      `${scope.name}-${key}`,
      {
        // Explicit names: the stage dashboard and `verify` list alarms by name, known before they exist.
        name: physicalName("alarm", [args.namePrefix, key]),
        alarmDescription: `${args.namePrefix}: ${description}`,
        namespace: "AWS/Bedrock",
        metricName,
        period: spec.period,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        threshold: spec.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        ...(spec.extendedStatistic ? { extendedStatistic: spec.extendedStatistic } : { statistic: spec.statistic ?? "Sum" }),
        treatMissingData: "notBreaching",
        alarmActions: [args.topicArn],
        okActions: [args.topicArn],
        region: args.region,
        tags: scope.tags,
      },
      childOpts(scope),
    );
    names.push(a.name);
  };
  const t = args.thresholds;
  alarm(
    "throttles",
    "InvocationThrottles",
    `Bedrock throttled ≥ ${t.throttlesPer5Min} requests in 5 minutes (raise the TPM quota or spread Regions)`,
    { period: 300, threshold: t.throttlesPer5Min },
  );
  alarm("server-errors", "InvocationServerErrors", `≥ ${t.serverErrorsPer5Min} Bedrock server errors in 5 minutes`, {
    period: 300,
    threshold: t.serverErrorsPer5Min,
  });
  alarm(
    "client-errors",
    "InvocationClientErrors",
    `≥ ${t.clientErrorsPer5Min} Bedrock client errors in 5 minutes (access denied, validation)`,
    { period: 300, threshold: t.clientErrorsPer5Min },
  );
  alarm("latency", "InvocationLatency", `p90 latency ≥ ${t.latencyP90Ms} ms for 15 minutes`, {
    period: 300,
    threshold: t.latencyP90Ms,
    extendedStatistic: "p90",
    evaluationPeriods: 3,
  });
  alarm("invocations", "Invocations", `≥ ${t.invocationsPerHour} invocations in an hour (unexpected load or a runaway client)`, {
    period: 3600,
    threshold: t.invocationsPerHour,
  });
  if (args.logDelivery) {
    alarm(
      "log-delivery",
      "ModelInvocationLogsCloudWatchDeliveryFailure",
      "invocation logs failed to reach CloudWatch Logs (quota metering and audit depend on them)",
      { period: 300, threshold: 1 },
    );
  }
  return names;
}
