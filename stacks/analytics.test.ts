/**
 * The analytics area in both stages: on in prod (in the telemetry account, pricing the teams'
 * application inference profiles), off in the pilot, config mistakes reported with their keys.
 */
import { describe, expect, it } from "vitest";
import { analytics, rules } from "@ccb/infra";
import { arr, at } from "@ccb/infra/inventory";
import { StageConfigError } from "./config/problems";
import { parseStageConfig } from "./config/stage-config";
import { edit, put, rawStage, runStage, type StageRun } from "./testing";

let prod: Promise<StageRun> | undefined;
const runProd = () => (prod ??= runStage("prod"));

describe("analytics in prod", () => {
  it("is on and creates the pipeline in the telemetry account, passing every rule", async () => {
    const { recorder } = await runProd();
    const telemetryAccount = at(rawStage("prod"), "accounts", "telemetry", "id");
    const pipeline = recorder.byType("claude-code-bedrock:analytics:AnalyticsPipeline");
    expect(pipeline.map((p) => p.name)).toEqual(["ccb-prod-analytics"]);
    const stream = recorder.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "ccb-prod-analytics-delivery");
    const workgroup = recorder.one("aws:athena/workgroup:Workgroup", "ccb-prod-analytics-workgroup");
    const database = recorder.one("aws:glue/catalogDatabase:CatalogDatabase", "ccb-prod-analytics-database");
    for (const r of [stream, workgroup, database]) expect(r.account).toBe(telemetryAccount);
    expect(recorder.byType("aws:athena/namedQuery:NamedQuery")).toHaveLength(
      analytics.NAMED_QUERIES.length + analytics.BILLING_QUERIES.length,
    );
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("applies the stage's settings: retention, cutoff, buffer", async () => {
    const { recorder } = await runProd();
    const cfg = at(rawStage("prod"), "analytics");
    expect(
      at(
        arr(
          recorder.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "ccb-prod-analytics-data-lifecycle").inputs
            .rules,
        )[0],
        "expiration",
        "days",
      ),
    ).toBe(at(cfg, "dataRetentionDays"));
    expect(
      at(
        recorder.one("aws:athena/workgroup:Workgroup", "ccb-prod-analytics-workgroup").inputs,
        "configuration",
        "bytesScannedCutoffPerQuery",
      ),
    ).toBe(Number(at(cfg, "bytesScannedCutoffGiB")) * 1024 ** 3);
    expect(
      at(
        recorder.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "ccb-prod-analytics-delivery").inputs,
        "extendedS3Configuration",
        "bufferingInterval",
      ),
    ).toBe(at(cfg, "bufferIntervalSeconds"));
  });

  it("prices every team's application inference profile as its base model", async () => {
    const { recorder } = await runProd();
    const csv = String(recorder.one("aws:s3/bucketObjectv2:BucketObjectv2", "ccb-prod-analytics-prices").inputs.content);
    const profiles = recorder.byType("aws:bedrock/inferenceProfile:InferenceProfile");
    expect(profiles.length).toBeGreaterThan(0);
    const teams = arr(at(rawStage("prod"), "teams"));
    // Each team has a profile per model role; each one's ARN is a row of the prices CSV.
    const rows = csv
      .trim()
      .split("\n")
      .filter((l) => l.includes(":application-inference-profile/"));
    expect(rows.length).toBe(profiles.length);
    expect(teams.length * 3).toBe(profiles.length);
    const sonnetRows = rows.filter((l) => l.endsWith(",sonnet,3,15,0.3,3.75"));
    expect(sonnetRows.length).toBe(teams.length);
  });

  it("exports the workgroup, database, buckets, stream and source log group as stack outputs", async () => {
    const { outputs } = await runProd();
    expect(outputs.analyticsWorkgroup).toBe("ccb-prod-analytics");
    expect(outputs.analyticsDatabase).toBe("ccb_prod_analytics");
    expect(outputs.analyticsDeliveryStream).toBe("ccb-prod-claude-code-metrics");
    expect(typeof outputs.analyticsSourceLogGroup).toBe("string");
    for (const k of ["analyticsDataBucket", "analyticsReferenceBucket", "analyticsResultsBucket"]) expect(outputs[k]).toBeTruthy();
  });
});

