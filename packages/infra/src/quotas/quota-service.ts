import {
  BLOCK_PLACEHOLDER_PATTERN,
  blockPolicyDocument,
  QUOTA_ENV as Q,
  QUOTA_METRIC_STAGE_DIMENSION,
  QUOTA_METRICS,
  QUOTA_METRICS_NAMESPACE,
  QUOTA_USAGE_PERIOD_INDEX,
  type QuotaMetricName,
} from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountTrustStatement, allow, awsEnvironment, type AwsEnvironment, denyInsecureTransport, grant, type Grant, type Grantee, policyDocument, renderPolicy, serviceTrustStatement, type Statement } from "../iam";
import { hash8, physicalName } from "../naming";
import type { PricingTable } from "./pricing";
import {
  ASSUME_ROLE_ACTIONS,
  BLOCK_POLICY_ACTIONS,
  GET_OBJECT_ACTIONS,
  INVOKE_API_ACTIONS,
  KMS_USE_ACTIONS,
  LIMITS_READ_ACTIONS,
  LIMITS_WRITE_ACTIONS,
  LIST_BUCKET_ACTIONS,
  LOG_WRITE_ACTIONS,
  PROFILE_WRITE_ACTIONS,
  PUBLISH_ACTIONS,
  PUT_METRIC_ACTIONS,
  QUERY_LOGS_ACTIONS,
  QUERY_RESULTS_ACTIONS,
  READ_METRIC_ACTIONS,
  USAGE_READ_ACTIONS,
  USAGE_WRITE_ACTIONS,
} from "./perms";
import { validateQuotaServiceArgs } from "./validate";

export type QuotaMode = "alert" | "block";
export type EnforceOn = "max" | "telemetry" | "invocation-logs";

/** Bundled Lambda code (from `stacks/compose/lambda-code.ts`). */
export interface FunctionCode {
  readonly archive: pulumi.asset.Archive;
  readonly handler: string;
}

export interface DefaultLimits {
  readonly monthlyTokens?: number;
  readonly dailyTokens?: number;
  readonly monthlyCostUsd?: number;
  readonly dailyCostUsd?: number;
  readonly monthlyMode: QuotaMode;
  readonly dailyMode: QuotaMode;
}

export interface TelemetryMetricSource {
  readonly namespace: string;
  readonly metricName: string;
  readonly userDimension: string;
  readonly typeDimension: string;
  readonly modelDimension?: string;
  /**
   * The collector's EMF log group: when given, the aggregation sums the data points with Logs Insights
   * (a scan of the window per token type) instead of reading one metric series per user, type and
   * model with GetMetricData, which is billed per series (about 80 000 reads per run for 10 000 users).
   */
  readonly logGroup?: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /**
   * When the collector's metrics live in another account (telemetry account): a read-only role is
   * created there with this provider, trusted by the aggregation role only, and assumed per run.
   */
  readonly crossAccount?: {
    readonly provider: pulumi.ProviderResource; readonly accountId: string; readonly organizationId?: string;
    /** Permissions boundary of the read-only role there (that account's workload boundary). */
    readonly permissionsBoundaryArn?: pulumi.Input<string>;
  };
}

export interface InvocationLogsSource {
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  /** Key prefix of the logging configuration's S3 destination (`""` when none). */
  readonly keyPrefix: string;
  /**
   * Only calls through this role count (the federated developer role). A name ending in `*` is a prefix:
   * `AWSReservedSSO_<permission set>_*` for the role IAM Identity Center provisions.
   */
  readonly roleName: pulumi.Input<string>;
}

