/** `identityProvider` may be left out only by an IAM Identity Center stage (its developers sign in with the SSO profile). */
import { describe, expect, it } from "vitest";
import { parseStageSettings, StageSettingsError } from "./index";

const base = {
  schemaVersion: 1,
  stage: "idc",
  organization: "Example Corp",
  awsProfile: "claude-bedrock-idc",
  region: "us-east-1",
  models: { primary: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", fast: "us.anthropic.claude-haiku-4-5-20251001-v1:0" },
  teams: [],
};
const identityCenter = {
  mode: "identity-center",
  startUrl: "https://example.awsapps.com/start",
  ssoRegion: "us-east-1",
  accountId: "222222222222",
  roleName: "ClaudeCode",
};
const direct = { mode: "direct", roleArn: "arn:aws:iam::111111111111:role/claude-bedrock-users", sessionDurationSeconds: 43200 };

function problemsOf(input: unknown): string[] {
  try {
    parseStageSettings(input);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(StageSettingsError);
    return (e as StageSettingsError).problems.map((p) => `${p.path}: ${p.message}`);
  }
}

describe("stage settings without identityProvider", () => {
  it("are valid for an identity-center stage, and parse without the key", () => {
    expect(problemsOf({ ...base, federation: identityCenter })).toEqual([]);
    expect(parseStageSettings({ ...base, federation: identityCenter })).not.toHaveProperty("identityProvider");
  });

  it("are refused for direct and Cognito stages, saying when the key may be left out", () => {
    expect(problemsOf({ ...base, federation: direct })).toEqual([
      "$.identityProvider: is required (it may be left out only with federation.mode identity-center)",
    ]);
  });

  it("an identity-center stage that gives the key still has it checked", () => {
    const paths = problemsOf({ ...base, federation: identityCenter, identityProvider: { issuer: "http://idp.example.com" } }).map(
      (p) => p.split(":")[0],
    );
    expect(paths).toEqual(expect.arrayContaining(["$.identityProvider.issuer", "$.identityProvider.clientId"]));
  });
});
