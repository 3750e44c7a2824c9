import * as pulumi from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as aws from "@pulumi/aws";
import {
  inputsOf,
  installMocks,
  policyOf,
  principalsOf,
  stringsOf,
  type RecordedResource,
  type ResourceRecorder,
  settle,
} from "../testing";
import type * as Rules from "../rules";
import type * as Quotas from "./index";

let recorder: ResourceRecorder;
let quotas: typeof Quotas;
let rules: typeof Rules;

const ACCOUNT = "111111111111";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0f9e8d7c-6b5a-4321-9876-abcdef012345`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:ccb-prod-alarms`;
const LOG_BUCKET_ARN = "arn:aws:s3:::ccb-prod-invocation-logs";

beforeAll(async () => {
  recorder = await installMocks({ accountId: ACCOUNT, region: "us-east-1" });
  quotas = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const code = {
  archive: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset("export const handler = async () => ({});") }),
  handler: "index.handler",
};

const BOUNDARY = "arn:aws:iam::111111111111:policy/ccb-test-workload-boundary";
function args(over: Partial<Quotas.QuotaServiceArgs> = {}): Quotas.QuotaServiceArgs {
  return {
    namePrefix: "ccb-prod",
    stage: "prod",
    kmsKeyArn: KEY,
    code: { aggregate: code, check: code },
    defaults: { monthlyCostUsd: 200, dailyCostUsd: 30, monthlyMode: "block", dailyMode: "alert" },
    thresholds: [80, 90, 100],
    enforceOn: "max",
    pricing: quotas.pricingTable(),
    alertEmails: ["finops@example.com", "platform@example.com"],
    sources: {
      telemetry: {
        namespace: "ClaudeCode",
        metricName: "claude_code.token.usage",
        userDimension: "user.email",
        typeDimension: "type",
        modelDimension: "model",
      },
      invocationLogs: {
        bucketName: "ccb-prod-invocation-logs",
        bucketArn: LOG_BUCKET_ARN,
        keyPrefix: "",
        roleName: "ccb-prod-bedrock-users",
      },
    },
    block: { roleName: "ccb-prod-bedrock-users", policyCount: 2, key: "session-name" },
    checkApi: {
      authorization: "jwt",
      issuerUrl: "https://example.okta.com/oauth2/default",
      audiences: ["0oa1prodclient"],
      emailClaim: "email",
      groupsClaims: ["groups"],
      missingIdentity: "block",
      throttle: { rateLimit: 50, burstLimit: 100 },
      reservedConcurrency: 20,
    },
    drift: { thresholdPercent: 20, minTokens: 100_000 },
    alarmTopicArn: TOPIC,
    logRetentionDays: 365,
    usageRetentionDays: 400,
    settleMinutes: 10,
    deletionProtection: true,
    permissionsBoundaryArn: BOUNDARY,
    tags: { stage: "prod" },
    ...over,
  };
}

const one = (type: string, name: string) => recorder.one(type, name);
const statements = (r: RecordedResource) => policyOf(r.inputs.policy)!.Statement;
const bySid = (r: RecordedResource, sid: string) => statements(r).find((s) => s.Sid === sid);
/** A function's environment variables. */
const envOf = (r: RecordedResource) => inputsOf<aws.lambda.FunctionArgs>(r).environment?.variables ?? {};

describe("QuotaService aggregationShards", () => {
  it("1 (the default): one aggregation function, no worker, no invoke grant, no shard variables", async () => {
    new quotas.QuotaService("quota", args());
    await settle();
    expect(recorder.inventory().filter((l) => l.includes("aggregate-worker"))).toEqual([]);
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-permissions");
    expect(bySid(p, "InvokeShardWorker")).toBeUndefined();
    const vars = envOf(one("aws:lambda/function:Function", "quota-aggregate"));
    expect(vars.AGGREGATION_SHARDS).toBeUndefined();
    expect(vars.SHARD_WORKER_FUNCTION).toBeUndefined();
  });

  it("8: a worker with concurrency 8, the dispatcher may invoke exactly that function, both pass the rules", async () => {
    new quotas.QuotaService("quota", args({ aggregationShards: 8 }));
    await settle();
    const worker = one("aws:lambda/function:Function", "quota-aggregate-worker");
    const dispatcher = one("aws:lambda/function:Function", "quota-aggregate");
    expect(worker.inputs).toMatchObject({ name: "ccb-prod-quota-aggregate-worker", reservedConcurrentExecutions: 8, timeout: 270 });
    expect(dispatcher.inputs).toMatchObject({ reservedConcurrentExecutions: 1, timeout: 300 });
    // The worker is the same code: the event's `shard` selects its part.
    expect(worker.inputs.handler).toBe(dispatcher.inputs.handler);
    const vars = envOf(dispatcher);
    expect(vars.AGGREGATION_SHARDS).toBe("8");
    expect(vars.SHARD_WORKER_FUNCTION).toBe("ccb-prod-quota-aggregate-worker");
    expect(envOf(worker).AGGREGATION_SHARDS).toBeUndefined();
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-permissions");
    expect(bySid(p, "InvokeShardWorker")).toEqual({
      Sid: "InvokeShardWorker",
      Effect: "Allow",
      Action: ["lambda:InvokeFunction"],
      Resource: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:ccb-prod-quota-aggregate-worker`],
    });
    const invokes = statements(p).filter((s) => stringsOf(s.Action).some((a) => a.startsWith("lambda:")));
    expect(invokes).toHaveLength(1);
    // The worker meters, claims and alerts; it neither rewrites the deny policies nor publishes metrics.
    const w = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-worker-permissions");
    expect(statements(w).map((s) => s.Sid)).toEqual(
      expect.arrayContaining(["MeterUsage", "ReadLimits", "UseStageKey", "PublishAlerts", "ReadTelemetryMetric", "ReadInvocationLogs"]),
    );
    expect(bySid(w, "RewriteBlockPolicies")).toBeUndefined();
    expect(bySid(w, "PublishOwnMetrics")).toBeUndefined();
    expect(bySid(w, "InvokeShardWorker")).toBeUndefined();
    expect(one("aws:cloudwatch/logGroup:LogGroup", "quota-aggregate-worker-logs").inputs).toMatchObject({
      retentionInDays: 365,
      kmsKeyId: KEY,
    });
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("cross-account telemetry: the read role trusts the dispatcher and the worker", async () => {
    const aws = await import("@pulumi/aws");
    const tel = args().sources.telemetry!;
    new quotas.QuotaService(
      "quota",
      args({
        aggregationShards: 4,
        sources: {
          ...args().sources,
          telemetry: {
            ...tel,
            crossAccount: {
              accountId: "333333333333",
              provider: new aws.Provider("telemetry-provider", { region: "us-east-1", allowedAccountIds: ["333333333333"] }),
              permissionsBoundaryArn: "arn:aws:iam::333333333333:policy/ccb-prod-workload-boundary",
            },
          },
        },
      }),
    );
    await settle();
    const role = one("aws:iam/role:Role", "quota-telemetry-read");
    expect(principalsOf(policyOf(role.inputs.assumeRolePolicy)!.Statement[0]!, "AWS")).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/quota-aggregate-role`,
      `arn:aws:iam::${ACCOUNT}:role/quota-aggregate-worker-role`,
    ]);
  });

  it.each([0, 65, 2.5])("refuses %s shards", (n) => {
    expect(() => new quotas.QuotaService("quota", args({ aggregationShards: n }))).toThrow(/aggregationShards.*1 to 64/);
  });
});
