import { describe, expect, it } from "vitest";
import { parseStageConfig } from "./config/stage-config";
import { at, obj } from "@ccb/infra/inventory";
import { edit as editAt, put, rawStage, type RawStage } from "./testing";

/** The decisions of a stage's config after an edit of its stack file. */
function decisionsOf(stage: string, edit: (raw: RawStage) => void = () => {}) {
  const raw = rawStage(stage);
  edit(raw);
  return parseStageConfig(stage, raw).decisions;
}

describe("stage config decides the cross-area answers once", () => {
  it("the pilot keeps telemetry in the inference account and publishes releases to its own registry", () => {
    expect(decisionsOf("pilot")).toEqual({
      telemetryInInferenceAccount: true,
      telemetryUsesInferenceProvider: true,
      billingApi: "none",
      quotaSources: { telemetry: true, invocationLogs: true },
      priceSource: true,
      reconciliation: false,
      registryAccountId: "111111111111",
      releaseRegistry: { domain: "ccb-pilot", repository: "claude-code", packageName: "@example/claude-bedrock-pilot" },
    });
  });

  it("prod: telemetry in its own account, billing through the inference account, the quota block on the email tag", () => {
    expect(decisionsOf("prod")).toEqual({
      telemetryInInferenceAccount: false,
      telemetryUsesInferenceProvider: false,
      billingApi: "inference",
      quotaSources: { telemetry: true, invocationLogs: true },
      quotaBlockKey: { principalTag: "email" },
      priceSource: true,
      // Athena lives in the telemetry account: the reconciliation runs there, alarming on telemetry's topic.
      reconciliation: true,
      registryAccountId: "222222222222",
      releaseRegistry: { domain: "ccb-prod", repository: "claude-code", packageName: "@example/claude-bedrock" },
    });
  });

  it("the daily reconciliation runs when quotas and billing are on, in a separate analytics account only with telemetry's topic there; the price source follows quotas", () => {
    const oneAccount = decisionsOf("prod", (raw) => {
      put(raw, "accounts.telemetry", { ...obj(at(raw, "accounts", "inference")) });
    });
    expect(oneAccount.reconciliation).toBe(true);
    const off = decisionsOf("prod", (raw) => {
      put(raw, "accounts.telemetry", { ...obj(at(raw, "accounts", "inference")) });
      put(raw, "analytics.billing.reconciliation", { enabled: false });
      put(raw, "quotas.priceSource", { enabled: false });
    });
    expect(off).toMatchObject({ reconciliation: false, priceSource: false });
    // Analytics in its own account without telemetry: no alarm topic there for the billed-drift alarm.
    const noTopic = decisionsOf("prod", (raw) => {
      put(raw, "telemetry.enabled", false);
      editAt(raw, "quotas.sources", (v) => ({ ...v, telemetry: false }));
    });
    expect(noTopic.reconciliation).toBe(false);
  });

  it("a registry outside the inference account is named as the release registry's owner", () => {
    const d = decisionsOf("prod", (raw) => {
      put(raw, "distribution.account", "telemetry");
    });
    expect(d.registryAccountId).not.toBe("222222222222");
    expect(d.releaseRegistry?.ownerAccountId).toBe(d.registryAccountId);
  });

  it("an explicit release codeArtifact wins over the stage's registry", () => {
    const codeArtifact = { domain: "org-tools", repository: "helpers", packageName: "@example/claude-bedrock" };
    expect(
      decisionsOf("prod", (raw) => {
        put(raw, "cicd.release.codeArtifact", codeArtifact);
      }).releaseRegistry,
    ).toEqual(codeArtifact);
  });

  it("no quota block tag without the server-side block, and no quota sources with quotas off", () => {
    expect(
      decisionsOf("prod", (raw) => {
        editAt(raw, "quotas.enforcement", (v) => ({ ...v, serverSideBlock: false }));
      }).quotaBlockKey,
    ).toBeUndefined();
    expect(
      decisionsOf("pilot", (raw) => {
        put(raw, "quotas", { enabled: false });
      }).quotaSources,
    ).toEqual({ telemetry: false, invocationLogs: false });
  });
});
