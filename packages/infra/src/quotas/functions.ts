import { QUOTA_ENV as Q, QUOTA_PROFILE_PARTITION_PREFIX } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, type AwsEnvironment, type Conditions, policyDocument, renderPolicy, serviceTrustStatement, type Statement } from "../iam";
import { physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";
import type { DefaultLimits, FunctionCode, QuotaServiceArgs, ReconciliationAccount } from "./args";
import { KMS_USE_ACTIONS, LIMITS_READ_ACTIONS, LOG_WRITE_ACTIONS, PROFILE_WRITE_ACTIONS, USAGE_READ_ACTIONS } from "./perms";

/** What every quota function is built from: the stage's names, key, retention and boundary. */
export interface FunctionContext {
  readonly args: QuotaServiceArgs;
  readonly env: AwsEnvironment;
  readonly limitsTable: aws.dynamodb.Table;
  readonly usageTable: aws.dynamodb.Table;
}

export interface FunctionSpec {
  readonly role: "aggregate" | "aggregate-worker" | "check" | "rate" | "prices" | "reconcile";
  readonly code: FunctionCode;
  readonly description: string;
  readonly timeout: number;
  readonly memorySize: number;
  readonly reservedConcurrency: number;
  readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly statements: Statement[];
  /** Another account of the stage to create the function in (the reconciliation beside the analytics workgroup). */
  readonly account?: Omit<ReconciliationAccount, "alarmTopicArn">;
}

/**
 * The default limit as the Lambdas read it (`DEFAULT_LIMITS`). It is stage config, not a table record,
 * so a deployment never writes items (the CI deploy role has no data-plane access) and the admin CLI
 * cannot drift from the config file.
 */
export function defaultLimitsJson(d: DefaultLimits): string {
  const out: Record<string, unknown> = {};
  for (const k of ["monthlyTokens", "dailyTokens", "monthlyCostUsd", "dailyCostUsd"] as const) if (d[k] !== undefined) out[k] = d[k];
  return JSON.stringify({ ...out, monthlyMode: d.monthlyMode, dailyMode: d.dailyMode });
}

/** The stage key through the services that hold quota data only. */
export function kmsViaServices(env: AwsEnvironment): Conditions {
  return {
    StringEquals: {
      "kms:ViaService": [
        pulumi.interpolate`dynamodb.${env.region}.amazonaws.com`,
        pulumi.interpolate`sns.${env.region}.amazonaws.com`,
        pulumi.interpolate`s3.${env.region}.amazonaws.com`,
      ],
    },
  };
}

/** Variable names from the contract (@ccb/contracts QUOTA_ENV), read by its parseQuota*Env. */
export function commonEnvironment(ctx: FunctionContext): Record<string, pulumi.Input<string>> {
  const { args } = ctx;
  return {
    [Q.defaultLimits]: defaultLimitsJson(args.defaults),
    [Q.limitsTable]: ctx.limitsTable.name,
    [Q.usageTable]: ctx.usageTable.name,
    [Q.thresholds]: args.thresholds.join(","),
    [Q.enforceOn]: args.enforceOn,
    // Both functions must know it: a record written with --mode block must not refuse in an alert stage.
    [Q.quotaMode]: args.mode ?? "block",
    NODE_OPTIONS: "--enable-source-maps",
  };
}

/** One quota function: its own log group (stage key, retention), its own role, the given permissions. */
export function quotaFunction(scope: BuilderScope, ctx: FunctionContext, spec: FunctionSpec): aws.lambda.Function {
  const { name, tags } = scope;
  const { args, env } = ctx;
  const acct = spec.account;
  // In another account everything of the function is created with that account's provider, key and boundary.
  const opts = (extra: pulumi.CustomResourceOptions = {}) => childOpts(scope, { ...(acct ? { provider: acct.provider } : {}), ...extra });
  const functionName = physicalName("lambda", [args.namePrefix, `quota-${spec.role}`]);
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-${spec.role}-logs`,
    { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: acct ? acct.logKeyArn : args.kmsKeyArn, tags },
    opts(),
  );
  const execRole = new aws.iam.Role(
    `${name}-${spec.role}-role`,
    {
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", acct ? acct.accountId : env.accountId))),
      description: `Runs the ${args.namePrefix} quota ${spec.role} function`,
      maxSessionDuration: 3600,
      permissionsBoundary: acct ? acct.permissionsBoundaryArn : args.permissionsBoundaryArn,
      tags,
    },
    opts(),
  );
  const permissions = new aws.iam.RolePolicy(
    `${name}-${spec.role}-permissions`,
    {
      role: execRole.name,
      policy: renderPolicy(
        policyDocument(allow(LOG_WRITE_ACTIONS, [pulumi.interpolate`${logGroup.arn}:*`], { sid: "WriteOwnLogs" }), ...spec.statements),
      ),
    },
    opts(),
  );
  return new aws.lambda.Function(
    `${name}-${spec.role}`,
    {
      name: functionName,
      description: spec.description,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: spec.code.handler,
      code: spec.code.archive,
      role: execRole.arn,
      timeout: spec.timeout,
      memorySize: spec.memorySize,
      reservedConcurrentExecutions: spec.reservedConcurrency,
      environment: { variables: spec.environment },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      tags,
    },
    opts({ dependsOn: [permissions, logGroup] }),
  );
}

/** `GET /check`: reads limits and usage, remembers the token's groups, nothing else. */
export function buildCheckFunction(scope: BuilderScope, ctx: FunctionContext): aws.lambda.Function {
  const { args } = ctx;
  return quotaFunction(scope, ctx, {
    role: "check",
    code: args.code.check,
    description: "GET /check: the quota decision the credential helper asks before STS",
    timeout: 10,
    memorySize: 256,
    reservedConcurrency: args.checkApi.reservedConcurrency,
    environment: {
      ...commonEnvironment(ctx),
      [Q.emailClaim]: args.checkApi.emailClaim,
      [Q.groupsClaims]: args.checkApi.groupsClaims.join(","),
      ...(args.checkApi.departmentClaim ? { [Q.departmentClaim]: args.checkApi.departmentClaim } : {}),
      [Q.missingIdentity]: args.checkApi.missingIdentity,
      ...(args.checkApi.iamRolePrefix ? { [Q.iamCallerRolePrefix]: args.checkApi.iamRolePrefix } : {}),
    },
    statements: [
      allow(USAGE_READ_ACTIONS, [ctx.usageTable.arn], { sid: "ReadUsage" }),
      // Only the profile partitions: a check API that is compromised cannot rewrite usage or unblocks.
      allow(PROFILE_WRITE_ACTIONS, [ctx.usageTable.arn], {
        sid: "RememberGroups",
        conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${QUOTA_PROFILE_PARTITION_PREFIX}*`] } },
      }),
      allow(LIMITS_READ_ACTIONS, [ctx.limitsTable.arn], { sid: "ReadLimits" }),
      allow(KMS_USE_ACTIONS, [args.kmsKeyArn], { sid: "UseStageKey", conditions: kmsViaServices(ctx.env) }),
    ],
  });
}
