import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, awsEnvironment, type AwsEnvironment, denyInsecureTransport, grant, type Grant, type Grantee, policyDocument, renderPolicy, serviceTrustStatement } from "../iam";
import { physicalName, validateTags } from "../naming";
import { customerKey, SecureBucket } from "../storage";
import { modelAccessStatements, TEAM_TAG_KEY } from "./model-access";
import { type CrossRegionPrefix, findModel, profileId, validateGeography } from "./models";
import { LOG_DELIVERY_ACTIONS } from "./perms";
import { TEAM_NAME } from "../naming/patterns";

export type ModelRole = "primary" | "fast" | "opus";

/** Key prefix of invocation payloads too large for CloudWatch Logs (kept apart from the log records). */
const LARGE_DATA_PREFIX = "large-data";

export interface TeamArgs {
  readonly name: string;
  readonly costCenter: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface AlarmThresholds {
  readonly throttlesPer5Min: number;
  readonly serverErrorsPer5Min: number;
  readonly clientErrorsPer5Min: number;
  readonly latencyP90Ms: number;
  readonly invocationsPerHour: number;
}

export interface InferenceAccountArgs {
  /** Prefix of physical names (`ccb-pilot`). */
  readonly namePrefix: string;
  /** Source Region of Bedrock calls (where profiles and logs live). */
  readonly region: string;
  readonly models: Readonly<Partial<Record<ModelRole, string>>> & { readonly primary: string; readonly fast: string };
  readonly crossRegion: CrossRegionPrefix | "none";
  /** One application inference profile per team and model role, tagged for cost allocation. */
  readonly teams: readonly TeamArgs[];
  readonly invocationLogging: { readonly enabled: boolean; readonly logRetentionDays: number; readonly s3ExpirationDays: number };
  readonly alarms: AlarmThresholds & { readonly emails: readonly string[] };
  /** Deny Bedrock API keys to everyone granted model access. */
  readonly denyBedrockApiKeys: boolean;
  /**
   * A team's profiles may be invoked only by sessions tagged `team=<that team>` (`aws:PrincipalTag/team`,
   * sent by the IdP as a session tag). Needs at least one team. Default false: every team's profiles.
   */
  readonly restrictTeamProfiles?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export function validateInferenceAccountArgs(args: InferenceAccountArgs): string[] {
  const problems: string[] = [];
  for (const [role, id] of Object.entries(args.models)) {
    const model = id ? findModel(id) : undefined;
    if (!model) problems.push(`\`models.${role}\` "${id}" is not a known Claude model id`);
    else if (args.crossRegion !== "none" && !model.prefixes.includes(args.crossRegion)) problems.push(`\`models.${role}\` ${id} has no ${args.crossRegion}. profile`);
  }
  problems.push(...validateGeography(args.region, args.crossRegion).map((p) => `\`crossRegion\`: ${p}`));
  const names = args.teams.map((t) => t.name);
  names.forEach((n, i) => {
    if (!TEAM_NAME.test(n)) problems.push(`\`teams[${i}].name\` "${n}" must be 2–31 lower-case letters, digits, dashes`);
    if (names.indexOf(n) !== i) problems.push(`\`teams[${i}].name\` "${n}" is repeated`);
  });
  if (args.restrictTeamProfiles && args.teams.length === 0) problems.push("`restrictTeamProfiles` needs at least one team in `teams` (it restricts team profiles)");
  for (const t of args.teams) problems.push(...validateTags({ [TEAM_TAG_KEY]: t.name, "cost-center": t.costCenter, ...(t.tags ?? {}) }).map((p) => `team ${t.name}: ${p}`));
  return problems;
}

/**
 * The dedicated inference account: a customer managed key, the alarm topic, Bedrock model invocation
 * logging (S3 + CloudWatch Logs, metadata only by default), application inference profiles per team
 * with cost-allocation tags, CloudWatch alarms on Bedrock's metrics, and the model-access grant.
 */
export class InferenceAccount extends pulumi.ComponentResource {
  readonly env: AwsEnvironment;
  readonly key: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  /** Team → model role → application inference profile ARN. */
  readonly teamProfiles: Record<string, Partial<Record<ModelRole, pulumi.Output<string>>>>;
  readonly invocationLogs?: {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly logGroupArn: pulumi.Output<string>;
  };
  readonly alarmNames: pulumi.Output<string>[] = [];
  readonly grants: { invokeModels(grantee: Grantee): Grant };
  private readonly args: InferenceAccountArgs;