describe("where analytics reads from", () => {
  const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
  const SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter";

  it("subscribes to the collector's metrics log group when telemetry is on (no log group of its own)", async () => {
    const { recorder } = await runStage("prod", (raw) => {
      edit(raw, "telemetry", (v) => ({ ...v, enabled: true }));
    });
    const sub = recorder.one(SUBSCRIPTION, "ccb-prod-analytics-subscription").inputs;
    expect(recorder.resources.filter((r) => r.type === LOG_GROUP && r.name === "ccb-prod-analytics-emf")).toEqual([]);
    const telemetryGroups = recorder.byType(LOG_GROUP).filter((g) => !g.name.startsWith("ccb-prod-analytics"));
    expect(telemetryGroups.map((g) => g.inputs.name)).toContain(sub.logGroup);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("owns an EMF log group when telemetry is off", async () => {
    const { recorder } = await runStage("prod", (raw) => {
      raw.telemetry = { enabled: false };
    });
    const own = recorder.one(LOG_GROUP, "ccb-prod-analytics-emf").inputs;
    expect(own).toMatchObject({ name: "/ccb-prod/claude-code/analytics-emf", retentionInDays: 3 });
    expect(recorder.one(SUBSCRIPTION, "ccb-prod-analytics-subscription").inputs.logGroup).toBe(own.name);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});

describe("billed cost in prod", () => {
  it("exports the inference account's CUR 2.0 into a bucket there; the table and queries sit in the analytics workgroup", async () => {
    const { recorder, outputs } = await runProd();
    const stage = rawStage("prod");
    const exp = recorder.one("aws:bcmdata/export:Export", "ccb-prod-billing-export");
    expect([exp.account, exp.region]).toEqual([at(stage, "accounts", "inference", "id"), "us-east-1"]);
    expect(recorder.one("aws:s3/bucket:Bucket", "ccb-prod-billing-bucket").account).toBe(at(stage, "accounts", "inference", "id"));
    const table = recorder.one("aws:glue/catalogTable:CatalogTable", "ccb-prod-billing-table");
    expect(table.account).toBe(at(stage, "accounts", "telemetry", "id"));
    expect(table.inputs.databaseName).toBe("ccb_prod_analytics");
    // The payer activates cost allocation tags; prod's inference account is a member.
    expect(recorder.byType("aws:costexplorer/costAllocationTag:CostAllocationTag")).toEqual([]);
    expect(outputs.billingExportArn).toBeDefined();
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});

describe("analytics in the pilot", () => {
  it("is off: no pipeline resources", async () => {
    const { recorder, outputs } = await runStage("pilot");
    expect(recorder.byType("claude-code-bedrock:analytics:AnalyticsPipeline")).toEqual([]);
    expect(recorder.byType("aws:athena/workgroup:Workgroup")).toEqual([]);
    expect(outputs.analyticsWorkgroup).toBeUndefined();
  });
});

describe("analytics config", () => {
  const parseWith = (analyticsSection: Record<string, unknown>) => {
    const raw = rawStage("prod");
    put(raw, "analytics", analyticsSection);
    return parseStageConfig("prod", raw);
  };

  it("parses prod's block with its values and defaults", () => {
    const cfg = parseWith({ enabled: true }).analytics;
    expect(cfg).toEqual({
      enabled: true,
      dataRetentionDays: 730,
      resultsRetentionDays: 30,
      bytesScannedCutoffGiB: 10,
      bufferIntervalSeconds: 300,
      emfLogRetentionDays: 3,
      priceOverrides: {},
      analystRoleNames: [],
      forceDestroy: false,
      billing: {
        enabled: false,
        retentionDays: 1100,
        activateCostAllocationTags: false,
        tableConfigurationOverrides: {},
        reconciliation: { enabled: false, thresholdPercent: 10, minUsd: 1, schedule: "cron(0 7 * * ? *)" },
      },
    });
  });

  it("parses the billing block and names bad billing keys", () => {
    expect(parseWith({ enabled: true, billing: { enabled: true } }).analytics.billing).toEqual({
      enabled: true,
      retentionDays: 1100,
      activateCostAllocationTags: false,
      tableConfigurationOverrides: {},
      reconciliation: { enabled: true, thresholdPercent: 10, minUsd: 1, schedule: "cron(0 7 * * ? *)" },
    });
    expect(
      parseWith({ enabled: true, billing: { enabled: true, reconciliation: { thresholdPercent: 25, minUsd: 5, schedule: "rate(1 day)" } } })
        .analytics.billing.reconciliation,
    ).toEqual({ enabled: true, thresholdPercent: 25, minUsd: 5, schedule: "rate(1 day)" });
    expect(() => parseWith({ enabled: true, billing: { enabled: true, reconciliation: { schedule: "daily" } } })).toThrow(
      /stage\.analytics\.billing\.reconciliation\.schedule/,
    );
    let error: StageConfigError | undefined;
    try {
      parseWith({ enabled: true, billing: { enabled: true, retentionDays: 90, tableConfigurationOverrides: { "include-x": "TRUE" } } });
    } catch (e) {
      error = e as StageConfigError;
    }
    const problems = error!.problems.join("\n");
    expect(problems).toMatch(/stage\.analytics\.billing\.retentionDays: must be a whole number from 400 to 3653/);
    expect(problems).toMatch(
      /stage\.analytics\.billing\.tableConfigurationOverrides\.include-x: is not a CUR 2\.0 table configuration name/,
    );
    expect(() => parseWith({ enabled: false, billing: { enabled: true } })).toThrow(
      /stage\.analytics\.billing\.enabled: needs `analytics\.enabled: true`/,
    );
  });

  it("reports every bad key with its path and the fix", () => {
    let error: StageConfigError | undefined;
    try {
      parseWith({
        enabled: true,
        dataRetentionDays: 5,
        bytesScannedCutoffGiB: 0,
        bufferIntervalSeconds: 30,
        emfLogRetentionDays: 4,
        analystRoleNames: ["arn:aws:iam::1:role/x"],
        priceOverrides: { "anthropic.claude-nope": { input: 1 }, "anthropic.claude-sonnet-4-5-20250929-v1:0": { inptu: 1, output: -2 } },
      });
    } catch (e) {
      error = e as StageConfigError;
    }
    expect(error).toBeInstanceOf(StageConfigError);
    const problems = error!.problems.join("\n");
    expect(problems).toMatch(/stage\.analytics\.dataRetentionDays: must be a whole number from 30 to 3653/);
    expect(problems).toMatch(/stage\.analytics\.bytesScannedCutoffGiB/);
    expect(problems).toMatch(/stage\.analytics\.bufferIntervalSeconds/);
    expect(problems).toMatch(/stage\.analytics\.emfLogRetentionDays: 4 is not a CloudWatch retention/);
    expect(problems).toMatch(/stage\.analytics\.analystRoleNames\[0\]/);
    expect(problems).toMatch(/stage\.analytics\.priceOverrides\.anthropic\.claude-nope: is not a known base model id/);
    expect(problems).toMatch(
      /priceOverrides\.anthropic\.claude-sonnet-4-5-20250929-v1:0\.inptu: is not a known key: did you mean `input`\?/,
    );
    expect(problems.match(/\.inptu:/g)).toHaveLength(1);
    expect(problems).toMatch(/priceOverrides\.anthropic\.claude-sonnet-4-5-20250929-v1:0\.output: must be a number from 0 to 1000/);
  });

  it("ignores tuning keys while the area is off", () => {
    expect(parseWith({ enabled: false, dataRetentionDays: 5 }).analytics.enabled).toBe(false);
  });
});
