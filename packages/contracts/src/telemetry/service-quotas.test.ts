import { describe, expect, it } from "vitest";
import { matchesQuotaName, parseServiceQuotaEnv, quotaModelName } from "./service-quotas";

describe("Bedrock quota names", () => {
  it("spells model ids as Bedrock's quota names do", () => {
    expect(quotaModelName("anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe("Anthropic Claude Sonnet 4.5");
    expect(quotaModelName("anthropic.claude-3-7-sonnet-20250219-v1:0")).toBe("Anthropic Claude 3.7 Sonnet");
    expect(quotaModelName("anthropic.claude-sonnet-4-6")).toBe("Anthropic Claude Sonnet 4.6");
    expect(quotaModelName("anthropic.claude-opus-4-6-v1")).toBe("Anthropic Claude Opus 4.6");
    expect(quotaModelName("anthropic.claude-sonnet-4-20250514-v1:0")).toBe("Anthropic Claude Sonnet 4");
  });

  it("matches the quota of the right scope, kind and model only", () => {
    const t = { baseModelId: "anthropic.claude-sonnet-4-5-20250929-v1:0", scope: "cross-region" as const, kind: "tokens" as const };
    expect(matchesQuotaName("Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1", t)).toBe(true);
    expect(matchesQuotaName("Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 (doubled)", t)).toBe(true);
    expect(matchesQuotaName("Global cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5", t)).toBe(false);
    expect(matchesQuotaName("Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.5 V1", t)).toBe(false);
    expect(matchesQuotaName("Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4", t)).toBe(false);
    expect(
      matchesQuotaName("Global cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5", {
        ...t,
        scope: "global-cross-region",
      }),
    ).toBe(true);
  });

  it("rejects a malformed target", () => {
    const env = (targets: unknown) => ({ METRIC_NAMESPACE: "n", QUOTA_TARGETS: JSON.stringify(targets) });
    expect(() => parseServiceQuotaEnv(env([{ modelId: "m", baseModelId: "b", scope: "x", kind: "tokens" }]))).toThrow(/malformed/);
    expect(parseServiceQuotaEnv(env([{ modelId: "m", baseModelId: "b", scope: "on-demand", kind: "requests" }])).targets).toHaveLength(1);
  });
});
