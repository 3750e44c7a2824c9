/**
 * Bedrock service-quota alarms in both stages: per primary and fast model, tokens and requests per minute,
 * in the inference account on the stage's alarm topic, on the dashboard (section and alarm widget), in the
 * `alarmNames` output `verify` checks, and every security rule passes.
 */
import { describe, expect, it } from "vitest";
import type * as aws from "@pulumi/aws";
import { inference, rules } from "@ccb/infra";
import { at, inputsOf, str } from "@ccb/infra/inventory";
import { StageConfigError } from "./config/problems";
import { parseStageConfig } from "./config/stage-config";
import { quotaScope } from "./compose/service-quotas";
import { put, rawStage, runStage, type StageRun } from "./testing";

/** The parts of a dashboard body these tests read. */
interface DashboardJson {
  readonly widgets: ReadonlyArray<{
    readonly type: string;
    readonly properties: {
      readonly title?: string;
      readonly markdown?: string;
      readonly metrics?: ReadonlyArray<ReadonlyArray<string | Record<string, unknown>>>;
      readonly annotations?: { readonly horizontal: ReadonlyArray<{ readonly value: number }> };
      readonly alarms?: readonly string[];
    };
  }>;
}

const runs: Record<string, Promise<StageRun>> = {};
const run = (stage: "pilot" | "prod") => (runs[stage] ??= runStage(stage));

