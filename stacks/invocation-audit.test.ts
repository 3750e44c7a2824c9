/**
 * The full-text invocation logging audit option: off in both stages; on, the logging configuration
 * carries text, the S3 copy goes to the audit bucket, and the plan reports it as an advisory finding.
 */
import { describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import { at } from "@ccb/infra/inventory";
import { edit, runStage } from "./testing";

const LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration";

describe("inference.invocationLogging.text", () => {
  it.each(["pilot", "prod"] as const)("is off in %s: metadata only, nothing advisory", async (stage) => {
    const { recorder, outputs } = await runStage(stage);
    expect(at(recorder.one(LOGGING, `ccb-${stage}-inference-invocation-logging`).inputs, "loggingConfig", "textDataDeliveryEnabled")).toBe(
      false,
    );
    expect(rules.advisoriesOf(recorder.resources)).toEqual([]);
    expect(outputs.invocationAuditRoleArn).toBeUndefined();
  });

  it("on: text to the audit bucket in the inference account, the audit role exported, flagged as advisory only", async () => {
    const { recorder, outputs } = await runStage("prod", (raw) => {
      edit(raw, ["inference", "invocationLogging"], (v) => ({ ...v, text: true }));
    });
    const cfg = recorder.one(LOGGING, "ccb-prod-inference-invocation-logging");
    expect(at(cfg.inputs, "loggingConfig", "textDataDeliveryEnabled")).toBe(true);
    expect(at(cfg.inputs, "loggingConfig", "s3Config", "bucketName")).toBe("ccb-prod-inference-invocation-audit");
    expect(recorder.one("aws:s3/bucket:Bucket", "ccb-prod-inference-invocation-audit").account).toBe(cfg.account);
    expect(String(outputs.invocationAuditRoleArn)).toMatch(/:role\/ccb-prod-invocation-audit$/);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
    expect(rules.advisoriesOf(recorder.resources).map((f) => f.rule)).toEqual(["bedrock-invocation-text-logged"]);
  });
});