export interface QuotaServiceArgs {
  readonly namePrefix: string;
  readonly stage: string;
  /** Customer managed key for tables, topic and log groups (and the invocation-log bucket, if it uses it). */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly code: { readonly aggregate: FunctionCode; readonly check: FunctionCode };
  /** The limit everyone without a user or group record gets (passed to the Lambdas, not stored). */
  readonly defaults: DefaultLimits;
  /** Alert thresholds in percent, ascending. */
  readonly thresholds: readonly number[];
  readonly enforceOn: EnforceOn;
  readonly pricing: PricingTable;
  /**
   * Application inference profiles priced as their base model: invocation logs and Claude Code report
   * the profile ARN as the model for team users, which no catalog lists.
   */
  readonly modelAliases?: ReadonlyArray<{ readonly id: pulumi.Input<string>; readonly baseModelId: string }>;
  /** Who receives quota alerts (each confirms the SNS subscription once). */
  readonly alertEmails: readonly string[];
  readonly sources: { readonly telemetry?: TelemetryMetricSource; readonly invocationLogs?: InvocationLogsSource };
  /**
   * Server-side block: deny policies attached to the user role, rewritten by the aggregation.
   * `key` is how a blocked user's sessions are recognised: the role session name (`aws:userid`,
   * direct federation) or a principal tag carrying the email (Cognito identity pools).
   */
  readonly block?: {
    /** Role the deny policies are attached to; absent when the caller attaches them itself (an IdC permission set references them by name). */
    readonly roleName?: pulumi.Input<string>;
    readonly policyCount: number;
    readonly key: "session-name" | { readonly principalTag: string };
  };
  readonly checkApi: {
    readonly authorization: "jwt" | "iam";
    /** JWT: the stage's issuer URL exactly as in the token's `iss`. */
    readonly issuerUrl?: string;
    /** JWT: the helper's client id(s). */
    readonly audiences?: readonly string[];
    readonly emailClaim: string;
    readonly groupsClaims: readonly string[];
    readonly departmentClaim?: string;
    /** A token without an email claim: refuse (`block`) or let through unmetered (`allow`). */
    readonly missingIdentity: "allow" | "block";
    /** IAM: only sessions of roles with this name prefix (the IdC permission set's `AWSReservedSSO_<set>_`) are users. */
    readonly iamRolePrefix?: string;
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly reservedConcurrency: number;
  };
  readonly drift: { readonly thresholdPercent: number; readonly minTokens: number };
  /** `stage.quotas.mode`; it caps every limit record (an alert stage never refuses). Absent: block. */
  readonly mode?: "alert" | "block";
  /** Alarms (drift, aggregation failures, stale aggregation, block overflow, API errors) go here. */
  readonly alarmTopicArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly usageRetentionDays: number;
  readonly settleMinutes: number;
  readonly deletionProtection: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates in its own account (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

// Names and the block-policy document are the contract with the quota functions (@ccb/contracts).
export const USAGE_PERIOD_INDEX = QUOTA_USAGE_PERIOD_INDEX;
export const METRICS_NAMESPACE = QUOTA_METRICS_NAMESPACE;
/** `~` is not allowed in role session names: this matches nobody. */
export const NOBODY_BLOCKED = BLOCK_PLACEHOLDER_PATTERN;

/** The document a block policy starts with (the Lambda owns it afterwards). */
export function emptyBlockDocument(key: "session-name" | { principalTag: string }): string {
  return JSON.stringify(blockPolicyDocument([], key === "session-name" ? { kind: "session-name" } : { kind: "principal-tag", tag: key.principalTag }));
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

/**
 * Per-user and per-group usage limits for Claude Code on Bedrock: limits and usage tables, the
 * 15-minute aggregation over two records of usage (client telemetry and Bedrock invocation logs),
 * alerts by email, the `GET /check` API the credential helper asks before STS, and deny policies on
 * the user role for users over a blocking limit.
 */
export class QuotaService extends pulumi.ComponentResource {
  readonly env: AwsEnvironment;
  readonly limitsTable: aws.dynamodb.Table;
  readonly usageTable: aws.dynamodb.Table;
  readonly topic: aws.sns.Topic;
  readonly aggregateFunction: aws.lambda.Function;
  readonly checkFunction: aws.lambda.Function;
  readonly api: aws.apigatewayv2.Api;
  readonly checkUrl: pulumi.Output<string>;
  readonly blockPolicyArns: pulumi.Output<string>[];
  /** The deny policies themselves (their names, for a permission set's customer managed references). */
  readonly blockPolicies: aws.iam.Policy[];
  readonly alarmNames: pulumi.Output<string>[] = [];
  readonly grants: {
    /** Read usage records (dashboards, support). */
    readUsage(grantee: Grantee): Grant;
    /** The admin CLI: set limits, read usage, write unblocks. */
    administer(grantee: Grantee): Grant;
    /** Call the check API when it is IAM-authorised. */
    invokeCheck(grantee: Grantee): Grant;
  };

  constructor(name: string, args: QuotaServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:quotas:QuotaService", name, {}, opts);
    const problems = validateQuotaServiceArgs(args);
    if (problems.length) throw new Error(`QuotaService ${name}: ${problems.join("; ")}`);
    const parent = { parent: this };
    const tags = { ...(args.tags ?? {}), component: "quotas" };
    const env = (this.env = awsEnvironment(this));
    const key = args.kmsKeyArn;

    // ---- Tables ---------------------------------------------------------------------------------
    const tableCommon = {
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key },
      deletionProtectionEnabled: args.deletionProtection,
      tags,
    };
    // Physical names: the admin CLI and runbooks name these tables.
    this.limitsTable = new aws.dynamodb.Table(`${name}-limits`, {
      ...tableCommon,
      name: physicalName("lambda", [args.namePrefix, "quota-limits"]),
      hashKey: "scope",
      rangeKey: "id",
      attributes: [{ name: "scope", type: "S" }, { name: "id", type: "S" }],
    }, parent);
    this.usageTable = new aws.dynamodb.Table(`${name}-usage`, {
      ...tableCommon,
      name: physicalName("lambda", [args.namePrefix, "quota-usage"]),
      hashKey: "pk",
      rangeKey: "sk",
      attributes: [{ name: "pk", type: "S" }, { name: "sk", type: "S" }, { name: "period", type: "S" }],
      globalSecondaryIndexes: [{ name: USAGE_PERIOD_INDEX, hashKey: "period", rangeKey: "pk", projectionType: "ALL" }],
      ttl: { attributeName: "expiresAt", enabled: true },
    }, parent);
    const usageIndexArn = pulumi.interpolate`${this.usageTable.arn}/index/${USAGE_PERIOD_INDEX}`;

    // ---- Alert topic ----------------------------------------------------------------------------
    this.topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: key, tags }, parent);
    new aws.sns.TopicPolicy(`${name}-alerts-policy`, { arn: this.topic.arn, policy: renderPolicy(policyDocument(denyInsecureTransport("sns", [this.topic.arn]))) }, parent);
    for (const email of args.alertEmails) {
      new aws.sns.TopicSubscription(`${name}-alerts-${hash8(email.toLowerCase())}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, parent);
    }

    // ---- Block policies -------------------------------------------------------------------------
    this.blockPolicyArns = [];
    this.blockPolicies = [];
    if (args.block) {
      for (let i = 0; i < args.block.policyCount; i++) {
        const policy = new aws.iam.Policy(`${name}-block-${i}`, {
          name: physicalName("iamRole", [args.namePrefix, "quota-block", String(i)]),
          description: "Denies Bedrock model invocation to users over a blocking quota. Rewritten every 15 minutes by the quota aggregation; do not edit.",
          policy: emptyBlockDocument(args.block.key),
          tags,
        }, { parent: this, ignoreChanges: ["policy"] });
        if (args.block.roleName !== undefined) new aws.iam.RolePolicyAttachment(`${name}-block-${i}`, { role: args.block.roleName, policyArn: policy.arn }, parent);
        this.blockPolicyArns.push(policy.arn);
        this.blockPolicies.push(policy);
      }
    }

    // ---- Functions --------------------------------------------------------------------------------
    const kmsVia = { StringEquals: { "kms:ViaService": [pulumi.interpolate`dynamodb.${env.region}.amazonaws.com`, pulumi.interpolate`sns.${env.region}.amazonaws.com`, pulumi.interpolate`s3.${env.region}.amazonaws.com`] } };
    const fn = (role: "aggregate" | "check", code: FunctionCode, spec: { timeout: number; memorySize: number; reservedConcurrency: number; environment: pulumi.Input<Record<string, pulumi.Input<string>>>; statements: Statement[] }) => {
      const functionName = physicalName("lambda", [args.namePrefix, `quota-${role}`]);
      const logGroup = new aws.cloudwatch.LogGroup(`${name}-${role}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: key, tags }, parent);
      const execRole = new aws.iam.Role(`${name}-${role}-role`, {
        assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", env.accountId))),
        description: `Runs the ${args.namePrefix} quota ${role} function`,
        maxSessionDuration: 3600,
        permissionsBoundary: args.permissionsBoundaryArn,
        tags,
      }, parent);
      const permissions = new aws.iam.RolePolicy(`${name}-${role}-permissions`, {
        role: execRole.name,
        policy: renderPolicy(policyDocument(allow(LOG_WRITE_ACTIONS, [pulumi.interpolate`${logGroup.arn}:*`], { sid: "WriteOwnLogs" }), ...spec.statements)),
      }, parent);
      const f = new aws.lambda.Function(`${name}-${role}`, {
        name: functionName,
        description: role === "aggregate" ? "Meters Claude Code usage every 15 minutes, alerts and blocks" : "GET /check: the quota decision the credential helper asks before STS",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: code.handler,
        code: code.archive,
        role: execRole.arn,
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        reservedConcurrentExecutions: spec.reservedConcurrency,
        environment: { variables: spec.environment },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
        tags,
      }, { parent: this, dependsOn: [permissions, logGroup] });
      return f;
    };

