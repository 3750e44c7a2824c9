import { BedrockClient, GetFoundationModelCommand } from "@aws-sdk/client-bedrock";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { checkModels, configFromEnv, dueToday, type LifecycleConfig } from "./check.js";

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
const OLD = "anthropic.claude-3-7-sonnet-20250219-v1:0";
const CFG: LifecycleConfig = configFromEnv({
  MODEL_IDS: [SONNET, HAIKU, OLD].join(","),
  TOPIC_ARN: "arn:aws:sns:us-east-1:222222222222:ccb-prod-alarms",
  STAGE: "prod",
  WARN_DAYS: "90",
});

const bedrock = mockClient(BedrockClient);
const sns = mockClient(SNSClient);
const deps = (iso: string) => ({
  bedrock: bedrock as unknown as BedrockClient,
  sns: sns as unknown as SNSClient,
  now: () => new Date(iso),
});
const lifecycle = (id: string, l: Record<string, unknown>) =>
  bedrock
    .on(GetFoundationModelCommand, { modelIdentifier: id })
    .resolves({ modelDetails: { modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${id}`, modelId: id, modelLifecycle: l as never } });

beforeEach(() => {
  bedrock.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m" });
  lifecycle(SONNET, { status: "ACTIVE" });
  lifecycle(HAIKU, { status: "ACTIVE" });
});

describe("model lifecycle check", () => {
  it("publishes nothing while every model is active without an end-of-life date", async () => {
    lifecycle(OLD, { status: "ACTIVE" });
    expect(await checkModels(deps("2026-11-23T07:00:00Z"), CFG)).toEqual({ findings: 0, published: false });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(GetFoundationModelCommand).map((c) => c.args[0].input.modelIdentifier)).toEqual([SONNET, HAIKU, OLD]);
  });

  it("notifies the alarm topic on the day a model becomes legacy, with its dates and what to do", async () => {
    lifecycle(OLD, {
      status: "LEGACY",
      legacyTime: new Date("2026-11-26T00:00:00Z"),
      endOfLifeTime: new Date("2027-04-28T00:00:00Z"),
      publicExtendedAccessTime: new Date("2027-01-26T00:00:00Z"),
    });
    expect(await checkModels(deps("2026-11-26T07:00:00Z"), CFG)).toEqual({ findings: 1, published: true });
    const msg = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(msg.TopicArn).toBe(CFG.topicArn);
    expect(msg.Subject).toBe("Claude Code (prod): 1 model reaching end of life");
    expect(msg.Message).toContain(
      `${OLD}: LEGACY since 2026-11-26, end of life 2027-04-28 (153 days), higher extended-access pricing from 2027-01-26. Move stage.models to an active model.`,
    );
  });

  it("warns about an active model with an end-of-life date inside the warning window, at the marks and weekly", async () => {
    lifecycle(OLD, { status: "ACTIVE", endOfLifeTime: new Date("2027-01-10T00:00:00Z") });
    // 45 days before: a Wednesday, no mark: quiet.
    expect((await checkModels(deps("2026-11-26T07:00:00Z"), CFG)).published).toBe(false);
    // 30 days before: a mark.
    expect((await checkModels(deps("2026-12-11T07:00:00Z"), CFG)).published).toBe(true);
    // A Monday: weekly reminder.
    expect((await checkModels(deps("2026-11-30T07:00:00Z"), CFG)).published).toBe(true);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain("end of life 2027-01-10 (30 days)");
  });

  it("ignores end-of-life dates beyond the warning window", async () => {
    lifecycle(OLD, { status: "ACTIVE", endOfLifeTime: new Date("2028-01-01T00:00:00Z") });
    expect(await checkModels(deps("2026-11-30T07:00:00Z"), CFG)).toEqual({ findings: 0, published: false });
  });

  it("reports a model Bedrock no longer knows every day", async () => {
    bedrock
      .on(GetFoundationModelCommand, { modelIdentifier: OLD })
      .rejects(Object.assign(new Error("not found"), { name: "ResourceNotFoundException" }));
    expect(await checkModels(deps("2026-11-26T07:00:00Z"), CFG)).toEqual({ findings: 1, published: true });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain("does not know this model");
  });

  it("fails loudly on other errors (the Lambda's error metric and retries take over)", async () => {
    bedrock
      .on(GetFoundationModelCommand, { modelIdentifier: OLD })
      .rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    await expect(checkModels(deps("2026-11-26T07:00:00Z"), CFG)).rejects.toThrow("denied");
  });

  it("decides due days without state", () => {
    const f = {
      modelId: OLD,
      status: "LEGACY",
      reason: "legacy" as const,
      legacySince: "2026-11-20",
      endOfLife: "2027-04-28",
      daysToEndOfLife: 7,
    };
    expect(dueToday(f, new Date("2026-11-26T07:00:00Z"), 90)).toBe(true);
    expect(dueToday({ ...f, daysToEndOfLife: 8 }, new Date("2026-11-26T07:00:00Z"), 90)).toBe(false);
    expect(dueToday({ ...f, daysToEndOfLife: 8 }, new Date("2026-11-23T07:00:00Z"), 90)).toBe(true);
  });
});
