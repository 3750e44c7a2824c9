import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { identityFromArn, roleIdentity, ROLE_IDENTITY_TTL_MS } from "./idc.js";
import { stageSettings, testDeps } from "../test/support.js";

const idc = stageSettings({
  federation: {
    mode: "identity-center",
    startUrl: "https://acme.awsapps.com/start",
    ssoRegion: "eu-west-1",
    accountId: "333333333333",
    roleName: "ClaudeCode",
  },
}) as unknown as StageSettings;
const ARN = "arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/alice@example.com";

describe("Identity Center identity from the role session", () => {
  it("reads the session name from the assumed-role ARN", () => {
    expect(identityFromArn(ARN)).toEqual({ name: "alice@example.com", email: "alice@example.com" });
    expect(identityFromArn("arn:aws-us-gov:sts::333333333333:assumed-role/AWSReservedSSO_X/jdoe")).toEqual({ name: "jdoe" });
    expect(identityFromArn("arn:aws:iam::333333333333:user/bob")).toBeUndefined();
  });

  it("looks it up with the stage's profile once an hour", async () => {
    const d = testDeps();
    const lookup = vi.fn(async () => ({ arn: ARN, account: "333333333333" }));
    expect((await roleIdentity(d, idc, lookup))?.email).toBe("alice@example.com");
    expect(lookup).toHaveBeenCalledWith("claude-pilot", "us-east-1");
    await roleIdentity(d, idc, lookup);
    expect(lookup).toHaveBeenCalledTimes(1);
    d.advance(ROLE_IDENTITY_TTL_MS + 1);
    await roleIdentity(d, idc, lookup);
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it("is signed out when the SSO session has expired, and never resolves a profile that runs a credential_process", async () => {
    const d = testDeps();
    expect(await roleIdentity(d, idc, async () => Promise.reject(new Error("Token is expired")))).toBeUndefined();
    mkdirSync(join(d.homedir, ".aws"));
    writeFileSync(join(d.homedir, ".aws", "config"), "[profile claude-pilot]\ncredential_process = claude-bedrock credential-process\n");
    const lookup = vi.fn();
    expect(await roleIdentity(d, idc, lookup)).toBeUndefined();
    expect(lookup).not.toHaveBeenCalled();
  });
});