    // Variable names from the contract (@ccb/contracts QUOTA_ENV), read by its parseQuota*Env.
    const common = {
      [Q.defaultLimits]: defaultLimitsJson(args.defaults),
      [Q.limitsTable]: this.limitsTable.name,
      [Q.usageTable]: this.usageTable.name,
      [Q.thresholds]: args.thresholds.join(","),
      [Q.enforceOn]: args.enforceOn,
      // Both functions must know it: a record written with --mode block must not refuse in an alert stage.
      [Q.quotaMode]: args.mode ?? "block",
      NODE_OPTIONS: "--enable-source-maps",
    };

    const aggregateStatements: Statement[] = [
      allow(USAGE_WRITE_ACTIONS, [this.usageTable.arn, usageIndexArn], { sid: "MeterUsage" }),
      allow(LIMITS_READ_ACTIONS, [this.limitsTable.arn], { sid: "ReadLimits" }),
      allow(KMS_USE_ACTIONS, [key], { sid: "UseStageKey", conditions: kmsVia }),
      allow(PUBLISH_ACTIONS, [this.topic.arn], { sid: "PublishAlerts" }),
      allow(PUT_METRIC_ACTIONS, ["*"], { sid: "PublishOwnMetrics", conditions: { StringEquals: { "cloudwatch:namespace": METRICS_NAMESPACE } } }),
    ];
    const tel = args.sources.telemetry;
    // The read role in the telemetry account is named up front so the aggregation role may assume exactly it.
    const telemetryRoleName = tel?.crossAccount ? physicalName("iamRole", [args.namePrefix, "quota-telemetry-read"]) : undefined;
    const telemetryRoleArn = tel?.crossAccount ? pulumi.interpolate`arn:${env.partition}:iam::${tel.crossAccount.accountId}:role/${telemetryRoleName}` : undefined;
    const externalId = `${args.namePrefix}-quota-aggregate`;
    const telemetryRead: Statement[] = !tel
      ? []
      : tel.logGroup
        ? [
          allow(QUERY_LOGS_ACTIONS, [tel.logGroup.arn, pulumi.interpolate`${tel.logGroup.arn}:*`], { sid: "QueryTelemetryLogs" }),
          allow(QUERY_RESULTS_ACTIONS, ["*"], { sid: "ReadTelemetryQueryResults" }),
        ]
        : [allow(READ_METRIC_ACTIONS, ["*"], { sid: "ReadTelemetryMetric" })];
    if (tel && !tel.crossAccount) aggregateStatements.push(...telemetryRead);
    if (telemetryRoleArn) aggregateStatements.push(allow(ASSUME_ROLE_ACTIONS, [telemetryRoleArn], { sid: "ReadTelemetryInItsAccount" }));
    const logs = args.sources.invocationLogs;
    let logsSource: pulumi.Output<string> | undefined;
    if (logs) {
      const logPrefix = pulumi.interpolate`${logs.keyPrefix}AWSLogs/${env.accountId}/BedrockModelInvocationLogs/`;
      aggregateStatements.push(
        allow(LIST_BUCKET_ACTIONS, [logs.bucketArn], { sid: "ListInvocationLogs", conditions: { StringLike: { "s3:prefix": [pulumi.interpolate`${logPrefix}*`] } } }),
        allow(GET_OBJECT_ACTIONS, [pulumi.interpolate`${logs.bucketArn}/${logPrefix}*`], { sid: "ReadInvocationLogs" }),
      );
      logsSource = pulumi.jsonStringify({ bucket: logs.bucketName, prefix: logs.keyPrefix, accountId: env.accountId, region: env.region, roleName: logs.roleName });
    }
    if (this.blockPolicyArns.length) aggregateStatements.push(allow(BLOCK_POLICY_ACTIONS, this.blockPolicyArns, { sid: "RewriteBlockPolicies" }));

