import { describe, expect, it } from "vitest";
import { parseRateEnv, parseRateLimits, RATE_ENV } from "./rate";
import { parseQuotaCheckAnswer } from "./check-api";

const ENV = {
  RATE_LIMITS: '{"tokensPerMinute":400000,"requestsPerMinute":60,"cooldownMinutes":10}',
  LIMITS_TABLE: "l",
  USAGE_TABLE: "u",
  ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:111111111111:t",
  ROLE_NAME: "devs",
};

describe("rate-limit contract", () => {
  it("parses the rate function's environment; the cool-down defaults to 10 minutes; no policies means none", () => {
    expect(parseRateEnv({ ...ENV, RATE_BLOCK_POLICY_ARNS: "a,b", QUOTA_MODE: "block" })).toMatchObject({
      defaults: { tokensPerMinute: 400_000, requestsPerMinute: 60, cooldownMinutes: 10 },
      blockPolicyArns: ["a", "b"],
      mode: "block",
      roleName: "devs",
    });
    expect(parseRateLimits('{"requestsPerMinute":5}')).toEqual({ requestsPerMinute: 5, cooldownMinutes: 10 });
    expect(parseRateEnv(ENV).blockPolicyArns).toEqual([]);
  });

  it("names the variable in every problem", () => {
    expect(() => parseRateLimits('{"tokensPerMinute":-1}')).toThrow(`${RATE_ENV.rateLimits}.tokensPerMinute must be a positive number`);
    expect(() => parseRateLimits("nope")).toThrow(`${RATE_ENV.rateLimits} is not JSON`);
    expect(() => parseRateEnv({ ...ENV, QUOTA_MODE: "maybe" })).toThrow(/QUOTA_MODE must be alert or block/);
    expect(() => parseRateEnv({ ...ENV, ROLE_NAME: undefined })).toThrow(/ROLE_NAME/);
  });

  it("the helper keeps rateLimitedUntil only when it is a time", () => {
    expect(
      parseQuotaCheckAnswer({ allowed: false, reason: "rate_limited", rateLimitedUntil: "2026-11-26T12:10:00.000Z" })?.rateLimitedUntil,
    ).toBe("2026-11-26T12:10:00.000Z");
    expect(parseQuotaCheckAnswer({ allowed: false, rateLimitedUntil: "soon" })?.rateLimitedUntil).toBeUndefined();
  });
});
