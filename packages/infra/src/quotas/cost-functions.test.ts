/**
 * The quota service's cost functions: the daily price source (AWS Price List → the price book item)
 * and the daily reconciliation (estimate vs bill), their schedules, least-privilege roles and alarms.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { policyOf, settle, unwrap } from "../testing";
import { ACCOUNT, bySid, code, quotaServiceArgs as args, statements, TOPIC, useQuotaMocks } from "./testing";

const mocks = useQuotaMocks();
const { one, envOf } = mocks;

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const withCost = () =>
  args({
    priceSource: { code, region: "us-east-1", models: [{ id: SONNET, prefixes: ["us", "global"] }], schedule: "rate(1 day)" },
    reconciliation: { code, workgroupName: "ccb-prod-analytics", thresholdPercent: 15, minUsd: 1, schedule: "cron(0 7 * * ? *)" },
  });
const usageArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ccb-prod-quota-usage`;

describe("QuotaService cost functions", () => {
  it("adds the price and reconciliation functions with their schedules, log groups and alarms, and nothing without them", async () => {
    const q = new mocks.quotas.QuotaService("quota", withCost());
    await unwrap(q.reconcileRoleName!);
    await settle();
    const names = mocks.recorder.inventory().filter((l) => /prices|reconcile|unpriced|billed-drift/.test(l));
    expect(names).toEqual([
      "aws:cloudwatch/eventRule:EventRule quota-prices-schedule",
      "aws:cloudwatch/eventRule:EventRule quota-reconcile-schedule",
      "aws:cloudwatch/eventTarget:EventTarget quota-prices-schedule",
      "aws:cloudwatch/eventTarget:EventTarget quota-reconcile-schedule",
      "aws:cloudwatch/logGroup:LogGroup quota-prices-logs",
      "aws:cloudwatch/logGroup:LogGroup quota-reconcile-logs",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-billed-drift-alarm",
      "aws:cloudwatch/metricAlarm:MetricAlarm quota-unpriced-model-alarm",
      "aws:iam/role:Role quota-prices-role",
      "aws:iam/role:Role quota-reconcile-role",
      "aws:iam/rolePolicy:RolePolicy quota-prices-permissions",
      "aws:iam/rolePolicy:RolePolicy quota-reconcile-permissions",
      "aws:lambda/function:Function quota-prices",
      "aws:lambda/function:Function quota-reconcile",
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig quota-prices-invoke-config",
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig quota-reconcile-invoke-config",
      "aws:lambda/permission:Permission quota-prices-schedule-invoke",
      "aws:lambda/permission:Permission quota-reconcile-schedule-invoke",
    ]);
    expect(one("aws:cloudwatch/eventRule:EventRule", "quota-prices-schedule").inputs.scheduleExpression).toBe("rate(1 day)");
    expect(one("aws:cloudwatch/eventRule:EventRule", "quota-reconcile-schedule").inputs.scheduleExpression).toBe("cron(0 7 * * ? *)");
    expect(await unwrap(q.reconcileRoleName!)).toMatch(/^quota-reconcile-role/);
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);

    mocks.recorder.clear();
    new mocks.quotas.QuotaService("quota", args());
    await settle();
    expect(mocks.recorder.inventory().filter((l) => /prices|reconcile|unpriced|billed-drift/.test(l))).toEqual([]);
  });

  it("price function: Price List read on * as the one marked exception, one conditioned item write, namespaced metrics", async () => {
    new mocks.quotas.QuotaService("quota", withCost());
    await settle();
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-prices-permissions");
    expect(bySid(p, "PriceListHasNoResourceTypes")).toEqual({
      Sid: "PriceListHasNoResourceTypes",
      Effect: "Allow",
      Action: ["pricing:GetProducts"],
      Resource: ["*"],
    });
    expect(bySid(p, "StorePriceBook")).toEqual({
      Sid: "StorePriceBook",
      Effect: "Allow",
      Action: ["dynamodb:PutItem"],
      Resource: [usageArn],
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["STATE"] } },
    });
    expect(bySid(p, "PublishOwnMetrics").Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "ClaudeCodeBedrock/Quotas" } });
    // Only the Price List statement is unscoped and unconditioned.
    const unscoped = statements(p).filter((s) => [s.Resource].flat().includes("*") && !s.Condition);
    expect(unscoped.map((s) => s.Sid)).toEqual(["PriceListHasNoResourceTypes"]);
    const env = envOf("quota-prices");
    expect(env).toMatchObject({ PRICE_REGION: "us-east-1", USAGE_TABLE: "ccb-prod-quota-usage", STAGE: "prod" });
    expect(JSON.parse(env.PRICED_MODELS ?? "null")).toEqual([{ id: SONNET, prefixes: ["us", "global"] }]);
    // The fallback book is the same one the aggregation gets.
    expect(env.PRICING_JSON).toBe(envOf("quota-aggregate").PRICING_JSON);
  });

  it("reconciliation function: its own metric only (Athena comes from the analytics grants), threshold in env and alarm", async () => {
    new mocks.quotas.QuotaService("quota", withCost());
    await settle();
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-reconcile-permissions");
    expect(statements(p).map((s) => s.Sid)).toEqual(["WriteOwnLogs", "PublishOwnMetrics"]);
    expect(envOf("quota-reconcile")).toMatchObject({
      ATHENA_WORKGROUP: "ccb-prod-analytics",
      RECONCILE_THRESHOLD_PERCENT: "15",
      RECONCILE_MIN_USD: "1",
    });
    expect(one("aws:cloudwatch/metricAlarm:MetricAlarm", "quota-billed-drift-alarm").inputs).toMatchObject({
      namespace: "ClaudeCodeBedrock/Quotas",
      metricName: "BilledDriftPercentMax",
      dimensions: { Stage: "prod" },
      period: 86400,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 15,
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
    expect(one("aws:cloudwatch/metricAlarm:MetricAlarm", "quota-unpriced-model-alarm").inputs).toMatchObject({
      metricName: "ModelsWithoutListPrice",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      alarmActions: [TOPIC],
    });
  });

  it("reconciliation in the analytics account: function, schedule, logs and alarm there, on that account's topic, key and boundary", async () => {
    const ANALYTICS = "333333333333";
    const provider = new aws.Provider("analytics-provider", { region: "us-east-1", allowedAccountIds: [ANALYTICS] });
    const topic = `arn:aws:sns:us-east-1:${ANALYTICS}:ccb-prod-telemetry-alarms`;
    const logKey = `arn:aws:kms:us-east-1:${ANALYTICS}:key/analytics`;
    const boundary = `arn:aws:iam::${ANALYTICS}:policy/ccb-test-workload-boundary`;
    const base = withCost();
    const q = new mocks.quotas.QuotaService("quota", {
      ...base,
      reconciliation: {
        ...base.reconciliation!,
        account: { provider, accountId: ANALYTICS, alarmTopicArn: topic, logKeyArn: logKey, permissionsBoundaryArn: boundary },
      },
    });
    const arns = await unwrap(pulumi.all(q.alarmArns));
    await settle();
    const reconcile = mocks.recorder.resources.filter((r) => /reconcile|billed-drift/.test(r.name));
    expect(reconcile.length).toBe(9);
    for (const r of reconcile) expect({ name: r.name, account: r.account }).toEqual({ name: r.name, account: ANALYTICS });
    // The price function and the other alarms stay in the quota service's account.
    expect(one("aws:lambda/function:Function", "quota-prices").account).toBe(ACCOUNT);
    expect(one("aws:cloudwatch/metricAlarm:MetricAlarm", "quota-unpriced-model-alarm").account).toBe(ACCOUNT);
    const alarm = one("aws:cloudwatch/metricAlarm:MetricAlarm", "quota-billed-drift-alarm");
    expect(alarm.inputs).toMatchObject({ alarmActions: [topic], okActions: [topic], threshold: 15 });
    expect(one("aws:cloudwatch/logGroup:LogGroup", "quota-reconcile-logs").inputs.kmsKeyId).toBe(logKey);
    const role = one("aws:iam/role:Role", "quota-reconcile-role").inputs;
    expect(role.permissionsBoundary).toBe(boundary);
    expect(JSON.stringify(policyOf(role.assumeRolePolicy))).toContain(ANALYTICS);
    expect(JSON.stringify(policyOf(role.assumeRolePolicy))).not.toContain(ACCOUNT);
    // The dashboard lists the alarm under the account it is in.
    expect(arns).toContain(`arn:aws:cloudwatch:us-east-1:${ANALYTICS}:alarm:ccb-prod-quotas-billed-drift-alarm`);
    expect(arns.filter((a) => a.includes(ANALYTICS))).toHaveLength(1);
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("price function with analytics: rewrites only the pricing prefix, reads only the row catalog, the analytics key through S3", async () => {
    const bucketArn = "arn:aws:s3:::ccb-prod-analytics-reference";
    const analyticsKey = "arn:aws:kms:us-east-1:333333333333:key/analytics";
    const base = withCost();
    new mocks.quotas.QuotaService("quota", {
      ...base,
      priceSource: {
        ...base.priceSource!,
        analyticsPricing: { bucketName: "ccb-prod-analytics-reference", bucketArn, keyArn: analyticsKey, region: "us-east-1" },
      },
    });
    await settle();
    expect(envOf("quota-prices").ANALYTICS_PRICING_BUCKET).toBe("ccb-prod-analytics-reference");
    // A policy of its own on the price role, so the analytics key's policy can name the role first.
    const grant = one("aws:iam/rolePolicy:RolePolicy", "quota-prices-analytics-pricing");
    expect(grant.inputs.role).toMatch(/^quota-prices-role/);
    expect(statements(grant)).toEqual([
      { Sid: "WriteAnalyticsPricing", Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${bucketArn}/pricing/*`] },
      {
        Sid: "ReadAnalyticsPricingCatalog",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [`${bucketArn}/pricing-catalog/rows.json`],
      },
      {
        Sid: "UseAnalyticsKeyThroughS3",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: [analyticsKey],
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
    // The function's own policy does not reach the analytics bucket.
    expect(JSON.stringify(statements(one("aws:iam/rolePolicy:RolePolicy", "quota-prices-permissions")))).not.toContain("analytics");
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("rejects bad cost-function arguments naming each one", () => {
    expect(
      () =>
        new mocks.quotas.QuotaService(
          "bad",
          args({
            priceSource: { code, region: "Virginia", models: [], schedule: "daily" },
            reconciliation: { code, workgroupName: "wg", thresholdPercent: 0, minUsd: -1, schedule: "rate(1 day)" },
          }),
        ),
    ).toThrow(
      /`priceSource.region`[\s\S]*`priceSource.models`[\s\S]*`priceSource.schedule`[\s\S]*`reconciliation.thresholdPercent`[\s\S]*`reconciliation.minUsd`/,
    );
  });
});
