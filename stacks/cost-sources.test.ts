/**
 * Prices from the AWS Price List and the daily reconciliation as the stages compose them: the price
 * function in every stage with quotas (models and Region from the stage), the reconciliation in the
 * analytics workgroup's account (prod: the telemetry account) with the analytics and billing read
 * grants on its role and its billed-drift alarm on that account's alarm topic.
 */
import { describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import { at, policyOf, principalsOf, str, stringsOf } from "@ccb/infra/inventory";
import { runStage } from "./testing";

const FN = "aws:lambda/function:Function";

describe("cost sources in the stages", () => {
  it("prod: a daily price function priced for the stage's models and Region", async () => {
    const { recorder } = await runStage("prod");
    const prices = recorder.one(FN, "ccb-prod-quotas-prices");
    expect(prices.account).toBe("222222222222");
    const env = at(prices.inputs, "environment", "variables") as Record<string, string>;
    expect(env.PRICE_REGION).toBe("us-east-1");
    const models = JSON.parse(env.PRICED_MODELS) as Array<{ id: string; prefixes: string[] }>;
    expect(models.length).toBeGreaterThan(0);
    for (const m of models) expect(m.id).toMatch(/^anthropic\.claude-/);
    expect(recorder.one("aws:cloudwatch/eventRule:EventRule", "ccb-prod-quotas-prices-schedule").inputs.scheduleExpression).toBe(
      "rate(1 day)",
    );
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("prod: the reconciliation and its billed-drift alarm run in the telemetry account beside the workgroup, notifying its topic", async () => {
    const { recorder, outputs } = await runStage("prod");
    const TELEMETRY = "333333333333";
    const fn = recorder.one(FN, "ccb-prod-quotas-reconcile");
    expect(fn.account).toBe(TELEMETRY);
    expect(at(fn.inputs, "environment", "variables", "ATHENA_WORKGROUP")).toBe(outputs.analyticsWorkgroup);
    for (const type of ["aws:iam/role:Role", "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/logGroup:LogGroup"])
      for (const r of recorder.byType(type).filter((x) => x.name.includes("reconcile"))) expect(r.account).toBe(TELEMETRY);
    const alarm = recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "ccb-prod-quotas-billed-drift-alarm");
    expect(alarm.account).toBe(TELEMETRY);
    // The telemetry account's own alarm topic (an alarm action must be in the alarm's account).
    expect(outputs.telemetryAlarmTopicArn).toContain(`:${TELEMETRY}:`);
    expect(alarm.inputs.alarmActions).toEqual([outputs.telemetryAlarmTopicArn]);
    expect(alarm.inputs.okActions).toEqual([outputs.telemetryAlarmTopicArn]);
    // Its logs are encrypted with the analytics key (in that account), not the inference key.
    const logs = recorder.one("aws:cloudwatch/logGroup:LogGroup", "ccb-prod-quotas-reconcile-logs");
    expect(logs.inputs.kmsKeyId).toContain(`:${TELEMETRY}:`);
    // The Athena/Glue/S3/KMS reads and the CUR reads are role policies in the same account as the role.
    const grants = recorder.byType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.includes("quota-reconcile"));
    expect(grants.length).toBeGreaterThanOrEqual(2);
    for (const g of grants) expect(g.account).toBe(TELEMETRY);
    const actions = grants.flatMap((g) => policyOf(g.inputs.policy)!.Statement.flatMap((s) => stringsOf(s.Action)));
    expect(actions).toEqual(expect.arrayContaining(["athena:StartQueryExecution", "glue:GetTable", "s3:GetObject", "kms:Decrypt"]));
    expect(outputs.quotaReconcileFunction).toBe("ccb-prod-quota-reconcile");
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("prod: the price function rewrites the analytics pricing table across accounts, granted exactly its prefix", async () => {
    const { recorder, outputs } = await runStage("prod");
    const TELEMETRY = "333333333333";
    const prices = recorder.one(FN, "ccb-prod-quotas-prices");
    const roleArn = prices.inputs.role as string;
    expect(roleArn).toMatch(/^arn:aws:iam::222222222222:role\//);
    expect(at(prices.inputs, "environment", "variables", "ANALYTICS_PRICING_BUCKET")).toBe(outputs.analyticsReferenceBucket);
    // The reference bucket (telemetry account) names the role for the pricing prefix and the row catalog only.
    const bucketPolicies = recorder
      .byType("aws:s3/bucketPolicy:BucketPolicy")
      .filter((p) => JSON.stringify(p.inputs.policy).includes(roleArn));
    expect(bucketPolicies.map((p) => p.name)).toEqual(["ccb-prod-analytics-reference-policy"]);
    expect(bucketPolicies[0]!.account).toBe(TELEMETRY);
    const granted = policyOf(bucketPolicies[0]!.inputs.policy)!.Statement.filter((s) => principalsOf(s, "AWS").includes(roleArn));
    expect(granted.map((s) => stringsOf(s.Resource)[0]!.replace(/^arn:aws:s3:::[^/]+/, ""))).toEqual([
      "/pricing/*",
      "/pricing-catalog/rows.json",
    ]);
    for (const s of granted) expect(s.Condition?.StringEquals?.["aws:PrincipalAccount"]).toBe("222222222222");
    // The analytics key too, through S3 only.
    const keys = recorder.byType("aws:kms/key:Key").filter((k) => JSON.stringify(k.inputs.policy).includes(roleArn));
    expect(keys.map((k) => k.account)).toEqual([TELEMETRY]);
    // The deploy-time CSV and the row catalog are in the reference bucket of the telemetry account.
    const objects = recorder.byType("aws:s3/bucketObjectv2:BucketObjectv2").filter((o) => /pricing/.test(str(o.inputs.key) ?? ""));
    expect(objects.map((o) => [o.inputs.key, o.account]).sort()).toEqual([
      ["pricing-catalog/rows.json", TELEMETRY],
      ["pricing/prices.csv", TELEMETRY],
    ]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("one-account stage with billing: the reconciliation queries the workgroup with the analytics and billing read grants", async () => {
    const { recorder, outputs } = await runStage("pilot", (raw) => {
      raw.analytics = { ...(raw.analytics ?? {}), enabled: true, billing: { enabled: true, reconciliation: { thresholdPercent: 12 } } };
    });
    const fn = recorder.one(FN, "ccb-pilot-quotas-reconcile");
    expect(at(fn.inputs, "environment", "variables")).toMatchObject({
      ATHENA_WORKGROUP: outputs.analyticsWorkgroup,
      RECONCILE_THRESHOLD_PERCENT: "12",
    });
    expect(recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "ccb-pilot-quotas-billed-drift-alarm").inputs.threshold).toBe(12);
    const grants = recorder.byType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.includes("quota-reconcile"));
    const actions = grants.flatMap((g) => policyOf(g.inputs.policy)!.Statement.flatMap((s) => stringsOf(s.Action)));
    expect(actions).toEqual(expect.arrayContaining(["athena:StartQueryExecution", "athena:GetQueryResults", "s3:GetObject"]));
    expect(outputs.quotaReconcileFunction).toBeDefined();
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});
