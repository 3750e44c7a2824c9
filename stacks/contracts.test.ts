/**
 * The contracts between the infrastructure and the Lambda functions, per area: the environment each
 * stage renders (on the Pulumi mock engine, with the stage's own config) parses with the contract's
 * parser, the same one the function runs at cold start (@ccb/contracts). A variable renamed, dropped or
 * reshaped on either side fails here, not in a deployed function.
 */
import { describe, expect, it } from "vitest";
import {
  blockPolicyDocument,
  parseModelLifecycleEnv,
  parseQuotaAggregateEnv,
  parseQuotaCheckEnv,
  parseRateEnv,
  parseTelemetryAggregatorEnv,
  QUOTA_METRICS_NAMESPACE,
  type Env,
} from "@ccb/contracts";
import type * as aws from "@pulumi/aws";
import { at, inputsOf, policyOf } from "@ccb/infra/inventory";
import { runStage, type StageRun } from "./testing";

const runs: Record<string, Promise<StageRun>> = {};
const run = (stage: string) => (runs[stage] ??= runStage(stage));
const envOf = (r: StageRun, name: string): Env =>
  inputsOf<aws.lambda.FunctionArgs>(r.recorder.one("aws:lambda/function:Function", name), "aws:lambda/function:Function").environment
    ?.variables ?? {};

describe.each(["pilot", "prod"])("contracts of the %s stage", (stage) => {
  const prefix = `ccb-${stage}`;

  describe("quotas", () => {
    it("the check function's environment parses with the contract", async () => {
      const r = await run(stage);
      const env = envOf(r, `${prefix}-quotas-check`);
      const parsed = parseQuotaCheckEnv(env);
      expect(parsed.limitsTable).toBe(r.recorder.one("aws:dynamodb/table:Table", `${prefix}-quotas-limits`).inputs.name);
      expect(parsed.usageTable).toBe(r.recorder.one("aws:dynamodb/table:Table", `${prefix}-quotas-usage`).inputs.name);
      expect(parsed.defaultLimits).toBeDefined();
      expect(parsed.claims.emailClaim.length).toBeGreaterThan(0);
    });

    it("the rate function (prod) parses with the contract and denies through its own policies on the user role", async () => {
      const r = await run(stage);
      const fn = r.recorder.resources.find((x) => x.type === "aws:lambda/function:Function" && x.name === `${prefix}-quotas-rate`);
      if (stage !== "prod") {
        expect(fn).toBeUndefined();
        return;
      }
      const parsed = parseRateEnv(envOf(r, `${prefix}-quotas-rate`));
      expect(parsed.defaults).toEqual({ tokensPerMinute: 400_000, requestsPerMinute: 60, cooldownMinutes: 10 });
      expect(parsed.mode).toBe("block");
      expect(parsed.blockPolicyArns).toHaveLength(1);
      expect(parsed.blockPrincipalTag).toBeDefined();
    });

    it("the aggregation function's environment parses with the contract, and so does its price book", async () => {
      const r = await run(stage);
      const parsed = parseQuotaAggregateEnv(envOf(r, `${prefix}-quotas-aggregate`));
      expect(parsed.stage).toBe(stage);
      expect(parsed.metricsNamespace).toBe(QUOTA_METRICS_NAMESPACE);
      expect(parsed.telemetry ?? parsed.invocationLogs).toBeDefined();
      expect(Object.keys(parsed.pricing.models).length).toBeGreaterThan(0);
    });

    it("every block policy starts as the contract's nobody-blocked document for the key the function is told", async () => {
      const r = await run(stage);
      const parsed = parseQuotaAggregateEnv(envOf(r, `${prefix}-quotas-aggregate`));
      const policies = r.recorder.byType("aws:iam/policy:Policy").filter((p) => p.name.includes("quotas-block"));
      expect(policies.length).toBe(parsed.blockPolicyArns.length);
      const key = parsed.blockPrincipalTag
        ? { kind: "principal-tag" as const, tag: parsed.blockPrincipalTag }
        : { kind: "session-name" as const };
      for (const p of policies) expect(policyOf(p.inputs.policy)).toEqual(blockPolicyDocument([], key));
    });

    it("the usage table has the keys the quota functions read and write, and no index to keep up", async () => {
      const r = await run(stage);
      const usage = r.recorder.one("aws:dynamodb/table:Table", `${prefix}-quotas-usage`).inputs;
      expect([at(usage, "hashKey"), at(usage, "rangeKey")]).toEqual(["pk", "sk"]);
      expect(at(usage, "ttl", "attributeName")).toBe("expiresAt");
      expect(at(usage, "globalSecondaryIndexes")).toBeUndefined();
    });
  });

  describe("telemetry", () => {
    it("the dashboard aggregation's environment parses with the contract, its price book included", async () => {
      const r = await run(stage);
      const parsed = parseTelemetryAggregatorEnv(envOf(r, `${prefix}-telemetry-aggregator`));
      expect(parsed.namespace).toMatch(/Aggregates$/);
      expect(Object.keys(parsed.prices.models)).toContain("claude-sonnet-4-5");
      expect(Object.keys(parsed.names.metrics).sort()).toEqual([
        "activeUsers",
        "cacheSavings",
        "estimatedCost",
        "leaderboard",
        "negativeSavingsUsers",
        "operations",
      ]);
    });

    it("the model lifecycle check's environment parses with the contract", async () => {
      const r = await run(stage);
      const parsed = parseModelLifecycleEnv(envOf(r, `${prefix}-model-lifecycle-function`));
      expect(parsed.stage).toBe(stage);
      expect(parsed.modelIds.length).toBeGreaterThan(0);
    });
  });
});
