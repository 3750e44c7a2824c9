import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment, type AwsEnvironment, grant, type Grant, type Grantee } from "../iam";
import type { BuilderScope } from "../scope";
import { buildKeyAndTopic } from "./alarm-topic";
import { buildBedrockAlarms } from "./alarms";
import type { InferenceAccountArgs } from "./args";
import { buildInvocationLogging, type InvocationLogs } from "./invocation-logging";
import { modelAccessStatements } from "./model-access";
import { buildTeamProfiles, type TeamProfiles } from "./team-profiles";
import { validateInferenceAccountArgs } from "./validate";

export type { AlarmThresholds, InferenceAccountArgs, ModelRole, TeamArgs } from "./args";
export { validateInferenceAccountArgs } from "./validate";

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
  readonly teamProfiles: TeamProfiles;
  readonly invocationLogs?: InvocationLogs;
  readonly alarmNames: pulumi.Output<string>[];
  readonly grants: { invokeModels(grantee: Grantee): Grant };
  private readonly args: InferenceAccountArgs;

  constructor(name: string, args: InferenceAccountArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:inference:InferenceAccount", name, {}, opts);
    const problems = validateInferenceAccountArgs(args);
    if (problems.length) throw new Error(`InferenceAccount ${name}: ${problems.join("; ")}`);
    this.args = args;
    const env = (this.env = awsEnvironment(this));
    const scope: BuilderScope = { name, parent: this, tags: { ...(args.tags ?? {}) } };
    const boundary = args.permissionsBoundaryArn !== undefined ? { permissionsBoundaryArn: args.permissionsBoundaryArn } : {};

    const { key, topic } = buildKeyAndTopic(scope, { namePrefix: args.namePrefix, env, emails: args.alarms.emails });
    this.key = key;
    this.keyArn = key.arn;
    this.alarmTopicArn = topic.arn;
    this.teamProfiles = buildTeamProfiles(scope, { ...args, env });
    if (args.invocationLogging.enabled) {
      this.invocationLogs = buildInvocationLogging(scope, {
        namePrefix: args.namePrefix,
        region: args.region,
        settings: args.invocationLogging,
        env,
        keyArn: key.arn,
        ...boundary,
      });
    }
    this.alarmNames = buildBedrockAlarms(scope, {
      namePrefix: args.namePrefix,
      region: args.region,
      thresholds: args.alarms,
      topicArn: topic.arn,
      logDelivery: args.invocationLogging.enabled,
    });

    this.grants = { invokeModels: (grantee) => grant(this, name, "invoke", grantee, this.modelAccessStatements()) };
    this.registerOutputs({
      keyArn: this.keyArn,
      alarmTopicArn: this.alarmTopicArn,
      teamProfiles: this.teamProfiles,
      invocationLogs: this.invocationLogs,
    });
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
      applicationProfileArns: Object.values(this.teamProfiles).flatMap((byRole) =>
        Object.values(byRole).filter((x): x is pulumi.Output<string> => !!x),
      ),
      denyBearerTokens: a.denyBedrockApiKeys,
      restrictTeamProfiles: a.restrictTeamProfiles ?? false,
    });
  }
}
