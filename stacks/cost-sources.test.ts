/**
 * Prices from the AWS Price List and the daily reconciliation as the stages compose them: the price
 * function in every stage with quotas (models and Region from the stage), the reconciliation where the
 * analytics workgroup shares the inference account, with the analytics and billing read grants on its
 * role; prod (analytics in its own account) has none.
 */
import { describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import { at, policyOf, stringsOf } from "@ccb/infra/inventory";
import { runStage } from "./testing";

const FN = "aws:lambda/function:Function";

describe("cost sources in the stages", () => {
  it("prod: a daily price function priced for the stage's models and Region; no reconciliation (Athena is in another account)", async () => {
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
    expect(recorder.byType(FN).map((f) => f.name)).not.toContain("ccb-prod-quotas-reconcile");
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
