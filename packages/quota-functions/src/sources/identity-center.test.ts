import { describe, expect, it } from "vitest";
import { collect, roleMatches } from "./invocation-logs.js";

/**
 * IAM Identity Center stages meter the role IdC provisions for the stage's permission set
 * (`AWSReservedSSO_<set>_<16 hex>`); its session name is the IdC user name, set by IdC.
 */
const T = Date.UTC(2026, 10, 26, 12, 0, 0);
const rec = (role: string, session: string, tokens: number) => ({
  timestamp: new Date(T + 1000).toISOString(),
  identity: { arn: `arn:aws:sts::222222222222:assumed-role/${role}/${session}` },
  modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  input: { inputTokenCount: tokens },
  output: { outputTokenCount: 1 },
});

describe("invocation-log metering of IAM Identity Center sessions", () => {
  it("a name ending in * matches the permission set's reserved role, and nothing else", () => {
    expect(roleMatches("AWSReservedSSO_ClaudeCode_0123456789abcdef", "AWSReservedSSO_ClaudeCode_*")).toBe(true);
    expect(roleMatches("AWSReservedSSO_ClaudeCodeAdmin_0123456789abcdef", "AWSReservedSSO_ClaudeCode_*")).toBe(false);
    expect(roleMatches("AWSReservedSSO_Admin_0123456789abcdef", "AWSReservedSSO_ClaudeCode_*")).toBe(false);
    expect(roleMatches("ccb-prod-federation-users", "ccb-prod-federation-users")).toBe(true);
    expect(roleMatches("ccb-prod-federation-users-2", "ccb-prod-federation-users")).toBe(false);
  });

  it("attributes usage to the IdC user name (lower-cased email) and skips other permission sets", () => {
    const into = new Map();
    const skipped = collect(
      [
        rec("AWSReservedSSO_ClaudeCode_0123456789abcdef", "Alice@Example.com", 100),
        rec("AWSReservedSSO_Admin_0123456789abcdef", "alice@example.com", 999),
        rec("AWSReservedSSO_ClaudeCode_0123456789abcdef", "jdoe", 5),
      ],
      "AWSReservedSSO_ClaudeCode_*",
      T,
      T + 60_000,
      into,
    );
    expect(skipped).toEqual({ otherRole: 1, noEmail: 1 });
    expect([...into.keys()]).toEqual(["alice@example.com"]);
  });
});
