import * as pulumi from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as aws from "@pulumi/aws";
import { inputsOf, installMocks, policyOf, type ResourceRecorder, settle, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Telemetry from "./index";

let recorder: ResourceRecorder;
let telemetry: typeof Telemetry;
let rules: typeof Rules;

beforeAll(async () => {
  recorder = await installMocks({ accountId: "222222222222", region: "us-east-1" });
  telemetry = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
const code = {
  handler: "index.handler",
  archive: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset("export const handler = async () => ({})") }),
};
const TOPIC = "arn:aws:sns:us-east-1:222222222222:ccb-prod-alarms";
const args = (): Telemetry.ServiceQuotaMonitorArgs => ({
  namePrefix: "ccb-prod",
  scope: "cross-region",
  models: [
    { role: "primary", modelId: `us.${SONNET}`, baseModelId: SONNET, quotaCodes: { tokens: "L-1234ABCD" } },
    { role: "fast", modelId: `us.${HAIKU}`, baseModelId: HAIKU },
  ],
  topicArn: TOPIC,
  code,
  logRetentionDays: 30,
});

describe("ServiceQuotaMonitor", () => {
  it("alarms per model and kind on usage as a percentage of the published quota, at 80 % by default", async () => {
    const m = new telemetry.ServiceQuotaMonitor("sq", args());
    expect(await unwrap(pulumi.all(m.alarmNames))).toEqual([
      "ccb-prod-quota-primary-tokens",
      "ccb-prod-quota-primary-requests",
      "ccb-prod-quota-fast-tokens",
      "ccb-prod-quota-fast-requests",
    ]);
    await settle();
    const alarm = inputsOf<aws.cloudwatch.MetricAlarmArgs>(
      recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "sq-quota-primary-tokens"),
    );
    expect(alarm).toMatchObject({
      threshold: 80,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
    const [usage, quota, percent] = alarm.metricQueries ?? [];
    expect(usage?.metric).toMatchObject({
      namespace: "AWS/Bedrock",
      metricName: "EstimatedTPMQuotaUsage",
      dimensions: { ModelId: `us.${SONNET}` },
      period: 60,
      stat: "Sum",
    });
    expect(quota?.metric).toMatchObject({
      namespace: "ccb-prod/ServiceQuotas",
      metricName: "AppliedQuota",
      dimensions: { ModelId: `us.${SONNET}`, Kind: "tokens" },
      period: 60,
    });
    expect(percent).toMatchObject({ expression: "100 * usage / FILL(quota, REPEAT)", returnData: true });
    const requests = inputsOf<aws.cloudwatch.MetricAlarmArgs>(
      recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "sq-quota-fast-requests"),
    );
    expect(requests.metricQueries?.[0]?.metric).toMatchObject({ metricName: "Invocations", dimensions: { ModelId: `us.${HAIKU}` } });
    expect(m.dashboard).toMatchObject({ namespace: "ccb-prod/ServiceQuotas", thresholdPercent: 80 });
  });

  it("runs the publisher every minute with the targets, and grants quota reads and metrics in its namespace only", async () => {
    const m = new telemetry.ServiceQuotaMonitor("sq", {
      ...args(),
      thresholdPercent: 75,
      permissionsBoundaryArn: "arn:aws:iam::222222222222:policy/ccb-prod-workload-boundary",
    });
    await unwrap(m.functionName);
    await settle();
    const env =
      inputsOf<aws.lambda.FunctionArgs>(recorder.one("aws:lambda/function:Function", "sq-publisher-function")).environment?.variables ?? {};
    const targets = JSON.parse(env.QUOTA_TARGETS ?? "[]");
    expect(targets).toContainEqual({
      modelId: `us.${SONNET}`,
      baseModelId: SONNET,
      scope: "cross-region",
      kind: "tokens",
      quotaCode: "L-1234ABCD",
    });
    expect(targets).toContainEqual({ modelId: `us.${HAIKU}`, baseModelId: HAIKU, scope: "cross-region", kind: "requests" });
    expect(env.METRIC_NAMESPACE).toBe("ccb-prod/ServiceQuotas");
    expect(recorder.one("aws:cloudwatch/eventRule:EventRule", "sq-publisher-schedule").inputs.scheduleExpression).toBe("rate(1 minute)");
    expect(recorder.one("aws:cloudwatch/logGroup:LogGroup", "sq-publisher-logs").inputs.retentionInDays).toBe(30);
    expect(recorder.one("aws:iam/role:Role", "sq-publisher-role").inputs.permissionsBoundary).toBe(
      "arn:aws:iam::222222222222:policy/ccb-prod-workload-boundary",
    );
    const policy = policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "sq-publisher-policy").inputs.policy)!;
    const statements = policy.Statement as Array<{ Sid: string; Action: string[]; Condition?: unknown }>;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect([...bySid.ReadBedrockQuotas.Action].sort()).toEqual([
      "servicequotas:GetAWSDefaultServiceQuota",
      "servicequotas:GetServiceQuota",
      "servicequotas:ListAWSDefaultServiceQuotas",
      "servicequotas:ListServiceQuotas",
    ]);
    expect(bySid.PublishQuotas.Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "ccb-prod/ServiceQuotas" } });
    expect(recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "sq-quota-fast-tokens").inputs.threshold).toBe(75);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("refuses bad args, naming them", () => {
    expect(
      () =>
        new telemetry.ServiceQuotaMonitor("bad", {
          ...args(),
          thresholdPercent: 100,
          models: [{ role: "primary", modelId: "m", baseModelId: "m", quotaCodes: { tokens: "nope" } }],
        }),
    ).toThrow(/thresholdPercent.*quotaCodes.tokens/);
  });
});
