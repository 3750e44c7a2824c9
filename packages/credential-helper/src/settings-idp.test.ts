/** The sign-in paths reach the stage's OIDC IdP through `identityProviderOf`, which IdC stages without one refuse. */
import type { StageSettings } from "@ccb/contracts";
import { describe, expect, it } from "vitest";
import { identityProviderOf } from "./settings.js";
import { stageSettings } from "../test/support.js";

describe("identityProviderOf", () => {
  it("returns the stage's IdP when it has one", () => {
    const s = stageSettings() as unknown as StageSettings;
    expect(identityProviderOf(s)).toBe(s.identityProvider);
  });

  it("refuses an IAM Identity Center stage without one, naming the profile to sign in with", () => {
    const { identityProvider: _none, ...rest } = stageSettings({
      stage: "idc",
      awsProfile: "claude-bedrock-idc",
      federation: {
        mode: "identity-center",
        startUrl: "https://x.awsapps.com/start",
        ssoRegion: "us-east-1",
        accountId: "222222222222",
        roleName: "ClaudeCode",
      },
    }) as unknown as StageSettings;
    expect(() => identityProviderOf(rest)).toThrow(
      expect.objectContaining({
        code: "ERR_FEDERATION_IDENTITY_CENTER",
        message: expect.stringContaining(
          "stage idc has no OIDC identity provider: it signs in through IAM Identity Center (profile claude-bedrock-idc)",
        ),
      }),
    );
  });
});
