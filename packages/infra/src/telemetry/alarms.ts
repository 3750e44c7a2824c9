import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment } from "../iam";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import type { TelemetryServiceArgs } from "./args";
import { dashboardBody } from "./dashboard";
import type { LoadBalancer } from "./load-balancer";
import { AGG, AGG_DIM } from "./metrics";

export interface DashboardInputs {
  readonly stage: string;
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  readonly namespaces: { readonly collector: string; readonly aggregates: string };
  readonly dashboard: TelemetryServiceArgs["dashboard"];
  readonly leaderboardSize: number;
  /** The component's own alarms (built first, explicitly named, so their ARNs are known in a preview). */
  readonly ownAlarmArns: readonly pulumi.Input<string>[];
}

/** The stage's CloudWatch dashboard (its body is the pure `dashboardBody`). */
export function buildDashboard(scope: BuilderScope, args: DashboardInputs): pulumi.Output<string> {
  const { env } = args;
  const dashboardName = physicalName("dashboard", [args.namePrefix, "claude-code"]);
  const dashboard = new aws.cloudwatch.Dashboard(
    `${scope.name}-dashboard`,
    {
      dashboardName,
      dashboardBody: pulumi
        .all([
          env.region,
          env.partition,
          env.accountId,
          pulumi.all([...(args.dashboard.alarmNames ?? [])]),
          pulumi.output(args.dashboard.alarmArns ?? []),
          pulumi.all([...args.ownAlarmArns]),
        ])
        .apply(([region, partition, accountId, alarmNames, otherArns, ownArns]) =>
          JSON.stringify(
            dashboardBody({
              stage: args.stage,
              region,
              namespaces: args.namespaces,
              bedrockModelIds: args.dashboard.bedrockModelIds,
              ...(args.dashboard.bedrockAccountId ? { bedrockAccountId: args.dashboard.bedrockAccountId } : {}),
              alarmArns: [
                ...alarmNames.map((n) => `arn:${partition}:cloudwatch:${region}:${args.dashboard.alarmAccountId ?? accountId}:alarm:${n}`),
                ...otherArns,
                ...ownArns,
              ],
              leaderboardSize: args.leaderboardSize,
              ...(args.dashboard.serviceQuotas ? { serviceQuotas: args.dashboard.serviceQuotas } : {}),
            }),
          ),
        ),
    },
    childOpts(scope),
  );
  return dashboard.dashboardName;
}

export interface TelemetryAlarmsInputs {
  readonly stage: string;
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  readonly alarmTopicArn: pulumi.Input<string>;
  readonly aggregatesNamespace: string;
  readonly loadBalancer: LoadBalancer;
}

export interface TelemetryAlarms {
  readonly names: string[];
  /** Built from the explicit names, so they are known before the alarms exist (and under mocks). */
  readonly arns: pulumi.Output<string>[];
}

/** The explicit names of the component's alarms (a stage's alarms are listed by name on its dashboard and by `verify`). */
export function telemetryAlarmNames(namePrefix: string): { noHealthyCollector: string; negativeSavings: string } {
  return {
    noHealthyCollector: physicalName("alarm", [namePrefix, "no-healthy-collector"]),
    negativeSavings: physicalName("alarm", [namePrefix, "negative-cache-savings"]),
  };
}

/** The component's own alarms: no healthy collector (telemetry dropped) and negative prompt-cache savings. */
export function buildTelemetryAlarms(scope: BuilderScope, args: TelemetryAlarmsInputs): TelemetryAlarms {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const names = telemetryAlarmNames(args.namePrefix);
  new aws.cloudwatch.MetricAlarm(
    `${name}-no-healthy-collector`,
    {
      name: names.noHealthyCollector,
      alarmDescription: `No healthy Claude Code collector task (${args.stage}): telemetry is being dropped`,
      namespace: "AWS/ApplicationELB",
      metricName: "HealthyHostCount",
      dimensions: { TargetGroup: args.loadBalancer.targetGroup.arnSuffix, LoadBalancer: args.loadBalancer.alb.arnSuffix },
      statistic: "Minimum",
      period: 60,
      evaluationPeriods: 5,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      alarmActions: [args.alarmTopicArn],
      okActions: [args.alarmTopicArn],
      tags,
    },
    parent,
  );
  new aws.cloudwatch.MetricAlarm(
    `${name}-negative-cache-savings`,
    {
      name: names.negativeSavings,
      alarmDescription: `Prompt caching costs more than it saves for some users (${args.stage}): check cache settings`,
      namespace: args.aggregatesNamespace,
      metricName: AGG.negativeSavingsUsers,
      dimensions: { [AGG_DIM.window]: "1d" },
      statistic: "Maximum",
      period: 3600,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [args.alarmTopicArn],
      tags,
    },
    parent,
  );
  const all = [names.noHealthyCollector, names.negativeSavings];
  const { env } = args;
  return {
    names: all,
    arns: all.map((n) => pulumi.interpolate`arn:${env.partition}:cloudwatch:${env.region}:${env.accountId}:alarm:${n}`),
  };
}
