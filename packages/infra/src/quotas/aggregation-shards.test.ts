import { describe, expect, it } from "vitest";
import { policyOf, principalsOf, settle, stringsOf } from "../testing";
import { ACCOUNT, bySid, KEY, quotaServiceArgs as args, sidsOf, statements, useQuotaMocks } from "./testing";

const mocks = useQuotaMocks();
const { one, envOf } = mocks;

describe("QuotaService aggregationShards", () => {
  it("1 (the default): one aggregation function, no worker, no invoke grant, no shard variables", async () => {
    new mocks.quotas.QuotaService("quota", args());
    await settle();
    expect(mocks.recorder.inventory().filter((l) => l.includes("aggregate-worker"))).toEqual([]);
    const p = one("aws:iam/rolePolicy:RolePolicy", "quota-aggregate-permissions");
    expect(sidsOf(p)).not.toContain("InvokeShardWorker");
    const vars = envOf("quota-aggregate");
    expect(vars.AGGREGATION_SHARDS).toBeUndefined();
    expect(vars.SHARD_WORKER_FUNCTION).toBeUndefined();
  });

  it("8: a worker with concurrency 8, the dispatcher may invoke exactly that function, both pass the rules", async () => {
    new mocks.quotas.QuotaService("quota", args({ aggregationShards: 8 }));
    await settle();
    const worker = one("aws:lambda/function:Function", "quota-aggregate-worker");
    const dispatcher = one("aws:lambda/function:Function", "quota-aggregate");
    expect(worker.inputs).toMatchObject({ name: "ccb-prod-quota-aggregate-worker", reservedConcurrentExecutions: 8, timeout: 270 });
    expect(dispatcher.inputs).toMatchObject({ reservedConcurrentExecutions: 1, timeout: 300 });
    // The worker is the same code: the event's `shard` selects its part.
    expect(worker.inputs.handler).toBe(dispatcher.inputs.handler);
    const vars = envOf("quota-aggregate");
    expect(vars.AGGREGATION_SHARDS).toBe("8");
    expect(vars.SHARD_WORKER_FUNCTION).toBe("ccb-prod-quota-aggregate-worker");
    expect(envOf("quota-aggregate-worker").AGGREGATION_SHARDS).toBeUndefined();
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
    expect(sidsOf(w)).toEqual(
      expect.arrayContaining(["MeterUsage", "ReadLimits", "UseStageKey", "PublishAlerts", "ReadTelemetryMetric", "ReadInvocationLogs"]),
    );
    for (const sid of ["RewriteBlockPolicies", "PublishOwnMetrics", "InvokeShardWorker"]) expect(sidsOf(w)).not.toContain(sid);
    expect(one("aws:cloudwatch/logGroup:LogGroup", "quota-aggregate-worker-logs").inputs).toMatchObject({
      retentionInDays: 365,
      kmsKeyId: KEY,
    });
    expect(mocks.rules.findingsOf(mocks.recorder.resources)).toEqual([]);
  });

  it("cross-account telemetry: the read role trusts the dispatcher and the worker", async () => {
    const aws = await import("@pulumi/aws");
    const tel = args().sources.telemetry!;
    new mocks.quotas.QuotaService(
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
    expect(() => new mocks.quotas.QuotaService("quota", args({ aggregationShards: n }))).toThrow(/aggregationShards.*1 to 64/);
  });
});
