import * as aws from "@pulumi/aws";
import type { AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import { customerKey, SecureBucket } from "../storage";
import { alarmTopicKeyStatement } from "../alarm-topic";

export interface TelemetryStoresInputs {
  readonly stage: string;
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  /** Keep Claude Code events in their own log group. */
  readonly events: boolean;
  readonly logRetentionDays: number;
  readonly rawDataExpirationDays: number;
  /** The key also encrypts the component's own alarm topic (CloudWatch alarms publish to it). */
  readonly alarmTopic?: boolean;
}

export interface TelemetryStores {
  readonly key: aws.kms.Key;
  readonly logGroupPrefix: string;
  readonly collectorLogs: aws.cloudwatch.LogGroup;
  readonly metricsLogs: aws.cloudwatch.LogGroup;
  readonly eventsLogs?: aws.cloudwatch.LogGroup;
  readonly raw: SecureBucket;
  /** Another encrypted log group under the stage's telemetry prefix (same key, same retention). */
  readonly logGroup: (role: string, group: string) => aws.cloudwatch.LogGroup;
}

/** The telemetry key, the collector's log groups and the raw OTLP bucket. */
export function buildTelemetryStores(scope: BuilderScope, args: TelemetryStoresInputs): TelemetryStores {
  const { name, tags } = scope;
  const logGroupPrefix = `/${args.namePrefix}/telemetry`;
  // The root statement lets IAM policies in the account grant use (the task role's S3 writes);
  // CloudWatch Logs may use the key only for this stage's groups.
  const key = customerKey(scope.parent, name, args.env, {
    description: `Claude Code telemetry (${args.stage}): log groups and raw OTLP data`,
    alias: `${args.namePrefix}-telemetry`,
    logGroups: `${logGroupPrefix}/*`,
    ...(args.alarmTopic ? { statements: [alarmTopicKeyStatement(args.env)] } : {}),
    tags,
  });
  const logGroup = (role: string, group: string) =>
    new aws.cloudwatch.LogGroup(
      `${name}-${role}`,
      { name: group, retentionInDays: args.logRetentionDays, kmsKeyId: key.arn, tags },
      childOpts(scope),
    );
  const collectorLogs = logGroup("collector-logs", `${logGroupPrefix}/collector`);
  const metricsLogs = logGroup("emf-logs", `${logGroupPrefix}/emf`);
  const eventsLogs = args.events ? logGroup("events-logs", `${logGroupPrefix}/events`) : undefined;
  const raw = new SecureBucket(
    `${name}-raw`,
    { kmsKeyArn: key.arn, expirationDays: args.rawDataExpirationDays, versioning: false, noncurrentExpirationDays: 1, tags },
    { parent: scope.parent },
  );
  return { key, logGroupPrefix, collectorLogs, metricsLogs, ...(eventsLogs ? { eventsLogs } : {}), raw, logGroup };
}
