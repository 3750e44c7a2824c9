/**
 * The quotas area in both stages: alert-only in the pilot (one account), blocking in prod (telemetry in
 * its own account), helper settings, rules, and config mistakes reported with their keys.
 */
import { describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import type * as aws from "@pulumi/aws";
import { at, inputsOf, policyOf, stringsOf } from "@ccb/infra/inventory";
import { StageConfigError } from "./config/problems";
import { parseStageConfig } from "./config/stage-config";
import { edit, put, rawStage, runStage, type RawStage, type StageRun } from "./testing";

let pilot: Promise<StageRun> | undefined;
let prod: Promise<StageRun> | undefined;
const runPilot = () => (pilot ??= runStage("pilot"));
const runProd = () => (prod ??= runStage("prod"));

const env = (run: StageRun, prefix: string, fn: "aggregate" | "check") =>
  inputsOf<aws.lambda.FunctionArgs>(run.recorder.one("aws:lambda/function:Function", `${prefix}-quotas-${fn}`)).environment?.variables ??
  {};

describe("quotas in the pilot (alert only)", () => {
  it("meters, alerts and answers /check, but creates no deny policies", async () => {
    const run = await runPilot();
    const { recorder, outputs } = run;
    expect(recorder.byType("claude-code-bedrock:quotas:QuotaService").map((r) => r.name)).toEqual(["ccb-pilot-quotas"]);
    expect(recorder.byType("aws:iam/policy:Policy").filter((p) => p.name.includes("quotas-block"))).toEqual([]);
    expect(env(run, "ccb-pilot", "aggregate").BLOCK_POLICY_ARNS).toBeUndefined();
    expect(JSON.parse(env(run, "ccb-pilot", "check").DEFAULT_LIMITS)).toEqual({
      monthlyCostUsd: 200,
      dailyCostUsd: 40,
      monthlyMode: "alert",
      dailyMode: "alert",
    });
    expect(outputs.quotaDefaultLimits).toEqual({ monthlyCostUsd: 200, dailyCostUsd: 40, monthlyMode: "alert", dailyMode: "alert" });
    expect(at(outputs.helperSettings, "quota")).toEqual({
      checkUrl: "https://ccb-pilot-quotas-api.execute-api.us-east-1.amazonaws.com/check",
      failMode: "open",
      timeoutMs: 3000,
    });
    expect(outputs.quotaMode).toBe("alert");
    // Both functions know the stage is alert only, so a record written with --mode block cannot refuse.
    expect(env(run, "ccb-pilot", "check").QUOTA_MODE).toBe("alert");
    expect(env(run, "ccb-pilot", "aggregate").QUOTA_MODE).toBe("alert");
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("meters both records in the one account: the telemetry metric directly, invocation logs of the user role", async () => {
    const run = await runPilot();
    const e = env(run, "ccb-pilot", "aggregate");
    const tel = JSON.parse(e.TELEMETRY_SOURCE);
    expect(tel).not.toHaveProperty("roleArn");
    expect(tel.logGroupName).toBe(run.outputs.telemetryMetricsLogGroup ?? tel.logGroupName);
    expect(typeof tel.logGroupName).toBe("string");
    const logs = JSON.parse(e.INVOCATION_LOGS_SOURCE);
    expect(logs).toMatchObject({ accountId: "111111111111", region: "us-east-1", prefix: "" });
    expect(logs.roleName).toBe(String(run.outputs.userRoleArn).split("/").pop());
    expect(run.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name)).toEqual(
      expect.arrayContaining([
        "ccb-pilot-quotas-drift-alarm",
        "ccb-pilot-quotas-unattributed-alarm",
        "ccb-pilot-quotas-unknown-sessions-alarm",
      ]),
    );
  });

  it("is unchanged by the email session tag: no tag required in the trust (it only alerts)", async () => {
    const run = await runPilot();
    expect(at(rawStage("pilot"), "identityProvider", "emailSessionTag")).toBeUndefined();
    expect(env(run, "ccb-pilot", "aggregate").BLOCK_PRINCIPAL_TAG).toBeUndefined();
    const trust = policyOf(run.recorder.one("aws:iam/role:Role", "ccb-pilot-federation-users").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust.Condition?.Null).toBeUndefined();
  });

  it("checks the stage's issuer and client id on /check", async () => {
    const { recorder } = await runPilot();
    const cfg = at(rawStage("pilot"), "identityProvider");
    expect(recorder.one("aws:apigatewayv2/authorizer:Authorizer", "ccb-pilot-quotas-api-jwt").inputs.jwtConfiguration).toEqual({
      issuer: at(cfg, "issuer"),
      audiences: [at(cfg, "clientId")],
    });
  });

  it("prices the teams' application inference profiles as their base models", async () => {
    const run = await runPilot();
    const pricing = JSON.parse(env(run, "ccb-pilot", "aggregate").PRICING_JSON);
    const profiles = run.recorder.byType("aws:bedrock/inferenceProfile:InferenceProfile");
    expect(profiles.length).toBeGreaterThan(0);
    const profileKeys = Object.keys(pricing.models).filter((k) => k.includes(":application-inference-profile/"));
    expect(profileKeys).toHaveLength(profiles.length);
  });
});

describe("quotas: aggregation fan-out (stage.quotas.aggregationShards)", () => {
  it("pilot (1): one aggregation function covers every user; no worker, no invoke permission", async () => {
    const run = await runPilot();
    expect(run.recorder.byType("aws:lambda/function:Function").filter((f) => f.name.includes("aggregate-worker"))).toEqual([]);
    expect(env(run, "ccb-pilot", "aggregate").AGGREGATION_SHARDS).toBeUndefined();
  });

  it("prod (8): the scheduled function dispatches 8 concurrent workers and may invoke exactly that function", async () => {
    const run = await runProd();
    const worker = run.recorder.one("aws:lambda/function:Function", "ccb-prod-quotas-aggregate-worker").inputs;
    expect(worker).toMatchObject({ name: "ccb-prod-quota-aggregate-worker", reservedConcurrentExecutions: 8 });
    expect(env(run, "ccb-prod", "aggregate")).toMatchObject({
      AGGREGATION_SHARDS: "8",
      SHARD_WORKER_FUNCTION: "ccb-prod-quota-aggregate-worker",
    });
    const perms = policyOf(
      run.recorder.one("aws:iam/rolePolicy:RolePolicy", "ccb-prod-quotas-aggregate-permissions").inputs.policy,
    )!.Statement;
    const invokes = perms.filter((s) => stringsOf(s.Action).some((a) => a.startsWith("lambda:")));
    expect(invokes).toEqual([
      {
        Sid: "InvokeShardWorker",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: ["arn:aws:lambda:us-east-1:222222222222:function:ccb-prod-quota-aggregate-worker"],
      },
    ]);
    expect(rules.findingsOf(run.recorder.resources)).toEqual([]);
  });
});

describe("quotas in prod (blocking)", () => {
  it("attaches the deny policies to the developers' role and lets only the aggregation rewrite them", async () => {
    const run = await runProd();
    const { recorder, outputs } = run;
    const roleName = String(outputs.userRoleArn).split("/").pop();
    const attachments = recorder
      .byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.name.startsWith("ccb-prod-quotas-block"));
    expect(attachments.map((a) => a.inputs.role)).toEqual([roleName, roleName]);
    const arns = attachments.map((a) => a.inputs.policyArn);
    expect(arns.every((a) => String(a).startsWith("arn:aws:iam::222222222222:policy/ccb-prod-quota-block-"))).toBe(true);
    const perms = policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "ccb-prod-quotas-aggregate-permissions").inputs.policy)!.Statement;
    const iamStatements = perms.filter((s) => stringsOf(s.Action).some((a) => a.startsWith("iam:")));
    expect(iamStatements).toHaveLength(1);
    expect(iamStatements[0]?.Resource).toEqual(arns);
    expect(at(outputs.helperSettings, "quota")).toMatchObject({ failMode: "closed" });
    expect(env(run, "ccb-prod", "check").MISSING_IDENTITY).toBe("block");
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("lives in the inference account and reads telemetry from the telemetry account through a role there", async () => {
    const run = await runProd();
    const cfg = rawStage("prod");
    expect(run.recorder.one("aws:dynamodb/table:Table", "ccb-prod-quotas-usage").account).toBe(at(cfg, "accounts", "inference", "id"));
    const readRole = run.recorder.one("aws:iam/role:Role", "ccb-prod-quotas-telemetry-read");
    expect(readRole.account).toBe(at(cfg, "accounts", "telemetry", "id"));
    expect(policyOf(readRole.inputs.assumeRolePolicy)!.Statement[0]?.Condition?.StringEquals).toEqual({
      "aws:PrincipalOrgID": at(cfg, "organizationId"),
      "sts:ExternalId": "ccb-prod-quota-aggregate",
    });
    expect(JSON.parse(env(run, "ccb-prod", "aggregate").TELEMETRY_SOURCE).roleArn).toBe(
      `arn:aws:iam::${at(cfg, "accounts", "telemetry", "id")}:role/ccb-prod-quota-telemetry-read`,
    );
  });

  it("keys the deny on the email session tag, never on the caller-chosen session name, and the user role's trust requires the tag", async () => {
    const run = await runProd();
    expect(at(rawStage("prod"), "identityProvider", "emailSessionTag")).toBe("email");
    expect(env(run, "ccb-prod", "aggregate").BLOCK_PRINCIPAL_TAG).toBe("email");
    const docs = run.recorder
      .byType("aws:iam/policy:Policy")
      .filter((p) => p.name.startsWith("ccb-prod-quotas-block"))
      .map((p) => policyOf(p.inputs.policy)!);
    expect(docs).toHaveLength(2);
    for (const doc of docs) {
      expect(doc.Statement).toEqual([
        {
          Sid: "DenyQuotaBlockedUsers",
          Effect: "Deny",
          Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
          Resource: "*",
          Condition: { StringEqualsIgnoreCase: { "aws:PrincipalTag/email": ["~no-blocked-users~"] } },
        },
      ]);
    }
    expect(JSON.stringify(docs)).not.toContain("aws:userid");
    const trust = policyOf(run.recorder.one("aws:iam/role:Role", "ccb-prod-federation-users").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust.Condition?.Null).toEqual({ "aws:RequestTag/email": "false" });
  });

  it("gives the Lambdas the prod default: monthly budget blocks, a heavy day alerts", async () => {
    const run = await runProd();
    for (const fn of ["aggregate", "check"] as const) {
      expect(JSON.parse(env(run, "ccb-prod", fn).DEFAULT_LIMITS)).toEqual({
        monthlyCostUsd: 300,
        dailyCostUsd: 60,
        monthlyMode: "block",
        dailyMode: "alert",
      });
    }
    expect(run.recorder.byType("aws:dynamodb/tableItem:TableItem")).toEqual([]);
  });
});

describe("variants and mistakes", () => {
  it("Cognito identity pools: the IAM block is refused (the pool role's trust does not require the email tag); /check-only blocking meters telemetry only", async () => {
    const cognito = (raw: RawStage) => {
      edit(raw, "federation", (v) => ({ ...v, mode: "cognito-identity-pool" }));
      put(raw, "identityProvider.emailSessionTag", undefined);
    };
    // A token without the email claim would get a session without the email principal tag, which the
    // deny on aws:PrincipalTag/email never matches: the combination cannot block anyone reliably.
    await expect(runStage("prod", cognito)).rejects.toThrow(
      /stage\.quotas\.enforcement\.serverSideBlock: cannot be enforced with federation\.mode: cognito-identity-pool: .*a token without the email claim escapes the block/,
    );
    const run = await runStage("prod", (raw) => {
      cognito(raw);
      edit(raw, "quotas.enforcement", (v) => ({ ...v, serverSideBlock: false }));
    });
    const e = env(run, "ccb-prod", "aggregate");
    expect(e.BLOCK_POLICY_ARNS).toBeUndefined();
    expect(e.INVOCATION_LOGS_SOURCE).toBeUndefined();
    expect(rules.findingsOf(run.recorder.resources)).toEqual([]);
  });

  it("refuses a server-side block in direct federation without the email session tag, naming the key and why", async () => {
    const raw = rawStage("prod");
    put(raw, "identityProvider.emailSessionTag", undefined);
    let err: StageConfigError | undefined;
    try {
      parseStageConfig("prod", raw);
    } catch (e) {
      err = e as StageConfigError;
    }
    expect(err).toBeInstanceOf(StageConfigError);
    const text = err!.problems.join("\n");
    expect(text).toContain("stage.identityProvider.emailSessionTag");
    expect(text).toMatch(/session name is chosen by the caller of AssumeRoleWithWebIdentity/);
    await expect(runStage("prod", (r) => put(r, "identityProvider.emailSessionTag", undefined))).rejects.toThrow(
      /stage\.identityProvider\.emailSessionTag/,
    );
    // Without the IAM block (or only alerting) the tag is optional.
    await expect(
      runStage("prod", (r) => {
        put(r, "identityProvider.emailSessionTag", undefined);
        edit(r, "quotas.enforcement", (v) => ({ ...v, serverSideBlock: false }));
      }),
    ).resolves.toBeDefined();
  });

  it("refuses an email session tag that is not a tag key, or with a Cognito identity pool", () => {
    const bad = rawStage("prod");
    put(bad, "identityProvider.emailSessionTag", "e mail");
    expect(() => parseStageConfig("prod", bad)).toThrow(/stage\.identityProvider\.emailSessionTag/);
    const cognito = rawStage("prod");
    edit(cognito, "federation", (v) => ({ ...v, mode: "cognito-identity-pool" }));
    expect(() => parseStageConfig("prod", cognito)).toThrow(
      /stage\.identityProvider\.emailSessionTag: applies to federation.mode: direct only/,
    );
  });

  it("IAM-authorised check API for IAM Identity Center callers", async () => {
    const run = await runStage("pilot", (raw) => {
      edit(raw, "quotas.check", (v) => ({ ...v, authorization: "iam" }));
    });
    expect(run.recorder.byType("aws:apigatewayv2/authorizer:Authorizer").filter((a) => a.name.startsWith("ccb-pilot-quotas"))).toEqual([]);
    expect(run.recorder.one("aws:apigatewayv2/route:Route", "ccb-pilot-quotas-api-check").inputs.authorizationType).toBe("AWS_IAM");
  });

  it("reports config mistakes with their keys and fixes", () => {
    const raw = rawStage("pilot");
    put(raw, "quotas", {
      enabled: true,
      mode: "sometimes",
      defaults: { monthlyTokens: 0, dailyCostUsd: -1 },
      thresholds: [90, 80],
      alertEmails: ["nope"],
      check: { failMode: "maybe" },
      sources: { telemetry: "yes" },
      aggregationShards: 65,
    });
    let err: StageConfigError | undefined;
    try {
      parseStageConfig("pilot", raw);
    } catch (e) {
      err = e as StageConfigError;
    }
    expect(err).toBeInstanceOf(StageConfigError);
    const text = err!.problems.join("\n");
    for (const key of [
      "stage.quotas.mode",
      "stage.quotas.defaults.monthlyTokens",
      "stage.quotas.defaults.dailyCostUsd",
      "stage.quotas.thresholds",
      "stage.quotas.alertEmails[0]",
      "stage.quotas.check.failMode",
      "stage.quotas.sources.telemetry",
      "stage.quotas.aggregationShards",
    ]) {
      expect(text).toContain(key);
    }
    expect(text).toMatch(/0 would mean no limit; remove the key instead/);
  });

  it("refuses a blocking default in an alert-only stage, and a stage with nothing to meter", async () => {
    const raw = rawStage("pilot");
    put(raw, "quotas.defaults.monthlyMode", "block");
    expect(() => parseStageConfig("pilot", raw)).toThrow(/stage.quotas.mode: is alert but defaults block/);
    await expect(
      runStage("pilot", (r) => {
        put(r, "telemetry", { enabled: false });
        put(r, "inference.invocationLogging.enabled", false);
      }),
    ).rejects.toThrow(/stage\.quotas\.sources: leaves nothing to meter/);
  });
});
