import { afterEach, describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import type { RoleIdentity } from "../idc.js";
import { idcOtelHeaders, parseTokenAnswer } from "./idc-token.js";
import { stageSettings, T0, testDeps } from "../../test/support.js";
import { startSigV4StandIn, type KnownCredentials, type SigV4StandIn } from "../../test/sigv4-stand-in.js";

const ALICE: KnownCredentials = {
  accessKeyId: "ASIAALICEEXAMPLE0002",
  secretAccessKey: "alice-secret-access-key-1111111111111111",
  sessionToken: "alice-session-token-2",
  arn: "arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/alice@example.com",
};
const WHO: RoleIdentity = { arn: ALICE.arn, account: "333333333333", name: "alice@example.com", email: "alice@example.com", checkedAt: T0 };
const realFetch = (...a: Parameters<typeof fetch>) => fetch(...a);
const MARGIN = 30 * 60_000;
const jwt = (n: number) => `eyJhbGciOiJFUzI1NiJ9.eyJuIjo${n}fQ.sig${n}`;

let api: SigV4StandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function stage(base: string, quota = true) {
  return stageSettings({
    region: "eu-west-1",
    federation: {
      mode: "identity-center",
      startUrl: "https://acme.awsapps.com/start",
      ssoRegion: "eu-west-1",
      accountId: "333333333333",
      roleName: "ClaudeCode",
    },
    telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf", tokenUrl: `${base}/token` },
    ...(quota ? { quota: { checkUrl: `${base}/check`, failMode: "closed", timeoutMs: 2000 } } : {}),
  }) as unknown as StageSettings;
}

describe("otel-headers for IAM Identity Center stages", () => {
  it("fetches a token from the signed endpoint, caches it, and asks again only when it would expire", async () => {
    let issued = 0;
    const d = testDeps({ fetch: realFetch });
    api = await startSigV4StandIn(
      [ALICE],
      (arn, path) => {
        if (path === "/check") return { status: 200, body: { allowed: true } };
        issued++;
        return {
          status: 200,
          body: { token: jwt(issued), expiresAt: new Date(T0 + issued * 3600_000).toISOString(), email: arn.split("/").pop() },
        };
      },
      { region: "eu-west-1", now: () => d.now() },
    );
    const s = stage(api.url);
    const creds = async () => ALICE;
    const first = await idcOtelHeaders(d, s, async () => WHO, MARGIN, creds);
    expect(first).toEqual({ Authorization: `Bearer ${jwt(1)}`, "x-ccb-token-issuer": "iam", "x-user-email": "alice@example.com" });
    expect(await idcOtelHeaders(d, s, async () => WHO, MARGIN, creds)).toEqual(first);
    expect(issued).toBe(1);
    // Less than 30 minutes before expiry the token would not outlive Claude Code's next call (29 min + 1): renew.
    d.advance(29 * 60_000);
    await idcOtelHeaders(d, s, async () => WHO, MARGIN, creds);
    expect(issued).toBe(1);
    d.advance(2 * 60_000);
    const again = await idcOtelHeaders(d, s, async () => WHO, MARGIN, creds);
    expect(issued).toBe(2);
    expect(again.Authorization).toBe(`Bearer ${jwt(2)}`);
    expect(api.seen.rejected).toEqual([]);
  });

  it("never fails: endpoint down or signed out gives the cached token while valid, then the identity header, then {}", async () => {
    const d = testDeps({ fetch: async () => Promise.reject(new TypeError("fetch failed")) });
    const s = stage("https://abc.execute-api.eu-west-1.amazonaws.com", false);
    expect(
      await idcOtelHeaders(
        d,
        s,
        async () => WHO,
        MARGIN,
        async () => ALICE,
      ),
    ).toEqual({ "x-user-email": "alice@example.com" });
    expect(
      await idcOtelHeaders(
        d,
        s,
        async () => undefined,
        MARGIN,
        async () => Promise.reject(new Error("expired")),
      ),
    ).toEqual({});
    expect(
      await idcOtelHeaders(
        d,
        s,
        async () => {
          throw new Error("boom");
        },
        MARGIN,
        async () => ALICE,
      ),
    ).toEqual({});
  });

  it("remembers the signed quota answer for status, and warns when the user is blocked", async () => {
    api = await startSigV4StandIn(
      [ALICE],
      (_arn, path) =>
        path === "/check"
          ? { status: 200, body: { allowed: false, reason: "monthly_cost_exceeded", message: "Monthly budget used up." } }
          : { status: 500, body: {} },
      { region: "eu-west-1", now: () => T0 },
    );
    const d = testDeps({ fetch: realFetch });
    const headers = await idcOtelHeaders(
      d,
      stage(api.url),
      async () => WHO,
      MARGIN,
      async () => ALICE,
    );
    expect(headers).toEqual({ "x-user-email": "alice@example.com" });
    expect(d.err.join("")).toContain("Monthly budget used up.");
  });

  it("accepts only the documented token answer", () => {
    expect(parseTokenAnswer({ token: "a.b.c", expiresAt: 1_800_000_000 })).toEqual({ token: "a.b.c", expiresAt: 1_800_000_000_000 });
    expect(parseTokenAnswer({ token: "not-a-jwt", expiresAt: 1 })).toBeUndefined();
    expect(parseTokenAnswer({ token: "a.b.c" })).toBeUndefined();
  });
});
