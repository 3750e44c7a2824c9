import { afterEach, describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { identityCenterChecks } from "./idc-doctor.js";
import { stageSettings, T0, testDeps } from "../test/support.js";
import { startSigV4StandIn, type KnownCredentials, type SigV4StandIn } from "../test/sigv4-stand-in.js";

const ALICE: KnownCredentials = {
  accessKeyId: "ASIAALICEEXAMPLE0003",
  secretAccessKey: "alice-secret-access-key-3333333333333333",
  sessionToken: "alice-session-token-3",
  arn: "arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/alice@example.com",
};
const realFetch = (...a: Parameters<typeof fetch>) => fetch(...a);
const stage = (base?: string) =>
  stageSettings({
    region: "us-east-1",
    federation: {
      mode: "identity-center",
      startUrl: "https://acme.awsapps.com/start",
      ssoRegion: "us-east-1",
      accountId: "333333333333",
      roleName: "ClaudeCode",
    },
    ...(base
      ? {
          quota: { checkUrl: `${base}/check`, failMode: "open", timeoutMs: 2000 },
          telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf", tokenUrl: `${base}/token` },
        }
      : {}),
  }) as unknown as StageSettings;

let api: SigV4StandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("doctor for IAM Identity Center stages", () => {
  it("reports the SSO session, the permission set, the signed check and the token endpoint", async () => {
    api = await startSigV4StandIn(
      [ALICE],
      (_arn, path) =>
        path === "/check"
          ? { status: 200, body: { allowed: true } }
          : { status: 200, body: { token: "a.b.c", expiresAt: T0 / 1000 + 3600 } },
      { region: "us-east-1", now: () => T0 },
    );
    const checks = await identityCenterChecks(testDeps({ fetch: realFetch }), stage(api.url), {
      lookup: async () => ({ arn: ALICE.arn, account: "333333333333" }),
      credentials: async () => ALICE,
    });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ["SSO session", true],
      ["permission set", true],
      ["quota check", true],
      ["telemetry token", true],
    ]);
  });

  it("an expired SSO session fails with the sign-in command; a profile pointing elsewhere fails the permission set check", async () => {
    const d = testDeps();
    const expired = await identityCenterChecks(d, stage(), {
      lookup: async () => Promise.reject(new Error("The SSO session associated with this profile has expired")),
    });
    expect(expired).toEqual([
      expect.objectContaining({
        name: "SSO session",
        ok: false,
        fix: expect.stringContaining(`aws sso login --profile ${stage().awsProfile}`),
      }),
    ]);
    const other = await identityCenterChecks(d, stage(), {
      lookup: async () => ({
        arn: "arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com",
        account: "333333333333",
      }),
    });
    expect(other.find((c) => c.name === "permission set")).toMatchObject({ ok: false });
  });

  it("a signature the API refuses fails the quota and token checks", async () => {
    api = await startSigV4StandIn([ALICE], () => ({ status: 200, body: {} }), { region: "us-east-1", now: () => T0 });
    const checks = await identityCenterChecks(testDeps({ fetch: realFetch }), stage(api.url), {
      lookup: async () => ({ arn: ALICE.arn, account: "333333333333" }),
      credentials: async () => ({ ...ALICE, secretAccessKey: "wrong" }),
    });
    expect(checks.filter((c) => c.ok === false).map((c) => c.name)).toEqual(["quota check", "telemetry token"]);
  });
});