  constructor(name: string, args: InferenceAccountArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:inference:InferenceAccount", name, {}, opts);
    const problems = validateInferenceAccountArgs(args);
    if (problems.length) throw new Error(`InferenceAccount ${name}: ${problems.join("; ")}`);
    this.args = args;
    const parent = { parent: this };
    const env = (this.env = awsEnvironment(this));
    const tags = { ...(args.tags ?? {}) };

    // ---- Key ------------------------------------------------------------------------------------
    const sourceAccount = { StringEquals: { "aws:SourceAccount": env.accountId } };
    this.key = customerKey(this, name, env, {
      description: `${args.namePrefix}: invocation logs, alarm topic`,
      alias: `${args.namePrefix}-inference`,
      logGroups: "*",
      statements: [
        allow(["kms:Decrypt", "kms:GenerateDataKey"], ["*"], { sid: "AlarmsPublishToEncryptedTopic", principal: { Service: "cloudwatch.amazonaws.com" }, conditions: sourceAccount }),
        allow(["kms:Decrypt", "kms:GenerateDataKey"], ["*"], { sid: "BedrockWritesLogs", principal: { Service: "bedrock.amazonaws.com" }, conditions: sourceAccount }),
      ],
      tags,
    });
    this.keyArn = this.key.arn;

    // ---- Alarm topic ----------------------------------------------------------------------------
    const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: this.key.arn, tags }, parent);
    new aws.sns.TopicPolicy(`${name}-alarms-policy`, {
      arn: topic.arn,
      policy: renderPolicy(policyDocument(
        allow(["sns:Publish"], [topic.arn], { sid: "CloudWatchAlarmsPublish", principal: { Service: "cloudwatch.amazonaws.com" }, conditions: sourceAccount }),
        denyInsecureTransport("sns", [topic.arn]),
      )),
    }, parent);
    args.alarms.emails.forEach((email, i) => {
      new aws.sns.TopicSubscription(`${name}-alarms-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, parent);
    });
    this.alarmTopicArn = topic.arn;

    // ---- Team inference profiles ----------------------------------------------------------------
    this.teamProfiles = {};
    const roles = (Object.keys(args.models) as ModelRole[]).filter((r) => args.models[r]);
    for (const team of args.teams) {
      this.teamProfiles[team.name] = {};
      for (const role of roles) {
        const model = args.models[role]!;
        const source = args.crossRegion === "none"
          ? pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}::foundation-model/${model}`
          : pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}:${env.accountId}:inference-profile/${profileId(model, args.crossRegion)}`;
        const profile = new aws.bedrock.InferenceProfile(`${name}-${team.name}-${role}`, {
          name: physicalName("inferenceProfile", [args.namePrefix, team.name, role]),
          description: `Claude Code ${role} model for team ${team.name}`,
          modelSource: { copyFrom: source },
          region: args.region,
          tags: { ...tags, ...(team.tags ?? {}), [TEAM_TAG_KEY]: team.name, "cost-center": team.costCenter, "model-role": role },
        }, parent);
        this.teamProfiles[team.name]![role] = profile.arn;
      }
    }

    // ---- Model invocation logging ---------------------------------------------------------------
    if (args.invocationLogging.enabled) {
      const bucket = new SecureBucket(`${name}-invocation-logs`, {
        kmsKeyArn: this.key.arn,
        expirationDays: args.invocationLogging.s3ExpirationDays,
        policyStatements: (arn) => [
          // Records under AWSLogs/…, payloads too large for CloudWatch Logs under large-data/AWSLogs/….
          allow(["s3:PutObject"], [
            pulumi.interpolate`${arn}/AWSLogs/${env.accountId}/BedrockModelInvocationLogs/*`,
            pulumi.interpolate`${arn}/${LARGE_DATA_PREFIX}/AWSLogs/${env.accountId}/BedrockModelInvocationLogs/*`,
          ], {
            sid: "BedrockDeliversInvocationLogs",
            principal: { Service: "bedrock.amazonaws.com" },
            conditions: { StringEquals: { "aws:SourceAccount": env.accountId }, ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}:${env.accountId}:*` } },
          }),
        ],
        tags,
      }, parent);
      const logGroup = new aws.cloudwatch.LogGroup(`${name}-invocation-logs`, {
        name: `/aws/bedrock/${args.namePrefix}/model-invocations`,
        retentionInDays: args.invocationLogging.logRetentionDays,
        kmsKeyId: this.key.arn,
        tags,
      }, parent);
      const deliveryRole = new aws.iam.Role(`${name}-log-delivery`, {
        description: "Bedrock writes model invocation logs to CloudWatch Logs",
        assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement(
          "bedrock.amazonaws.com",
          env.accountId,
          pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}:${env.accountId}:*`,
        ))),
        permissionsBoundary: args.permissionsBoundaryArn,
        tags,
      }, parent);
      const deliveryPolicy = new aws.iam.RolePolicy(`${name}-log-delivery-write`, {
        role: deliveryRole.name,
        policy: renderPolicy(policyDocument(allow(LOG_DELIVERY_ACTIONS, [pulumi.interpolate`${logGroup.arn}:log-stream:*`], { sid: "WriteInvocationLogs" }))),
      }, parent);
      new aws.bedrockmodel.InvocationLoggingConfiguration(`${name}-invocation-logging`, {
        region: args.region,
        loggingConfig: {
          // Metadata only (identity, model, token counts): prompts hold source code and stay out of logs.
          textDataDeliveryEnabled: false,
          imageDataDeliveryEnabled: false,
          embeddingDataDeliveryEnabled: false,
          videoDataDeliveryEnabled: false,
          s3Config: { bucketName: bucket.bucketName, keyPrefix: "" },
          cloudwatchConfig: { logGroupName: logGroup.name, roleArn: deliveryRole.arn, largeDataDeliveryS3Config: { bucketName: bucket.bucketName, keyPrefix: LARGE_DATA_PREFIX } },
        },
      }, { parent: this, dependsOn: [deliveryPolicy, bucket] });
      this.invocationLogs = { bucketName: bucket.bucketName, bucketArn: bucket.arn, logGroupName: logGroup.name, logGroupArn: logGroup.arn };
    }

    // ---- Alarms ---------------------------------------------------------------------------------
    // Bedrock also publishes each metric without dimensions ("across all model IDs"): one alarm covers every model and profile.
    const alarm = (key: string, metricName: string, description: string, spec: { period: number; threshold: number; statistic?: string; extendedStatistic?: string; evaluationPeriods?: number }) => {
      const a = new aws.cloudwatch.MetricAlarm(`${name}-${key}`, {
        alarmDescription: `${args.namePrefix}: ${description}`,
        namespace: "AWS/Bedrock",
        metricName,
        period: spec.period,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        threshold: spec.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        ...(spec.extendedStatistic ? { extendedStatistic: spec.extendedStatistic } : { statistic: spec.statistic ?? "Sum" }),
        treatMissingData: "notBreaching",
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        region: args.region,
        tags,
      }, parent);
      this.alarmNames.push(a.name);
    };
    alarm("throttles", "InvocationThrottles", `Bedrock throttled ≥ ${args.alarms.throttlesPer5Min} requests in 5 minutes (raise the TPM quota or spread Regions)`, { period: 300, threshold: args.alarms.throttlesPer5Min });
    alarm("server-errors", "InvocationServerErrors", `≥ ${args.alarms.serverErrorsPer5Min} Bedrock server errors in 5 minutes`, { period: 300, threshold: args.alarms.serverErrorsPer5Min });
    alarm("client-errors", "InvocationClientErrors", `≥ ${args.alarms.clientErrorsPer5Min} Bedrock client errors in 5 minutes (access denied, validation)`, { period: 300, threshold: args.alarms.clientErrorsPer5Min });
    alarm("latency", "InvocationLatency", `p90 latency ≥ ${args.alarms.latencyP90Ms} ms for 15 minutes`, { period: 300, threshold: args.alarms.latencyP90Ms, extendedStatistic: "p90", evaluationPeriods: 3 });
    alarm("invocations", "Invocations", `≥ ${args.alarms.invocationsPerHour} invocations in an hour (unexpected load or a runaway client)`, { period: 3600, threshold: args.alarms.invocationsPerHour });
    if (args.invocationLogging.enabled) {
      alarm("log-delivery", "ModelInvocationLogsCloudWatchDeliveryFailure", "invocation logs failed to reach CloudWatch Logs (quota metering and audit depend on them)", { period: 300, threshold: 1 });
    }

    this.grants = { invokeModels: (grantee) => grant(this, name, "invoke", grantee, this.modelAccessStatements()) };
    this.registerOutputs({ keyArn: this.keyArn, alarmTopicArn: this.alarmTopicArn, teamProfiles: this.teamProfiles, invocationLogs: this.invocationLogs });
  }

  /** The model-access statements for the stage (used by grants and by cross-account roles). */
  modelAccessStatements() {
    const a = this.args;
    return modelAccessStatements({
      partition: this.env.partition,
      accountId: this.env.accountId,
      region: a.region,
      models: [...new Set(Object.values(a.models).filter((m): m is string => !!m))],
      crossRegion: a.crossRegion,
      applicationProfileArns: Object.values(this.teamProfiles).flatMap((byRole) => Object.values(byRole).filter((x): x is pulumi.Output<string> => !!x)),
      denyBearerTokens: a.denyBedrockApiKeys,
      restrictTeamProfiles: a.restrictTeamProfiles ?? false,
    });
  }
}