describe.each(["pilot", "prod"] as const)("Bedrock service quotas in %s", (stage) => {
  const cfg = () => rawStage(stage);
  // The models as the program reads them (typed: the profile and quota-scope helpers take the checked values).
  const models = () => parseStageConfig(stage, cfg()).models;

  it("alarms at 80 % of each quota of the primary and fast models, in the inference account, to the stage topic", async () => {
    const { recorder, outputs } = await run(stage);
    const c = cfg();
    const names = ["primary", "fast"].flatMap((role) => ["tokens", "requests"].map((kind) => `ccb-${stage}-quota-${role}-${kind}`));
    const alarms = recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => names.includes(str(a.inputs.name) ?? ""));
    expect(alarms.map((a) => a.inputs.name).sort()).toEqual([...names].sort());
    for (const a of alarms) {
      expect(a.account).toBe(at(c, "accounts", "inference", "id"));
      expect(a.inputs.threshold).toBe(80);
      expect(a.inputs.alarmActions).toEqual([outputs.alarmTopicArn]);
      expect(a.inputs.treatMissingData).toBe("notBreaching");
    }
    const primary = inputsOf<aws.cloudwatch.MetricAlarmArgs>(
      recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", `ccb-${stage}-service-quotas-quota-primary-tokens`),
    );
    const profile = inference.profileId(models().primary, models().crossRegion);
    expect(primary.metricQueries?.[0]?.metric?.dimensions).toEqual({ ModelId: profile });
    expect(primary.metricQueries?.[1]?.metric?.namespace).toBe(`ccb-${stage}/ServiceQuotas`);
    expect(outputs.alarmNames).toEqual(expect.arrayContaining(names));
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("publishes the quotas of the stage's cross-Region profiles from the inference account", async () => {
    const { recorder } = await run(stage);
    const c = cfg();
    const fn = recorder.one("aws:lambda/function:Function", `ccb-${stage}-service-quotas-publisher-function`);
    expect(fn.account).toBe(at(c, "accounts", "inference", "id"));
    const targets = JSON.parse(inputsOf<aws.lambda.FunctionArgs>(fn).environment?.variables?.QUOTA_TARGETS ?? "[]");
    expect(targets).toHaveLength(4);
    expect(new Set(targets.map((t: { scope: string }) => t.scope))).toEqual(new Set([quotaScope(models().crossRegion)]));
    expect(targets.map((t: { baseModelId: string }) => t.baseModelId)).toEqual([
      at(c, "models", "primary"),
      at(c, "models", "primary"),
      at(c, "models", "fast"),
      at(c, "models", "fast"),
    ]);
    expect(fn.inputs.handler).toMatch(/^index\./);
  });

  it("draws the Service quotas section and lists the quota alarms in the dashboard's alarm widget", async () => {
    const { recorder } = await run(stage);
    const c = cfg();
    const body = JSON.parse(
      String(recorder.one("aws:cloudwatch/dashboard:Dashboard", `ccb-${stage}-telemetry-dashboard`).inputs.dashboardBody),
    ) as DashboardJson;
    expect(body.widgets.some((w) => w.type === "text" && String(w.properties.markdown).startsWith("## Service quotas"))).toBe(true);
    const tokens = body.widgets.find((w) => w.properties.title === "Tokens per minute (% of quota)")!;
    expect(tokens.properties.annotations?.horizontal[0]?.value).toBe(80);
    const quotaRows = (tokens.properties.metrics ?? []).filter((m) => m[0] === `ccb-${stage}/ServiceQuotas`);
    expect(quotaRows).toHaveLength(2);
    const telemetryAccount = at(c, "accounts", "telemetry", "id") ?? at(c, "accounts", "inference", "id");
    // A dashboard in another account reads the inference account's metrics through the cross-account link.
    if (telemetryAccount !== at(c, "accounts", "inference", "id"))
      expect(quotaRows.every((m) => (m[m.length - 1] as { accountId?: string }).accountId === at(c, "accounts", "inference", "id"))).toBe(
        true,
      );
    const listed = body.widgets.find((w) => w.type === "alarm")!.properties.alarms ?? [];
    expect(listed).toContain(`arn:aws:cloudwatch:us-east-1:${at(c, "accounts", "inference", "id")}:alarm:ccb-${stage}-quota-fast-requests`);
  });
});

describe("stage.inference.serviceQuotaAlarms", () => {
  it("turned off: no publisher, no alarms, no section", async () => {
    const { recorder } = await runStage("pilot", (raw) => {
      put(raw, "inference.serviceQuotaAlarms", { enabled: false });
    });
    expect(recorder.byType("claude-code-bedrock:telemetry:ServiceQuotaMonitor")).toEqual([]);
    const body = recorder.one("aws:cloudwatch/dashboard:Dashboard", "ccb-pilot-telemetry-dashboard").inputs.dashboardBody as string;
    expect(body).not.toContain("ServiceQuotas");
  });

  it("passes configured quota codes and threshold to the function and alarms", async () => {
    const { recorder } = await runStage("prod", (raw) => {
      put(raw, "inference.serviceQuotaAlarms", { thresholdPercent: 70, quotaCodes: { primary: { tokens: "L-ABCDEF12" } } });
    });
    const targets = JSON.parse(
      inputsOf<aws.lambda.FunctionArgs>(recorder.one("aws:lambda/function:Function", "ccb-prod-service-quotas-publisher-function"))
        .environment?.variables?.QUOTA_TARGETS ?? "[]",
    );
    expect(targets.filter((t: { quotaCode?: string }) => t.quotaCode)).toEqual([
      expect.objectContaining({ kind: "tokens", quotaCode: "L-ABCDEF12" }),
    ]);
    expect(recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "ccb-prod-service-quotas-quota-fast-tokens").inputs.threshold).toBe(70);
  });

  it("refuses a malformed quota code or threshold, naming the key", () => {
    const raw = rawStage("pilot");
    put(raw, "inference.serviceQuotaAlarms", { thresholdPercent: 100, quotaCodes: { fast: { requests: "12345" } } });
    let problems = "";
    try {
      parseStageConfig("pilot", raw);
    } catch (e) {
      if (!(e instanceof StageConfigError)) throw e;
      problems = e.problems.join("\n");
    }
    expect(problems).toContain("stage.inference.serviceQuotaAlarms.thresholdPercent");
    expect(problems).toContain("stage.inference.serviceQuotaAlarms.quotaCodes.fast.requests");
  });

  it("counts a stage's calls against the quota family of its cross-Region choice", () => {
    expect(quotaScope("none")).toBe("on-demand");
    expect(quotaScope("us")).toBe("cross-region");
    expect(quotaScope("global")).toBe("global-cross-region");
  });
});
