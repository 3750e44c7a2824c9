import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { inputsOf, policyOf, settle, stringsOf, unwrap } from "../testing";
import { ACCOUNT, BOUNDARY, bySid, code, KEY, LOG_BUCKET_ARN, quotaServiceArgs as args, statements, TOPIC, useQuotaMocks } from "./testing";
import { expectEveryRoleBounded } from "../testing/suite";

const mocks = useQuotaMocks();
const { one, envOf } = mocks;
const FUNCTION = "aws:lambda/function:Function";

describe("QuotaService", () => {
  it("creates exactly the expected children", async () => {
    const q = new mocks.quotas.QuotaService("quota", args());
    await unwrap(q.checkUrl);
    await settle();
    const inventory = mocks.recorder.inventory().filter((l) => !l.startsWith("pulumi:"));
    expect(inventory).toEqual([
      "aws:apigatewayv2/api:Api quota-api",
      "aws:apigatewayv2/authorizer:Authorizer quota-api-jwt",
      "aws:apigatewayv2/integration:Integration quota-api-check",
      "aws:apigatewayv2/route:Route quota-api-check",
      "aws:apigatewayv2/stage:Stage quota-api-stage",
      "aws:cloudwatch/eventRule:EventRule quota-schedule",
      "aws:cloudwatch/eventTarget:EventTarget quota-schedule",
      "aws:cloudwatch/logGroup:LogGroup quota-aggregate-logs",
      "aws:cloudwatch/logGroup:LogGroup quota-api-access-logs",
      "aws:cloudwatch/logGroup:LogGroup quota-check-logs",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-api-errors-alarm",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-block-overflow-alarm",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-drift-alarm",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-errors-alarm",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-stale-alarm",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-unattributed-alarm",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-unknown-sessions-alarm",
      "aws:dynamodb/table:Table quota-limits",
      "aws:dynamodb/table:Table quota-usage",
      "aws:iam/policy:Policy quota-block-0",
      "aws:iam/policy:Policy quota-block-1",
      "aws:iam/role:Role quota-aggregate-role",
      "aws:iam/role:Role quota-check-role",
      "aws:iam/rolePolicy:RolePolicy quota-aggregate-permissions",
      "aws:iam/rolePolicy:RolePolicy quota-check-permissions",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment quota-block-0",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment quota-block-1",
      "aws:lambda/function:Function quota-aggregate",
      "aws:lambda/function:Function quota-check",
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig quota-aggregate-invoke-config",
      "aws:lambda/permission:Permission quota-api-invoke",
      "aws:lambda/permission:Permission quota-schedule-invoke",
      "aws:sns/topic:Topic quota-alerts",
      "aws:sns/topicPolicy:TopicPolicy quota-alerts-policy",
      "aws:sns/topicSubscription:TopicSubscription quota-alerts-370d7c57",
      "aws:sns/topicSubscription:TopicSubscription quota-alerts-6bfbb174",
      "claude-code-bedrock:quotas:QuotaService quota",
    ]);
    // Every role the component creates carries the boundary it was given.
    expectEveryRoleBounded(mocks.recorder, BOUNDARY);
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("tables: on-demand, PITR, KMS with the stage key, TTL on usage, the period index, deletion protection; no items", async () => {
    new mocks.quotas.QuotaService("quota", args());
    await settle();
    for (const t of ["quota-limits", "quota-usage"]) {
      expect(one("aws:dynamodb/table:Table", t).inputs).toMatchObject({
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
        deletionProtectionEnabled: true,
      });
    }
    const usage = one("aws:dynamodb/table:Table", "quota-usage").inputs;
    expect(usage).toMatchObject({ hashKey: "pk", rangeKey: "sk", ttl: { attributeName: "expiresAt", enabled: true } });
    // No index: the aggregation reads each user bucket's partition with consistent queries.
    expect(usage.globalSecondaryIndexes).toBeUndefined();
    expect(one("aws:dynamodb/table:Table", "quota-limits").inputs).toMatchObject({ hashKey: "scope", rangeKey: "id" });
    // The default limit is configuration for the Lambdas, not an item a deployment would have to write.
    expect(mocks.recorder.byType("aws:dynamodb/tableItem:TableItem")).toEqual([]);
    for (const fn of ["quota-aggregate", "quota-check"]) {
      expect(JSON.parse(envOf(fn).DEFAULT_LIMITS)).toEqual({
        monthlyCostUsd: 200,
        dailyCostUsd: 30,
        monthlyMode: "block",
        dailyMode: "alert",
      });
    }
  });

  it("check API: GET /check behind a JWT authorizer with the stage's issuer and client id, logged and throttled", async () => {
    const q = new mocks.quotas.QuotaService("quota", args());
    expect(await unwrap(q.checkUrl)).toBe("https://quota-api.execute-api.us-east-1.amazonaws.com/check");
    await settle();
    expect(one("aws:apigatewayv2/authorizer:Authorizer", "quota-api-jwt").inputs).toMatchObject({
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: { issuer: "https://example.okta.com/oauth2/default", audiences: ["0oa1prodclient"] },
    });
    expect(one("aws:apigatewayv2/route:Route", "quota-api-check").inputs).toMatchObject({
      routeKey: "GET /check",
      authorizationType: "JWT",
      authorizerId: "quota-api-jwt-id",
    });
    expect(one("aws:apigatewayv2/integration:Integration", "quota-api-check").inputs).toMatchObject({
      integrationType: "AWS_PROXY",
      payloadFormatVersion: "2.0",
    });
    const stage = inputsOf<aws.apigatewayv2.StageArgs>(one("aws:apigatewayv2/stage:Stage", "quota-api-stage"));
    expect(stage.defaultRouteSettings).toMatchObject({ throttlingRateLimit: 50, throttlingBurstLimit: 100 });
    expect(stage.accessLogSettings?.destinationArn).toContain("log-group:/aws/apigateway/ccb-prod-quota-api");
    expect(stage.accessLogSettings?.format).not.toMatch(/authorization|header/i);
    expect(one("aws:lambda/permission:Permission", "quota-api-invoke").inputs).toMatchObject({
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:quota-api/*/GET/check`,
    });
  });

  it("check API with IAM authorisation for IAM Identity Center stages, and a grant to call it", async () => {
    const q = new mocks.quotas.QuotaService(
      "quota",
      args({ checkApi: { ...args().checkApi, authorization: "iam", issuerUrl: undefined, audiences: undefined } }),
    );
    const g = q.grants.invokeCheck({ roleName: "AWSReservedSSO_Developers_abc", key: "developers" });
    await settle();
    expect(mocks.recorder.byType("aws:apigatewayv2/authorizer:Authorizer")).toEqual([]);
    expect(one("aws:apigatewayv2/route:Route", "quota-api-check").inputs).toMatchObject({ authorizationType: "AWS_IAM" });
    expect(statements(one("aws:iam/rolePolicy:RolePolicy", "quota-invoke-check-developers"))).toEqual([
      {
        Sid: "InvokeQuotaCheck",
        Effect: "Allow",
        Action: ["execute-api:Invoke"],
        Resource: [`arn:aws:execute-api:us-east-1:${ACCOUNT}:quota-api/*/GET/check`],
      },
    ]);
    expect(g.statements).toHaveLength(1);
  });

  it("aggregation role: least privilege, IAM writes on exactly the block policies", async () => {
    new mocks.quotas.QuotaService("quota", args());
    await settle();
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-permissions");
    const usageArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ccb-prod-quota-usage`;
    expect(bySid(p, "RewriteBlockPolicies")).toEqual({
      Sid: "RewriteBlockPolicies",
      Effect: "Allow",
      Action: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"],
      Resource: [`arn:aws:iam::${ACCOUNT}:policy/ccb-prod-quota-block-0`, `arn:aws:iam::${ACCOUNT}:policy/ccb-prod-quota-block-1`],
    });
    expect(bySid(p, "MeterUsage")).toEqual({
      Sid: "MeterUsage",
      Effect: "Allow",
      Action: [
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ],
      Resource: [usageArn],
    });
    expect(bySid(p, "ReadLimits")).toMatchObject({ Action: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"] });
    expect(bySid(p, "PublishOwnMetrics").Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "ClaudeCodeBedrock/Quotas" } });
    expect(bySid(p, "ListInvocationLogs")).toEqual({
      Sid: "ListInvocationLogs",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [LOG_BUCKET_ARN],
      Condition: { StringLike: { "s3:prefix": [`AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/*`] } },
    });
    expect(bySid(p, "ReadInvocationLogs").Resource).toEqual([`${LOG_BUCKET_ARN}/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/*`]);
    expect(bySid(p, "UseStageKey").Condition?.StringEquals?.["kms:ViaService"]).toEqual([
      "dynamodb.us-east-1.amazonaws.com",
      "sns.us-east-1.amazonaws.com",
      "s3.us-east-1.amazonaws.com",
    ]);
    const allActions = statements(p).flatMap((s) => stringsOf(s.Action));
    expect(allActions.filter((a: string) => a.includes("*"))).toEqual([]);
    expect(allActions).not.toContain("iam:AttachRolePolicy");
    expect(allActions).not.toContain("iam:PutRolePolicy");
    // The check function can read, and write nothing but the group profile.
    const c = one("aws:iam/rolePolicy:RolePolicy", "quota-check-permissions");
    expect(
      statements(c)
        .flatMap((s) => stringsOf(s.Action))
        .filter((a: string) => /^(dynamodb|sns|iam):(Put|Update|Delete|Publish|Create)/.test(a)),
    ).toEqual(["dynamodb:PutItem"]);
  });

  it("block policies start empty, are owned by the Lambda afterwards, and are attached to the user role", async () => {
    new mocks.quotas.QuotaService("quota", args());
    await settle();
    const p = one("aws:iam/policy:Policy", "quota-block-0");
    expect(JSON.parse(String(p.inputs.policy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyQuotaBlockedUsers",
          Effect: "Deny",
          Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
          Resource: "*",
          Condition: { StringLike: { "aws:userid": ["*:~no-blocked-users~"] } },
        },
      ],
    });
    expect(one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "quota-block-1").inputs).toEqual({
      role: "ccb-prod-bedrock-users",
      policyArn: `arn:aws:iam::${ACCOUNT}:policy/ccb-prod-quota-block-1`,
    });
  });

  it("functions: JSON logs to their retained, encrypted log groups; one aggregation at a time; env wired", async () => {
    new mocks.quotas.QuotaService("quota", args());
    await settle();
    const agg = inputsOf<aws.lambda.FunctionArgs>(one(FUNCTION, "quota-aggregate"), FUNCTION);
    expect(agg).toMatchObject({
      name: "ccb-prod-quota-aggregate",
      runtime: "nodejs22.x",
      reservedConcurrentExecutions: 1,
      timeout: 300,
      loggingConfig: { logFormat: "JSON", logGroup: "/aws/lambda/ccb-prod-quota-aggregate" },
    });
    const env = agg.environment?.variables ?? {};
    expect(env).toMatchObject({
      LIMITS_TABLE: "ccb-prod-quota-limits",
      USAGE_TABLE: "ccb-prod-quota-usage",
      THRESHOLDS: "80,90,100",
      ENFORCE_ON: "max",
      STAGE: "prod",
      METRICS_NAMESPACE: "ClaudeCodeBedrock/Quotas",
      SETTLE_MINUTES: "10",
    });
    expect(JSON.parse(env.INVOCATION_LOGS_SOURCE)).toEqual({
      bucket: "ccb-prod-invocation-logs",
      prefix: "",
      accountId: ACCOUNT,
      region: "us-east-1",
      roleName: "ccb-prod-bedrock-users",
    });
    expect(env.BLOCK_POLICY_ARNS).toBe(
      `arn:aws:iam::${ACCOUNT}:policy/ccb-prod-quota-block-0,arn:aws:iam::${ACCOUNT}:policy/ccb-prod-quota-block-1`,
    );
    const pricing = JSON.parse(env.PRICING_JSON);
    expect(pricing.models["anthropic.claude-sonnet-4-5-20250929-v1:0"]).toEqual({ input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 });
    expect(pricing.default).toEqual({ input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 });
    for (const lg of ["quota-aggregate-logs", "quota-check-logs", "quota-api-access-logs"])
      expect(one("aws:cloudwatch/logGroup:LogGroup", lg).inputs).toMatchObject({ retentionInDays: 365, kmsKeyId: KEY });
    expect(envOf("quota-check")).toMatchObject({
      EMAIL_CLAIM: "email",
      GROUPS_CLAIMS: "groups",
      MISSING_IDENTITY: "block",
    });
  });

  it("both functions are told the stage's mode (an alert stage never refuses, whatever a record says)", async () => {
    new mocks.quotas.QuotaService("quota", args({ mode: "alert" }));
    await settle();
    for (const fn of ["quota-aggregate", "quota-check"]) expect(envOf(fn).QUOTA_MODE).toBe("alert");
  });

  it("schedule every 15 minutes; alarms go to the stage's alarm topic; alerts to an encrypted, TLS-only topic", async () => {
    new mocks.quotas.QuotaService("quota", args());
    await settle();
    expect(one("aws:cloudwatch/eventRule:EventRule", "quota-schedule").inputs.scheduleExpression).toBe("rate(15 minutes)");
    expect(one("aws:lambda/permission:Permission", "quota-schedule-invoke").inputs).toMatchObject({ principal: "events.amazonaws.com" });
    expect(one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "quota-aggregate-invoke-config").inputs).toMatchObject({
      functionName: "ccb-prod-quota-aggregate",
      maximumRetryAttempts: 0,
    });
    for (const a of mocks.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm")) expect(a.inputs.alarmActions).toEqual([TOPIC]);
    expect(one("aws:cloudwatch/metricAlarm:MetricAlarm", "quota-drift-alarm").inputs).toMatchObject({
      namespace: "ClaudeCodeBedrock/Quotas",
      metricName: "UsersWithUsageDrift",
      dimensions: { Stage: "prod" },
      threshold: 0,
    });
    // Both fire on any session the quotas cannot charge: every 15 minutes, on the stage's topic, back to OK too.
    const unchargeable = { "quota-unattributed-alarm": "UnattributedInvocations", "quota-unknown-sessions-alarm": "UnknownSessionUsers" };
    for (const [name, metricName] of Object.entries(unchargeable)) {
      expect(one("aws:cloudwatch/metricAlarm:MetricAlarm", name).inputs, name).toMatchObject({
        namespace: "ClaudeCodeBedrock/Quotas",
        metricName,
        dimensions: { Stage: "prod" },
        period: 900,
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
        okActions: [TOPIC],
      });
    }
    expect(one("aws:sns/topic:Topic", "quota-alerts").inputs.kmsMasterKeyId).toBe(KEY);
    expect(statements(one("aws:sns/topicPolicy:TopicPolicy", "quota-alerts-policy"))[0]).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(
      mocks.recorder
        .byType("aws:sns/topicSubscription:TopicSubscription")
        .map((s) => s.inputs.endpoint)
        .sort(),
    ).toEqual(["finops@example.com", "platform@example.com"]);
  });

  it("without invocation logs: no S3 access, no drift alarm; without block: no IAM permissions at all", async () => {
    new mocks.quotas.QuotaService("quota", args({ sources: { telemetry: args().sources.telemetry! }, block: undefined }));
    await settle();
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-permissions");
    const actions = statements(p).flatMap((s) => stringsOf(s.Action));
    expect(actions.filter((a: string) => a.startsWith("s3:") || a.startsWith("iam:"))).toEqual([]);
    expect(mocks.recorder.byType("aws:iam/policy:Policy")).toEqual([]);
    expect(mocks.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name)).not.toContain("quota-drift-alarm");
    expect(mocks.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name)).not.toContain("quota-unattributed-alarm");
    expect(mocks.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name)).not.toContain(
      "quota-unknown-sessions-alarm",
    );
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("reads telemetry in another account through a read-only role trusted by the aggregation role only", async () => {
    const aws = await import("@pulumi/aws");
    const telemetryProvider = new aws.Provider("telemetry-provider", { region: "us-east-1", allowedAccountIds: ["333333333333"] });
    new mocks.quotas.QuotaService(
      "quota",
      args({
        sources: {
          ...args().sources,
          telemetry: {
            ...args().sources.telemetry!,
            crossAccount: {
              provider: telemetryProvider,
              accountId: "333333333333",
              organizationId: "o-exampleorg1",
              permissionsBoundaryArn: "arn:aws:iam::333333333333:policy/ccb-prod-workload-boundary",
            },
          },
        },
      }),
    );
    await settle();
    const role = one("aws:iam/role:Role", "quota-telemetry-read");
    expect(role.account).toBe("333333333333");
    expect(role.inputs.permissionsBoundary).toBe("arn:aws:iam::333333333333:policy/ccb-prod-workload-boundary");
    expect(policyOf(role.inputs.assumeRolePolicy)!.Statement).toEqual([
      {
        Sid: "CrossAccountCallers",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/quota-aggregate-role`] },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1", "sts:ExternalId": "ccb-prod-quota-aggregate" } },
      },
    ]);
    expect(statements(one("aws:iam/rolePolicy:RolePolicy", "quota-telemetry-read"))[0].Action).toEqual([
      "cloudwatch:GetMetricData",
      "cloudwatch:ListMetrics",
    ]);
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-permissions");
    expect(bySid(p, "ReadTelemetryInItsAccount")).toEqual({
      Sid: "ReadTelemetryInItsAccount",
      Effect: "Allow",
      Action: ["sts:AssumeRole"],
      Resource: ["arn:aws:iam::333333333333:role/ccb-prod-quota-telemetry-read"],
    });
    expect(statements(p).find((s) => s.Sid === "ReadTelemetryMetric")).toBeUndefined();
    expect(JSON.parse(envOf("quota-aggregate").TELEMETRY_SOURCE)).toMatchObject({
      roleArn: "arn:aws:iam::333333333333:role/ccb-prod-quota-telemetry-read",
      externalId: "ccb-prod-quota-aggregate",
    });
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("prices application inference profiles as their base model", async () => {
    const profile = `arn:aws:bedrock:us-east-1:${ACCOUNT}:application-inference-profile/abc123`;
    new mocks.quotas.QuotaService(
      "quota",
      args({ modelAliases: [{ id: pulumi.output(profile), baseModelId: "anthropic.claude-haiku-4-5-20251001-v1:0" }] }),
    );
    await settle();
    const pricing = JSON.parse(envOf("quota-aggregate").PRICING_JSON);
    expect(pricing.models[profile]).toEqual({ input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 });
    expect(() => new mocks.quotas.QuotaService("bad", args({ modelAliases: [{ id: profile, baseModelId: "nope" }] }))).toThrow(
      /`modelAliases\[0\].baseModelId` "nope"/,
    );
  });

  it("reads telemetry with Logs Insights over the collector's log group when given (not per-series GetMetricData)", async () => {
    const group = { name: "/ccb-prod/telemetry/metrics", arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ccb-prod/telemetry/metrics` };
    new mocks.quotas.QuotaService(
      "quota",
      args({ sources: { ...args().sources, telemetry: { ...args().sources.telemetry!, logGroup: group } } }),
    );
    await settle();
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-permissions");
    expect(bySid(p, "QueryTelemetryLogs")).toEqual({
      Sid: "QueryTelemetryLogs",
      Effect: "Allow",
      Action: ["logs:StartQuery"],
      Resource: [group.arn, `${group.arn}:*`],
    });
    expect(bySid(p, "ReadTelemetryQueryResults").Action).toEqual(["logs:GetQueryResults", "logs:StopQuery"]);
    expect(statements(p).find((s) => s.Sid === "ReadTelemetryMetric")).toBeUndefined();
    expect(JSON.parse(envOf("quota-aggregate").TELEMETRY_SOURCE)).toMatchObject({
      logGroupName: group.name,
    });
  });

  it("Cognito stages key the block on the email principal tag", async () => {
    new mocks.quotas.QuotaService("quota", args({ block: { roleName: "pool-auth", policyCount: 1, key: { principalTag: "email" } } }));
    await settle();
    expect(policyOf(one("aws:iam/policy:Policy", "quota-block-0").inputs.policy)?.Statement[0]?.Condition).toEqual({
      StringEqualsIgnoreCase: { "aws:PrincipalTag/email": ["~no-blocked-users~"] },
    });
    expect(envOf("quota-aggregate").BLOCK_PRINCIPAL_TAG).toBe("email");
  });

  it("grants: read-only usage, and the admin CLI's set of table actions", async () => {
    const q = new mocks.quotas.QuotaService("quota", args());
    q.grants.readUsage({ roleName: "dashboards", key: "dashboards" });
    q.grants.administer({ roleName: "platform-admins", key: "admins" });
    await settle();
    const read = statements(one("aws:iam/rolePolicy:RolePolicy", "quota-read-usage-dashboards"));
    expect(read[0].Action).toEqual(["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]);
    const admin = statements(one("aws:iam/rolePolicy:RolePolicy", "quota-administer-admins"));
    expect(admin.map((s) => s.Sid)).toEqual(["ManageLimits", "ReadUsageWriteUnblocks", "UseStageKey"]);
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("rate limits: a Logs subscription feeds a least-privilege rate function that rewrites only its own deny policies", async () => {
    const logGroup = {
      name: "/aws/bedrock/ccb-prod-invocations",
      arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/bedrock/ccb-prod-invocations`,
    };
    new mocks.quotas.QuotaService(
      "quota",
      args({
        rateLimits: {
          code,
          roleName: "ccb-prod-bedrock-users",
          tokensPerMinute: 400_000,
          requestsPerMinute: 60,
          cooldownMinutes: 10,
          logGroup,
          policyCount: 1,
        },
      }),
    );
    await settle();
    expect(envOf("quota-rate")).toMatchObject({
      RATE_LIMITS: JSON.stringify({ tokensPerMinute: 400_000, requestsPerMinute: 60, cooldownMinutes: 10 }),
      QUOTA_MODE: "block",
      ROLE_NAME: "ccb-prod-bedrock-users",
    });
    expect(one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "quota-rate-subscription").inputs).toMatchObject({
      logGroup: logGroup.name,
      filterPattern: "",
    });
    expect(one("aws:lambda/permission:Permission", "quota-rate-logs-invoke").inputs).toMatchObject({
      principal: "logs.amazonaws.com",
      sourceArn: `${logGroup.arn}:*`,
      sourceAccount: ACCOUNT,
    });
    const rateBlock = one("aws:iam/policy:Policy", "quota-rate-block-0");
    expect(policyOf(rateBlock.inputs.policy)!.Statement[0].Effect).toBe("Deny");
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-rate-permissions");
    const iamStatement = bySid(p, "RewriteRateBlockPolicies");
    expect(iamStatement.Resource).toEqual([`arn:aws:iam::${ACCOUNT}:policy/ccb-prod-quota-rate-block-0`]);
    // The budget policies stay the aggregation's: the rate function cannot touch them.
    expect(JSON.stringify(iamStatement.Resource)).not.toContain("quota-block-");
    expect(
      statements(p)
        .flatMap((x) => stringsOf(x.Action))
        .filter((a) => a.includes("*")),
    ).toEqual([]);
    expect(one("aws:iam/role:Role", "quota-rate-role").inputs.permissionsBoundary).toBe(BOUNDARY);
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("rate limits need a limit; without the block they only alert", async () => {
    const logGroup = { name: "g", arn: "arn:aws:logs:us-east-1:111111111111:log-group:g" };
    expect(
      mocks.quotas.validateQuotaServiceArgs(
        args({
          block: undefined,
          rateLimits: { code, roleName: "r", tokensPerMinute: 1000, cooldownMinutes: 10, logGroup, policyCount: 1 },
        }),
      ),
    ).toEqual([]);
    expect(
      mocks.quotas.validateQuotaServiceArgs(args({ rateLimits: { code, roleName: "r", cooldownMinutes: 0, logGroup, policyCount: 3 } })),
    ).toEqual([
      "`rateLimits` needs `tokensPerMinute` or `requestsPerMinute` (leave `rateLimits` out for none)",
      "`rateLimits.cooldownMinutes` must be a whole number > 0",
      "`rateLimits.policyCount` must be 1–2 (managed policies on the user role, next to the budget block policies)",
    ]);
    new mocks.quotas.QuotaService(
      "quota",
      args({
        block: undefined,
        mode: "alert",
        rateLimits: { code, roleName: "ccb-prod-bedrock-users", tokensPerMinute: 1000, cooldownMinutes: 10, logGroup, policyCount: 1 },
      }),
    );
    await settle();
    expect(envOf("quota-rate").QUOTA_MODE).toBe("alert");
    expect(mocks.recorder.byType("aws:iam/policy:Policy")).toEqual([]);
    expect(
      statements(one("aws:iam/rolePolicy:RolePolicy", "quota-rate-permissions"))
        .flatMap((x) => stringsOf(x.Action))
        .filter((a) => a.startsWith("iam:")),
    ).toEqual([]);
  });

  it("rejects bad arguments naming each one", () => {
    expect(
      () =>
        new mocks.quotas.QuotaService(
          "bad",
          args({
            defaults: { monthlyTokens: 100, dailyTokens: 1000, monthlyMode: "block", dailyMode: "alert" },
            thresholds: [90, 80],
            alertEmails: ["nope"],
            sources: {},
            checkApi: { ...args().checkApi, issuerUrl: "http://example.okta.com", audiences: ["*"] },
            block: { roleName: "r", policyCount: 0, key: "session-name" },
          }),
        ),
    ).toThrow(
      /`defaults.dailyTokens` exceeds[\s\S]*`thresholds`[\s\S]*`alertEmails\[0\]`[\s\S]*`sources`[\s\S]*`block.policyCount`[\s\S]*`checkApi.issuerUrl`[\s\S]*`checkApi.audiences`/,
    );
  });
});
