import { afterEach, describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { checkQuotaSigV4, signedGet, signingRegion, type CredentialsSource } from "./sigv4-check.js";
import { stageSettings, T0, testDeps } from "../../test/support.js";
import { startSigV4StandIn, type KnownCredentials, type SigV4StandIn } from "../../test/sigv4-stand-in.js";

const ALICE: KnownCredentials = {
  accessKeyId: "ASIAALICEEXAMPLE0001",
  secretAccessKey: "alice-secret-access-key-0000000000000000",
  sessionToken: "alice-session-token",
  arn: "arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/alice@example.com",
};
const idc = (checkUrl: string, failMode: "open" | "closed" = "closed") =>
  stageSettings({
    region: "eu-west-1",
    federation: {
      mode: "identity-center",
      startUrl: "https://acme.awsapps.com/start",
      ssoRegion: "eu-west-1",
      accountId: "333333333333",
      roleName: "ClaudeCode",
    },
    quota: { checkUrl, failMode, timeoutMs: 2000 },
  }) as unknown as StageSettings;
const fromProfile =
  (c: Omit<KnownCredentials, "arn">): CredentialsSource =>
  async () =>
    c;
const realFetch = (...a: Parameters<typeof fetch>) => fetch(...a);

let api: SigV4StandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** The check API as the IAM-authorised route runs it: the user is the verified caller's session name. */
async function checkApi(answer: (email: string) => unknown) {
  api = await startSigV4StandIn([ALICE], (arn) => ({ status: 200, body: answer(arn.split("/").pop()!) }), {
    region: "eu-west-1",
    now: () => T0,
  });
  return api;
}

describe("SigV4 quota check for IAM Identity Center stages", () => {
  it("signs GET /check with the SSO profile's credentials; the stand-in verifies the signature and names the caller", async () => {
    const server = await checkApi((email) => ({ allowed: true, usage: { user: email } }));
    const d = testDeps({ fetch: realFetch });
    const state = await checkQuotaSigV4(d, idc(`${server.url}/check`), idc(`${server.url}/check`).quota!, fromProfile(ALICE));
    expect(state).toMatchObject({ allowed: true, outcome: "allowed", usage: { user: "alice@example.com" } });
    expect(server.seen).toEqual({ verified: 1, rejected: [] });
  });

  it("refuses when the verified caller is over a blocking limit", async () => {
    const server = await checkApi(() => ({ allowed: false, reason: "monthly_cost_exceeded", message: "Monthly budget used up." }));
    const d = testDeps({ fetch: realFetch });
    await expect(
      checkQuotaSigV4(d, idc(`${server.url}/check`, "open"), idc(`${server.url}/check`, "open").quota!, fromProfile(ALICE)),
    ).rejects.toMatchObject({ code: "ERR_QUOTA_BLOCKED", message: expect.stringContaining("Monthly budget used up.") });
  });

  it("a wrong secret is rejected by the stand-in (403), and the fail mode decides", async () => {
    const server = await checkApi(() => ({ allowed: true }));
    const forged = fromProfile({ ...ALICE, secretAccessKey: "not-alice-secret" });
    const open = testDeps({ fetch: realFetch });
    expect(
      await checkQuotaSigV4(open, idc(`${server.url}/check`, "open"), idc(`${server.url}/check`, "open").quota!, forged),
    ).toMatchObject({ outcome: "unavailable", reason: "answered HTTP 403" });
    await expect(
      checkQuotaSigV4(testDeps({ fetch: realFetch }), idc(`${server.url}/check`), idc(`${server.url}/check`).quota!, forged),
    ).rejects.toMatchObject({ code: "ERR_QUOTA_UNAVAILABLE" });
    expect(server.seen.rejected).toEqual(["signature does not match", "signature does not match"]);
  });

  it("a signature from another time is refused (the signing date is the helper's clock)", async () => {
    const server = await checkApi(() => ({ allowed: true }));
    const d = testDeps({ fetch: realFetch });
    d.advance(10 * 60_000);
    const s = idc(`${server.url}/check`, "open");
    expect(await checkQuotaSigV4(d, s, s.quota!, fromProfile(ALICE))).toMatchObject({ outcome: "unavailable" });
    expect(server.seen.rejected).toEqual(["signature expired"]);
  });

  it("without SSO credentials the check is unavailable and the message says how to sign in", async () => {
    const d = testDeps({ fetch: realFetch });
    const s = idc("https://abc123.execute-api.eu-west-1.amazonaws.com/check", "closed");
    const none: CredentialsSource = async () => Promise.reject(new Error("The SSO session associated with this profile has expired"));
    await expect(checkQuotaSigV4(d, s, s.quota!, none)).rejects.toMatchObject({
      code: "ERR_QUOTA_UNAVAILABLE",
      message: expect.stringContaining(`aws sso login --profile ${s.awsProfile}`),
    });
  });

  it("signs other IAM-authorised GETs the same way (query strings included)", async () => {
    api = await startSigV4StandIn([ALICE], (arn, path) => ({ status: 200, body: { arn, path } }), { region: "eu-west-1", now: () => T0 });
    const d = testDeps({ fetch: realFetch });
    const res = await signedGet(d, idc(`${api.url}/check`), `${api.url}/token?aud=otel&b=a b`, 2000, fromProfile(ALICE));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ arn: ALICE.arn, path: "/token" });
  });

  it("takes the signing Region from an execute-api host, else the stage's Region", () => {
    expect(signingRegion("https://abc123.execute-api.us-west-2.amazonaws.com/check", "eu-west-1")).toBe("us-west-2");
    expect(signingRegion("https://quota.example.com/check", "eu-west-1")).toBe("eu-west-1");
  });
});
