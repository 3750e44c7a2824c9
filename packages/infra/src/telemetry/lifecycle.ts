import { MODEL_LIFECYCLE_ENV as LC_ENV } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  allow,
  awsEnvironment,
  type AwsEnvironment,
  foundationModelArn,
  policyDocument,
  renderPolicy,
  serviceTrustStatement,
} from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import * as perms from "./perms";
import type { FunctionCode } from "./args";

export interface ModelLifecycleCheckArgs {
  readonly stage: string;
  readonly namePrefix: string;
  /** Base foundation model ids the stage allows (`anthropic.claude-…`), checked daily. */
  readonly modelIds: readonly string[];
  /** Topic notified when a model is legacy or has an end-of-life date. */
  readonly topicArn: pulumi.Input<string>;
  /** KMS key of the topic (publishers of an encrypted topic need it). */
  readonly topicKeyArn?: pulumi.Input<string>;
  readonly code: FunctionCode;
  /** Warn this many days before end of life, then at 30/14/7/3/1 days. @default 90 */
  readonly warnDays?: number;
  readonly logRetentionDays: number;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

const MODEL_ID = /^[a-z0-9-]+\.[a-z0-9.:-]+$/;

export function validateModelLifecycleCheckArgs(a: ModelLifecycleCheckArgs): string[] {
  const p: string[] = [];
  if (a.modelIds.length === 0) p.push("`modelIds` needs at least one model");
  a.modelIds.forEach((m, i) => {
    if (!MODEL_ID.test(m) || /^(us|eu|apac|jp|au|global|us-gov)\./.test(m))
      p.push(`\`modelIds[${i}]\` "${m}" must be a base foundation model id (no cross-Region prefix)`);
  });
  const warn = a.warnDays ?? 90;
  if (!Number.isInteger(warn) || warn < 1 || warn > 365) p.push("`warnDays` must be 1–365");
  return p;
}

interface LifecycleInputs {
  readonly args: ModelLifecycleCheckArgs;
  readonly env: AwsEnvironment;
}

interface LifecycleRole {
  readonly logs: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
}

/** The check's log group and role: read the allowed models, publish to the topic (through its key), write its own logs. */
function buildLifecycleRole(scope: BuilderScope, { args, env }: LifecycleInputs): LifecycleRole {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const logs = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/${args.namePrefix}/telemetry/model-lifecycle`, retentionInDays: args.logRetentionDays, tags },
    parent,
  );
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      description: "Daily Bedrock model lifecycle check for Claude Code",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", env.accountId))),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    parent,
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.name,
      policy: renderPolicy(
        policyDocument(
          allow(
            perms.MODEL_READ_ACTIONS,
            args.modelIds.map((id) => foundationModelArn(env.partition, env.region, id)),
            { sid: "ReadModelLifecycle" },
          ),
          allow(perms.NOTIFY_ACTIONS, [args.topicArn], { sid: "Notify" }),
          ...(args.topicKeyArn
            ? [
                allow(perms.KMS_PUBLISH_ACTIONS, [args.topicKeyArn], {
                  sid: "EncryptNotification",
                  conditions: { StringEquals: { "kms:ViaService": pulumi.interpolate`sns.${env.region}.${env.dnsSuffix}` } },
                }),
              ]
            : []),
          allow(perms.FUNCTION_LOG_ACTIONS, [pulumi.interpolate`${logs.arn}:*`], { sid: "OwnLogs" }),
        ),
      ),
    },
    parent,
  );
  return { logs, role, policy };
}

/** The check itself: reads the models' lifecycle and notifies the topic. */
function buildLifecycleFunction(scope: BuilderScope, args: ModelLifecycleCheckArgs, { logs, role, policy }: LifecycleRole) {
  return new aws.lambda.Function(
    `${scope.name}-function`,
    {
      description: "Notifies the alarm topic when an allowed Claude model becomes legacy or gets an end-of-life date",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: args.code.handler,
      code: args.code.archive,
      role: role.arn,
      memorySize: 128,
      timeout: 60,
      loggingConfig: { logFormat: "JSON", logGroup: logs.name },
      environment: {
        variables: {
          [LC_ENV.modelIds]: args.modelIds.join(","),
          [LC_ENV.topicArn]: args.topicArn,
          [LC_ENV.stage]: args.stage,
          [LC_ENV.warnDays]: String(args.warnDays ?? 90),
        },
      },
      tags: scope.tags,
    },
    childOpts(scope, { dependsOn: [policy] }),
  );
}

/** Runs the check daily at 07:00 UTC, retried twice within the hour. */
function buildLifecycleSchedule(scope: BuilderScope, fn: aws.lambda.Function): void {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const rule = new aws.cloudwatch.EventRule(
    `${name}-schedule`,
    { description: "Daily Bedrock model lifecycle check", scheduleExpression: "cron(0 7 * * ? *)", tags },
    parent,
  );
  const permission = new aws.lambda.Permission(
    `${name}-invoke`,
    { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    parent,
  );
  new aws.cloudwatch.EventTarget(
    `${name}-target`,
    { rule: rule.name, arn: fn.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
    childOpts(scope, { dependsOn: [permission] }),
  );
}

/**
 * A daily check of the stage's models against Bedrock's lifecycle (GetFoundationModel →
 * `modelLifecycle`): when a model turns LEGACY or gets an end-of-life date, the alarm topic hears it
 * well before Claude Code starts failing. Deploy it where the models are invoked (the inference account).
 */
export class ModelLifecycleCheck extends pulumi.ComponentResource {
  readonly functionName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ModelLifecycleCheckArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:telemetry:ModelLifecycleCheck", name, {}, opts);
    const problems = validateModelLifecycleCheckArgs(args);
    if (problems.length) throw new Error(`ModelLifecycleCheck ${name}: ${problems.join("; ")}`);
    const scope: BuilderScope = { name, parent: this, tags: { ...(args.tags ?? {}), component: "telemetry" } };
    const access = buildLifecycleRole(scope, { args, env: awsEnvironment(this) });
    const fn = buildLifecycleFunction(scope, args, access);
    buildLifecycleSchedule(scope, fn);
    this.functionName = fn.name;
    this.roleArn = access.role.arn;
    this.registerOutputs({ functionName: this.functionName });
  }
}
