import { describe, expect, it } from "vitest";
import { loadAggregateConfig, loadCheckConfig } from "./config.js";
import { PRICING } from "./testing/fakes.js";

const base = {
  LIMITS_TABLE: "l",
  USAGE_TABLE: "u",
  ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:111111111111:t",
  PRICING_JSON: JSON.stringify(PRICING),
  INVOCATION_LOGS_SOURCE: JSON.stringify({ bucket: "b", accountId: "111111111111", region: "us-east-1", roleName: "r" }),
};

describe("Lambda configuration", () => {
  it("loads a complete aggregation configuration with defaults", () => {
    const c = loadAggregateConfig(base);
    expect(c).toMatchObject({
      enforceOn: "max",
      thresholds: [80, 90, 100],
      settleMs: 600_000,
      maxBacklogWindows: 96,
      invocationLogs: { prefix: "" },
      blockPolicyArns: [],
    });
  });

  it("names the variable that is wrong", () => {
    expect(() => loadAggregateConfig({ ...base, LIMITS_TABLE: "" })).toThrow(/LIMITS_TABLE is required/);
    expect(() => loadAggregateConfig({ ...base, ENFORCE_ON: "telemetry" })).toThrow(/ENFORCE_ON=telemetry needs TELEMETRY_SOURCE/);
    expect(() => loadAggregateConfig({ ...base, INVOCATION_LOGS_SOURCE: "{" })).toThrow(/INVOCATION_LOGS_SOURCE is not valid JSON/);
    expect(() => loadAggregateConfig({ ...base, INVOCATION_LOGS_SOURCE: undefined })).toThrow(/no usage to meter/);
    expect(() => loadAggregateConfig({ ...base, THRESHOLDS: "80,abc" })).toThrow(/percentages/);
    expect(() => loadAggregateConfig({ ...base, SETTLE_MINUTES: "500" })).toThrow(/SETTLE_MINUTES/);
    expect(() => loadAggregateConfig({ ...base, PRICING_JSON: "{}" })).toThrow(/default/);
  });

  it("reads the stage's default limit and rejects a bad one", () => {
    expect(
      loadAggregateConfig({ ...base, DEFAULT_LIMITS: '{"monthlyCostUsd":200,"monthlyMode":"block","dailyMode":"alert"}' }).defaultLimit,
    ).toMatchObject({ scope: "default", id: "default", monthlyCostUsd: 200, monthlyMode: "block" });
    expect(() =>
      loadAggregateConfig({ ...base, DEFAULT_LIMITS: '{"monthlyCostUsd":0,"monthlyMode":"block","dailyMode":"alert"}' }),
    ).toThrow(/DEFAULT_LIMITS: monthlyCostUsd must be a number > 0/);
    expect(() => loadCheckConfig({ LIMITS_TABLE: "l", USAGE_TABLE: "u", DEFAULT_LIMITS: '{"monthlyMode":"hard"}' })).toThrow(
      /DEFAULT_LIMITS: monthlyMode must be alert or block/,
    );
  });

  it("reads the stage's mode for both functions (absent: block), naming QUOTA_MODE when it is wrong", () => {
    expect(loadCheckConfig({ LIMITS_TABLE: "l", USAGE_TABLE: "u", QUOTA_MODE: "alert" }).stageMode).toBe("alert");
    expect(loadCheckConfig({ LIMITS_TABLE: "l", USAGE_TABLE: "u" }).stageMode).toBe("block");
    expect(loadAggregateConfig({ ...base, QUOTA_MODE: "alert" }).stageMode).toBe("alert");
    expect(() => loadCheckConfig({ LIMITS_TABLE: "l", USAGE_TABLE: "u", QUOTA_MODE: "soft" })).toThrow(/QUOTA_MODE must be alert or block/);
  });

  it("reads the claims the check API uses", () => {
    expect(loadCheckConfig({ LIMITS_TABLE: "l", USAGE_TABLE: "u", EMAIL_CLAIM: "upn", GROUPS_CLAIMS: "roles" }).claims).toEqual({
      emailClaim: "upn",
      groupsClaims: ["roles"],
    });
    expect(() => loadCheckConfig({ LIMITS_TABLE: "l", USAGE_TABLE: "u", MISSING_IDENTITY: "maybe" })).toThrow(/MISSING_IDENTITY/);
  });

  it("reads the shard count (absent: 1, no fan-out); above 1 it needs the worker function", () => {
    expect(loadAggregateConfig(base)).toMatchObject({ aggregationShards: 1 });
    expect(loadAggregateConfig(base).shardWorkerFunction).toBeUndefined();
    expect(
      loadAggregateConfig({ ...base, AGGREGATION_SHARDS: "8", SHARD_WORKER_FUNCTION: "ccb-prod-quota-aggregate-worker" }),
    ).toMatchObject({
      aggregationShards: 8,
      shardWorkerFunction: "ccb-prod-quota-aggregate-worker",
    });
    expect(() => loadAggregateConfig({ ...base, AGGREGATION_SHARDS: "8" })).toThrow(/SHARD_WORKER_FUNCTION is required/);
    for (const bad of ["0", "65", "2.5", "many"])
      expect(() => loadAggregateConfig({ ...base, AGGREGATION_SHARDS: bad, SHARD_WORKER_FUNCTION: "w" })).toThrow(/AGGREGATION_SHARDS/);
  });
});