    this.aggregateFunction = fn("aggregate", args.code.aggregate, {
      timeout: 300,
      memorySize: 1024,
      // One run at a time: runs are idempotent anyway, but there is no point in racing.
      reservedConcurrency: 1,
      environment: {
        ...common,
        [Q.stage]: args.stage,
        [Q.alertTopicArn]: this.topic.arn,
        [Q.metricsNamespace]: METRICS_NAMESPACE,
        [Q.pricing]: pulumi.all((args.modelAliases ?? []).map((a) => pulumi.output(a.id))).apply((ids) => {
          const models: Record<string, unknown> = { ...args.pricing.models };
          ids.forEach((id, i) => {
            const base = args.pricing.models[args.modelAliases![i]!.baseModelId];
            if (base) models[id] = base;
          });
          return JSON.stringify({ ...args.pricing, models });
        }),
        ...(tel
          ? {
            [Q.telemetrySource]: pulumi.jsonStringify({
              namespace: tel.namespace,
              ...(tel.logGroup ? { logGroupName: tel.logGroup.name } : {}),
              metricName: tel.metricName,
              userDimension: tel.userDimension,
              typeDimension: tel.typeDimension,
              ...(tel.modelDimension ? { modelDimension: tel.modelDimension } : {}),
              ...(telemetryRoleArn ? { roleArn: telemetryRoleArn, externalId } : {}),
            }),
          }
          : {}),
        ...(logsSource ? { [Q.invocationLogsSource]: logsSource } : {}),
        ...(this.blockPolicyArns.length ? { [Q.blockPolicyArns]: pulumi.all(this.blockPolicyArns).apply((a) => a.join(",")) } : {}),
        ...(args.block && args.block.key !== "session-name" ? { [Q.blockPrincipalTag]: args.block.key.principalTag } : {}),
        [Q.driftThresholdPercent]: String(args.drift.thresholdPercent),
        [Q.driftMinTokens]: String(args.drift.minTokens),
        [Q.settleMinutes]: String(args.settleMinutes),
        [Q.usageRetentionDays]: String(args.usageRetentionDays),
      },
      statements: aggregateStatements,
    });

