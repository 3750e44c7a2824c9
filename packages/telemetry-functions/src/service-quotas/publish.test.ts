/**
 * The quota publisher against moto's CloudWatch (the metric must land) and a Service Quotas stand-in for
 * Bedrock's quotas (moto's service-quotas serves only `vpc`; one test shows what the function does with it).
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { SERVICE_QUOTA_METRIC, type ServiceQuotaTarget } from "@ccb/contracts";
import { startMoto, type Moto } from "@ccb/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv, publishQuotas } from "./publish.js";
import { startServiceQuotasStandIn, type ServiceQuotasStandIn } from "./service-quotas-stand-in.js";

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
const NOW = new Date();

const target = (base: string, kind: "tokens" | "requests", extra: Partial<ServiceQuotaTarget> = {}): ServiceQuotaTarget => ({
  modelId: `us.${base}`,
  baseModelId: base,
  scope: "cross-region",
  kind,
  ...extra,
});

let moto: Moto;
let standIn: ServiceQuotasStandIn;
beforeAll(async () => {
  moto = await startMoto();
  standIn = await startServiceQuotasStandIn(
    [
      { QuotaCode: "L-AAAA0001", QuotaName: "On-demand model inference tokens per minute for Anthropic Claude Sonnet 4.5", Value: 200000 },
      {
        QuotaCode: "L-AAAA0002",
        QuotaName: "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
        Value: 4000000,
      },
      {
        QuotaCode: "L-AAAA0003",
        QuotaName: "Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.5 V1",
        Value: 400,
      },
    ],
    [
      {
        QuotaCode: "L-AAAA0002",
        QuotaName: "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
        Value: 2000000,
      },
      {
        QuotaCode: "L-BBBB0001",
        QuotaName: "Cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5",
        Value: 3000000,
      },
      {
        QuotaCode: "L-BBBB0002",
        QuotaName: "Global cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5",
        Value: 5000000,
      },
    ],
  );
}, 60_000);
afterAll(async () => {
  await moto?.close();
  await standIn?.close();
});

const clients = (serviceQuotasUrl: string) => ({
  serviceQuotas: new ServiceQuotasClient({ ...moto.clientOptions, endpoint: serviceQuotasUrl }),
  cloudwatch: new CloudWatchClient(moto.clientOptions),
  now: () => NOW,
});

async function landed(namespace: string, modelId: string, kind: string): Promise<number | undefined> {
  const cw = new CloudWatchClient(moto.clientOptions);
  const res = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: SERVICE_QUOTA_METRIC.name,
      Dimensions: [
        { Name: SERVICE_QUOTA_METRIC.modelDimension, Value: modelId },
        { Name: SERVICE_QUOTA_METRIC.kindDimension, Value: kind },
      ],
      StartTime: new Date(NOW.getTime() - 600_000),
      EndTime: new Date(NOW.getTime() + 600_000),
      Period: 60,
      Statistics: ["Maximum"],
    }),
  );
  return res.Datapoints?.[0]?.Maximum;
}

describe("service quota publisher", () => {
  it("finds quotas by name across pages, prefers the applied value, falls back to the AWS default, and the metric lands", async () => {
    const cfg = configFromEnv({
      METRIC_NAMESPACE: "ccb-pilot/ServiceQuotas",
      QUOTA_TARGETS: JSON.stringify([target(SONNET, "tokens"), target(SONNET, "requests"), target(HAIKU, "tokens")]),
    });
    const result = await publishQuotas(clients(standIn.url), cfg);
    expect(result.unresolved).toEqual([]);
    expect(result.published.map((q) => [q.target.modelId, q.target.kind, q.quotaCode, q.value, q.source])).toEqual([
      [`us.${SONNET}`, "tokens", "L-AAAA0002", 4000000, "applied"], // the cross-Region quota, not the on-demand one
      [`us.${SONNET}`, "requests", "L-AAAA0003", 400, "applied"],
      [`us.${HAIKU}`, "tokens", "L-BBBB0001", 3000000, "default"], // only among the defaults (found on page 1 of 2)
    ]);
    expect(await landed("ccb-pilot/ServiceQuotas", `us.${SONNET}`, "tokens")).toBe(4000000);
    expect(await landed("ccb-pilot/ServiceQuotas", `us.${SONNET}`, "requests")).toBe(400);
    expect(await landed("ccb-pilot/ServiceQuotas", `us.${HAIKU}`, "tokens")).toBe(3000000);
  });

  it("uses a configured quota code without listing, and reports a quota it cannot find instead of inventing one", async () => {
    standIn.calls.length = 0;
    const cfg = configFromEnv({
      METRIC_NAMESPACE: "ccb-prod/ServiceQuotas",
      QUOTA_TARGETS: JSON.stringify([
        target(HAIKU, "tokens", { modelId: `global.${HAIKU}`, scope: "global-cross-region", quotaCode: "L-BBBB0002" }),
        target(HAIKU, "requests", { quotaCode: "L-NOPE0000" }),
      ]),
    });
    const result = await publishQuotas(clients(standIn.url), cfg);
    expect(standIn.calls).not.toContain("ListServiceQuotas");
    expect(result.published.map((q) => [q.target.modelId, q.value, q.source])).toEqual([[`global.${HAIKU}`, 5000000, "default"]]);
    expect(result.unresolved.map((t) => `${t.modelId} ${t.kind}`)).toEqual([`us.${HAIKU} requests`]);
    expect(await landed("ccb-prod/ServiceQuotas", `us.${HAIKU}`, "requests")).toBeUndefined();
  });

  it("moto's own service-quotas (vpc only, no GetAWSDefaultServiceQuota) is why the stand-in exists: the run fails, nothing is published", async () => {
    const cfg = configFromEnv({
      METRIC_NAMESPACE: "ccb-moto/ServiceQuotas",
      QUOTA_TARGETS: JSON.stringify([target(SONNET, "tokens", { quotaCode: "L-AAAA0002" })]),
    });
    await expect(publishQuotas(clients(moto.url), cfg)).rejects.toThrow();
    expect(await landed("ccb-moto/ServiceQuotas", `us.${SONNET}`, "tokens")).toBeUndefined();
  });

  it("refuses an environment without targets", () => {
    expect(() => configFromEnv({ METRIC_NAMESPACE: "x/ServiceQuotas", QUOTA_TARGETS: "[]" })).toThrow(/QUOTA_TARGETS must be a non-empty/);
    expect(() => configFromEnv({ QUOTA_TARGETS: "[]" })).toThrow(/METRIC_NAMESPACE/);
  });
});
