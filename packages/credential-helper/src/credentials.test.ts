import { existsSync, readFileSync, statSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { CREDENTIALS_WINDOW_MS, StageCache } from "./cache.js";
import { CredentialResolver } from "./credentials.js";
import { HelperError } from "./errors.js";
import type { Federation } from "./federation.js";
import { CLIENT_ID, fakeIdp, ISSUER } from "../test/fake-idp.js";
import { stageSettings, T0, testDeps } from "../test/support.js";

const base = stageSettings();
const settings = (o: Record<string, unknown> = {}) =>
  stageSettings({ identityProvider: { ...base.identityProvider, issuer: ISSUER, clientId: CLIENT_ID }, ...o }) as unknown as StageSettings;

function fakeFederation(): Federation & { direct: ReturnType<typeof vi.fn>; cognito: ReturnType<typeof vi.fn> } {
  const creds = (n: number) => ({
    accessKeyId: `ASIA${n}`,
    secretAccessKey: "s",
    sessionToken: "t",
    expiration: new Date(T0 + 3600_000).toISOString(),
    principal: "arn:aws:sts::111111111111:assumed-role/r/alice@example.com",
  });
  let n = 0;
  const direct = vi.fn(async () => creds(++n));
  const cognito = vi.fn(async () => creds(++n));
  return { direct, cognito, assumeRoleWithWebIdentity: direct, cognitoCredentials: cognito };
}

async function world(o: Record<string, unknown> = {}) {
  const ref: { idp?: Awaited<ReturnType<typeof fakeIdp>> } = {};
  const d = testDeps({ fetch: (i, init) => ref.idp!.fetch(i, init) });
  const idp = (ref.idp = await fakeIdp(d.now));
  const fed = fakeFederation();
  const s = settings(o);
  const resolver = () => new CredentialResolver(d, s, { allowBrowser: false, loginTimeoutMs: 60_000, federation: fed });
  const cache = new StageCache(d, s.stage);
  return { d, idp, fed, s, resolver, cache };
}

const cachedCreds = (expiresInMs: number) => ({
  Version: 1 as const,
  AccessKeyId: "ASIAOLD",
  SecretAccessKey: "s",
  SessionToken: "t",
  Expiration: new Date(T0 + expiresInMs).toISOString(),
});

describe("credential-process resolution order (frozen clock)", () => {
  it("serves cached credentials with more than 5 minutes left, touching nothing else", async () => {
    const { d, idp, fed, resolver, cache } = await world();
    await cache.writeCredentials(cachedCreds(CREDENTIALS_WINDOW_MS + 1000));
    expect((await resolver().resolve()).AccessKeyId).toBe("ASIAOLD");
    expect(fed.direct).not.toHaveBeenCalled();
    expect(idp.requests).toEqual([]);
    expect(existsSync(cache.file("lock"))).toBe(false);
    expect(d.err).toEqual([]);
  });

  it("renews credentials inside the 5-minute window from the cached id_token, and caches them 0600", async () => {
    const { idp, fed, resolver, cache } = await world();
    await cache.writeCredentials(cachedCreds(CREDENTIALS_WINDOW_MS - 1000));
    await cache.writeIdToken({
      idToken: await idp.sign({}),
      expiresAt: T0 + 3600_000,
      identity: { sub: "alice", email: "alice@example.com" },
    });
    const c = await resolver().resolve();
    expect(c.AccessKeyId).toBe("ASIA1");
    expect(fed.direct).toHaveBeenCalledWith(
      expect.objectContaining({
        roleSessionName: "alice@example.com",
        region: "us-east-1",
        federation: expect.objectContaining({ sessionDurationSeconds: 43200 }),
      }),
    );
    expect(idp.requests).toEqual([]);
    expect(statSync(cache.file("credentials.json")).mode & 0o777).toBe(0o600);
    expect(statSync(cache.dir).mode & 0o777).toBe(0o700);
  });

  it("refreshes silently when the id_token is too old, saving the rotated refresh token", async () => {
    const { idp, fed, resolver, cache } = await world();
    await cache.writeIdToken({ idToken: "old", expiresAt: T0 + 60_000, identity: { sub: "alice", email: "alice@example.com" } });
    await cache.writeRefreshToken("rt-1");
    let sent: URLSearchParams | undefined;
    const original = idp.token;
    idp.token = async (form) => {
      sent = form;
      return original(form);
    };
    await resolver().resolve();
    expect(sent?.get("grant_type")).toBe("refresh_token");
    expect(sent?.get("refresh_token")).toBe("rt-1");
    expect(sent?.get("client_id")).toBe(CLIENT_ID);
    expect((await cache.readRefreshToken())?.refreshToken).toBe("rt-2");
    expect((await cache.readIdToken())?.identity.team).toBe("platform");
    expect(fed.direct).toHaveBeenCalledTimes(1);
  });

  it("discards the refresh token only on invalid_grant, then needs a sign-in", async () => {
    const { idp, resolver, cache } = await world();
    await cache.writeRefreshToken("rt-dead");
    idp.token = async () => ({ status: 400, body: { error: "invalid_grant" } });
    await expect(resolver().resolve()).rejects.toMatchObject({ code: "ERR_LOGIN_REQUIRED" });
    expect(await cache.readRefreshToken()).toBeUndefined();
  });

  it.each([
    [503, { error: "temporarily_unavailable" }, "ERR_IDP_UNREACHABLE"],
    [400, { error: "invalid_client" }, "ERR_IDP_REJECTED"],
  ])("keeps the refresh token when the IdP answers %i %j (%s)", async (status, body, code) => {
    const { idp, resolver, cache } = await world();
    await cache.writeRefreshToken("rt-1");
    idp.token = async () => ({ status, body });
    await expect(resolver().resolve()).rejects.toMatchObject({ code });
    expect((await cache.readRefreshToken())?.refreshToken).toBe("rt-1");
  });

  it("when STS says the token expired, gets a new one by refresh and retries once", async () => {
    const { idp, fed, resolver, cache } = await world();
    await cache.writeIdToken({
      idToken: await idp.sign({}),
      expiresAt: T0 + 3600_000,
      identity: { sub: "alice", email: "alice@example.com" },
    });
    await cache.writeRefreshToken("rt-1");
    fed.direct.mockRejectedValueOnce(new HelperError("ERR_STS_EXPIRED_TOKEN", "expired", { recoverable: true }));
    expect((await resolver().resolve()).AccessKeyId).toBe("ASIA1");
    expect(fed.direct).toHaveBeenCalledTimes(2);
    expect(idp.requests).toContain("POST /oauth2/default/v1/token");
  });

  it("asks the quota service first and refuses (dropping cached credentials) when blocked", async () => {
    const { d, idp, fed, cache } = await world({
      quota: { checkUrl: "https://quota.example.com/check", failMode: "open", timeoutMs: 1000 },
    });
    const token = await idp.sign({});
    const calls: string[] = [];
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      calls.push(`${String(input)} ${new Headers(init?.headers).get("authorization")}`);
      return new Response(JSON.stringify({ allowed: false, reason: "monthly limit" }), { status: 200 });
    };
    await cache.writeCredentials(cachedCreds(60_000));
    await cache.writeIdToken({ idToken: token, expiresAt: T0 + 3600_000, identity: { sub: "alice", email: "alice@example.com" } });
    const r = new CredentialResolver(
      { ...d, fetch },
      settings({ quota: { checkUrl: "https://quota.example.com/check", failMode: "open", timeoutMs: 1000 } }),
      { allowBrowser: false, loginTimeoutMs: 1000, federation: fed },
    );
    await expect(r.resolve()).rejects.toMatchObject({ code: "ERR_QUOTA_BLOCKED", message: expect.stringContaining("monthly limit") });
    expect(calls).toEqual([`https://quota.example.com/check Bearer ${token}`]);
    expect(fed.direct).not.toHaveBeenCalled();
    expect(await cache.readCredentials()).toBeUndefined();
    expect((await cache.readQuota())?.outcome).toBe("blocked");
  });

  it("re-checks the quota on cache hits every 15 minutes, and a block ends the cached session", async () => {
    const quota = { checkUrl: "https://quota.example.com/check", failMode: "open" as const, timeoutMs: 1000 };
    const { d, idp, fed, cache } = await world({ quota });
    let allowed = true;
    let calls = 0;
    const fetch = async () => {
      calls++;
      return new Response(JSON.stringify({ allowed, ...(allowed ? {} : { reason: "budget exhausted" }) }), { status: 200 });
    };
    const deps = { ...d, fetch };
    const resolver = () =>
      new CredentialResolver(deps, settings({ quota }), { allowBrowser: false, loginTimeoutMs: 1000, federation: fed });
    await cache.writeCredentials(cachedCreds(3 * 3600_000));
    await cache.writeIdToken({
      idToken: await idp.sign({}),
      expiresAt: T0 + 3600_000,
      identity: { sub: "alice", email: "alice@example.com" },
    });
    await resolver().resolve(); // no quota answer yet: asks
    await resolver().resolve(); // fresh answer: does not ask
    expect(calls).toBe(1);
    d.advance(16 * 60_000);
    allowed = false;
    await expect(resolver().resolve()).rejects.toMatchObject({ code: "ERR_QUOTA_BLOCKED" });
    expect(calls).toBe(2);
    expect(await cache.readCredentials()).toBeUndefined();
    expect(fed.direct).not.toHaveBeenCalled();
  });

  it("uses Cognito GetId + GetCredentialsForIdentity in Cognito mode", async () => {
    const { idp, fed, resolver, cache } = await world({
      federation: {
        mode: "cognito-identity-pool",
        identityPoolId: "us-east-1:11111111-2222-3333-4444-555555555555",
        identityPoolRegion: "us-east-1",
        roleArn: "arn:aws:iam::111111111111:role/c",
        providerName: "idp.example.com/oauth2/default",
      },
    });
    const token = await idp.sign({});
    await cache.writeIdToken({ idToken: token, expiresAt: T0 + 3600_000, identity: { sub: "alice", email: "alice@example.com" } });
    await resolver().resolve();
    expect(fed.cognito).toHaveBeenCalledWith(expect.objectContaining({ idToken: token }));
    expect(fed.direct).not.toHaveBeenCalled();
  });

  it("refuses IAM Identity Center stages (they use aws sso login)", async () => {
    const { resolver } = await world({
      federation: {
        mode: "identity-center",
        startUrl: "https://x.awsapps.com/start",
        ssoRegion: "us-east-1",
        accountId: "111111111111",
        roleName: "R",
      },
    });
    await expect(resolver().resolve()).rejects.toMatchObject({ code: "ERR_FEDERATION_IDENTITY_CENTER" });
  });

  it("a corrupt cache file is a warning, never a crash", async () => {
    const { d, idp, resolver, cache } = await world();
    const { writeFileSync, mkdirSync } = await import("node:fs");
    mkdirSync(cache.dir, { recursive: true });
    writeFileSync(cache.file("credentials.json"), "\u0000\u0001garbage");
    await cache.writeIdToken({
      idToken: await idp.sign({}),
      expiresAt: T0 + 3600_000,
      identity: { sub: "alice", email: "alice@example.com" },
    });
    expect((await resolver().resolve()).AccessKeyId).toBe("ASIA1");
    expect(d.err.join("")).toMatch(/warning: ignoring corrupt cache file .*credentials\.json/);
    expect(JSON.parse(readFileSync(cache.file("credentials.json"), "utf8")).AccessKeyId).toBe("ASIA1");
  });
});