    this.checkFunction = fn("check", args.code.check, {
      timeout: 10,
      memorySize: 256,
      reservedConcurrency: args.checkApi.reservedConcurrency,
      environment: {
        ...common,
        [Q.emailClaim]: args.checkApi.emailClaim,
        [Q.groupsClaims]: args.checkApi.groupsClaims.join(","),
        ...(args.checkApi.departmentClaim ? { [Q.departmentClaim]: args.checkApi.departmentClaim } : {}),
        [Q.missingIdentity]: args.checkApi.missingIdentity,
        ...(args.checkApi.iamRolePrefix ? { [Q.iamCallerRolePrefix]: args.checkApi.iamRolePrefix } : {}),
      },
      statements: [
        allow(USAGE_READ_ACTIONS, [this.usageTable.arn], { sid: "ReadUsage" }),
        allow(PROFILE_WRITE_ACTIONS, [this.usageTable.arn], { sid: "RememberGroups" }),
        allow(LIMITS_READ_ACTIONS, [this.limitsTable.arn], { sid: "ReadLimits" }),
        allow(KMS_USE_ACTIONS, [key], { sid: "UseStageKey", conditions: kmsVia }),
      ],
    });

    if (tel?.crossAccount && telemetryRoleName) {
      const inTelemetry = { parent: this, provider: tel.crossAccount.provider };
      const readRole = new aws.iam.Role(`${name}-telemetry-read`, {
        name: telemetryRoleName,
        description: `Lets the ${args.namePrefix} quota aggregation (inference account) read the per-user token metric`,
        assumeRolePolicy: renderPolicy(policyDocument(accountTrustStatement({
          principals: [this.aggregateFunction.role],
          ...(tel.crossAccount.organizationId ? { organizationId: tel.crossAccount.organizationId } : {}),
          externalId,
        }))),
        maxSessionDuration: 3600,
        permissionsBoundary: tel.crossAccount.permissionsBoundaryArn,
        tags,
      }, inTelemetry);
      new aws.iam.RolePolicy(`${name}-telemetry-read`, {
        role: readRole.name,
        policy: renderPolicy(policyDocument(...telemetryRead)),
      }, inTelemetry);
    }

    // ---- Schedule ---------------------------------------------------------------------------------
    const rule = new aws.cloudwatch.EventRule(`${name}-schedule`, { description: "Quota aggregation every 15 minutes", scheduleExpression: "rate(15 minutes)", tags }, parent);
    new aws.cloudwatch.EventTarget(`${name}-schedule`, { rule: rule.name, arn: this.aggregateFunction.arn, retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 2 } }, parent);
    // A failed run is not retried by Lambda's async retries: the next scheduled run resumes from the
    // watermarks anyway, and extra runs would only add load.
    new aws.lambda.FunctionEventInvokeConfig(`${name}-aggregate-invoke-config`, { functionName: this.aggregateFunction.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 900 }, parent);
    new aws.lambda.Permission(`${name}-schedule-invoke`, { action: "lambda:InvokeFunction", function: this.aggregateFunction.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, parent);

    // ---- Check API --------------------------------------------------------------------------------
    this.api = new aws.apigatewayv2.Api(`${name}-api`, {
      name: physicalName("lambda", [args.namePrefix, "quota-api"]),
      protocolType: "HTTP",
      description: "Claude Code quota check (GET /check)",
      tags,
    }, parent);
    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-api-access-logs`, { name: `/aws/apigateway/${physicalName("lambda", [args.namePrefix, "quota-api"])}`, retentionInDays: args.logRetentionDays, kmsKeyId: key, tags }, parent);
    const integration = new aws.apigatewayv2.Integration(`${name}-api-check`, {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationUri: this.checkFunction.arn,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: 10000,
    }, parent);
    const authorizer = args.checkApi.authorization === "jwt"
      ? new aws.apigatewayv2.Authorizer(`${name}-api-jwt`, {
        apiId: this.api.id,
        authorizerType: "JWT",
        name: "oidc-id-token",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: args.checkApi.issuerUrl!, audiences: [...args.checkApi.audiences!] },
      }, parent)
      : undefined;
    // One route for either authorisation type (two routes with the same key conflict on update).
    const route = new aws.apigatewayv2.Route(`${name}-api-check`, {
      apiId: this.api.id,
      routeKey: "GET /check",
      target: pulumi.interpolate`integrations/${integration.id}`,
      authorizationType: authorizer ? "JWT" : "AWS_IAM",
      ...(authorizer ? { authorizerId: authorizer.id } : {}),
    }, parent);
    new aws.apigatewayv2.Stage(`${name}-api-stage`, {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit: args.checkApi.throttle.rateLimit, throttlingBurstLimit: args.checkApi.throttle.burstLimit, detailedMetricsEnabled: true },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        // No Authorization header, no claims beyond the subject's email: enough to trace a decision.
        format: JSON.stringify({ requestId: "$context.requestId", time: "$context.requestTime", route: "$context.routeKey", status: "$context.status", latencyMs: "$context.responseLatency", sourceIp: "$context.identity.sourceIp", user: "$context.authorizer.claims.email", iamUser: "$context.identity.userArn", authError: "$context.authorizer.error", integrationError: "$context.integrationErrorMessage" }),
      },
      tags,
    }, { parent: this, dependsOn: [route] });
    new aws.lambda.Permission(`${name}-api-invoke`, { action: "lambda:InvokeFunction", function: this.checkFunction.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${this.api.executionArn}/*/GET/check` }, parent);
    this.checkUrl = pulumi.interpolate`${this.api.apiEndpoint}/check`;

    // ---- Alarms -----------------------------------------------------------------------------------
    const alarm = (key: string, description: string, spec: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "alarmDescription">) => {
      const a = new aws.cloudwatch.MetricAlarm(`${name}-${key}`, { ...spec, alarmDescription: description, alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn], tags }, parent);
      this.alarmNames.push(a.name);
    };
    const own = (metricName: QuotaMetricName) => ({ namespace: METRICS_NAMESPACE, metricName, dimensions: { [QUOTA_METRIC_STAGE_DIMENSION]: args.stage }, period: 900 });
    if (args.sources.telemetry && args.sources.invocationLogs) {
      alarm("drift-alarm", `Client telemetry and Bedrock invocation logs disagree by more than ${args.drift.thresholdPercent}% for at least one user: a stopped, misconfigured or tampered client. See the aggregation logs ("usage records disagree").`, {
        ...own(QUOTA_METRICS.usersWithUsageDrift), statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "notBreaching",
      });
    }
    if (args.sources.invocationLogs) {
      // The role session name is chosen by whoever calls AssumeRoleWithWebIdentity: a session renamed
      // away from the email (the helper always uses the email) is usage the quotas cannot charge anyone.
      alarm("unattributed-alarm", "Bedrock invocation logs show calls through the developers' role under a session name that is not an email: credentials minted outside the helper with a chosen session name, not metered for any user. See the aggregation logs (\"session name that is not an email\") and CloudTrail AssumeRoleWithWebIdentity events for the session.", {
        ...own(QUOTA_METRICS.unattributedInvocations), statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0, evaluationPeriods: 1, treatMissingData: "notBreaching",
      });
      alarm("unknown-sessions-alarm", "Bedrock invocation logs charge usage to session names (emails) of users who never asked the quota check API: sessions minted outside the helper under an invented email. See the aggregation logs (\"users who never asked the check API\").", {
        ...own(QUOTA_METRICS.unknownSessionUsers), statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0, evaluationPeriods: 1, treatMissingData: "notBreaching",
      });
    }
    alarm("stale-alarm", "The quota aggregation has not completed for 45 minutes: usage, alerts and blocks are stale.", {
      ...own(QUOTA_METRICS.usersEvaluated), statistic: "SampleCount", comparisonOperator: "LessThanThreshold", threshold: 1, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "breaching",
    });
    alarm("errors-alarm", "The quota aggregation failed twice in a row (a usage source or DynamoDB); it resumes from its watermark.", {
      namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: this.aggregateFunction.name }, period: 900, statistic: "Sum", comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "notBreaching",
    });
    if (args.block) {
      alarm("block-overflow-alarm", "More users are blocked than the deny policies hold; raise quotas.enforcement.blockPolicyCount. They are still refused new credentials by the check API.", {
        ...own(QUOTA_METRICS.blockPolicyOverflowUsers), statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0, evaluationPeriods: 1, treatMissingData: "notBreaching",
      });
    }
    alarm("api-errors-alarm", "The quota check API answers 5xx: helpers fall back to their fail mode (open or closed).", {
      namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: { ApiId: this.api.id, Stage: "$default" }, period: 300, statistic: "Sum", comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 5, evaluationPeriods: 1, treatMissingData: "notBreaching",
    });

    // ---- Grants -----------------------------------------------------------------------------------
    const usageArns = [this.usageTable.arn, usageIndexArn];
    const keyUse = allow(KMS_USE_ACTIONS, [key], { sid: "UseStageKey", conditions: { StringEquals: { "kms:ViaService": [pulumi.interpolate`dynamodb.${env.region}.amazonaws.com`] } } });
    this.grants = {
      readUsage: (g) => grant(this, name, "read-usage", g, [allow(USAGE_READ_ACTIONS, usageArns, { sid: "ReadUsage" }), keyUse]),
      administer: (g) => grant(this, name, "administer", g, [
        allow(LIMITS_WRITE_ACTIONS, [this.limitsTable.arn], { sid: "ManageLimits" }),
        allow(USAGE_WRITE_ACTIONS, usageArns, { sid: "ReadUsageWriteUnblocks" }),
        keyUse,
      ]),
      invokeCheck: (g) => grant(this, name, "invoke-check", g, [allow(INVOKE_API_ACTIONS, [pulumi.interpolate`${this.api.executionArn}/*/GET/check`], { sid: "InvokeQuotaCheck" })]),
    };

    this.registerOutputs({
      checkUrl: this.checkUrl,
      limitsTableName: this.limitsTable.name,
      usageTableName: this.usageTable.name,
      topicArn: this.topic.arn,
      aggregateFunctionName: this.aggregateFunction.name,
      checkFunctionName: this.checkFunction.name,
      blockPolicyArns: this.blockPolicyArns,
      defaultLimits: defaultLimitsJson(args.defaults),
    });
  }
}
