/**
 * Every failure the issue lists, through the built bundle: one clear line on stderr with the code,
 * a distinct exit code, nothing on stdout, and nothing the user had is lost.
 */
import * as net from "node:net";
import { hostname } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/main.js";
import type { HelperErrorCode } from "../../src/errors.js";
import {
  baseEnv,
  browserLog,
  cacheFile,
  waitForPages,
  helperLines,
  runHelper,
  seed,
  tempHome,
  writeSettings,
  type RunResult,
} from "./harness/helper.js";
import { removeTempHomes } from "./harness/helper.js";
import { freePort } from "@ccb/test-support";
import { startWorld, type World } from "./harness/world.js";

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
  removeTempHomes();
});
afterEach(() => {
  w.idp.forgeToken = undefined;
  w.idp.discoveryIssuer = undefined;
  w.sts.failWith = undefined;
  w.sts.quota = undefined;
});

function home(settingsOverrides: Record<string, unknown> = {}, extra: Record<string, string | undefined> = {}) {
  const h = tempHome("fail");
  const file = writeSettings(h, w.settings(settingsOverrides));
  return { home: h, env: baseEnv(h, { CLAUDE_BEDROCK_SETTINGS: file, AWS_ENDPOINT_URL_STS: w.sts.endpoint, ...extra }) };
}

/** No way to show a browser: no display, no configured command. */
const HEADLESS = { CLAUDE_BEDROCK_BROWSER_COMMAND: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };

function expectFailure(r: RunResult, code: HelperErrorCode): void {
  expect(r.stdout).toBe("");
  expect(r.code, r.stderr).toBe(EXIT_CODES[code]);
  const lines = helperLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`Fix: .+\\[${code}\\]$`));
  expect(r.stderr).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // never a token
}

async function validIdToken(claims: Record<string, unknown> = {}) {
  const token = await w.idp.sign({ sub: "alice", email: "alice@example.com", team: "platform", ...claims });
  return { idToken: token, expiresAt: Date.now() + 3600_000, identity: { sub: "alice", email: "alice@example.com", team: "platform" } };
}

describe("identity provider failures", () => {
  it("IdP down: ERR_IDP_UNREACHABLE, and the refresh token is kept", async () => {
    const port = await freePort();
    const { home: h, env } = home({
      identityProvider: { ...(w.settings().identityProvider as object), issuer: `http://127.0.0.1:${port}` },
    });
    seed(h, "refresh-token.json", { refreshToken: "still-good", savedAt: Date.now() });
    expectFailure(await runHelper(["credential-process"], env), "ERR_IDP_UNREACHABLE");
    expect(JSON.parse(readFileSync(cacheFile(h, "refresh-token.json"), "utf8")).refreshToken).toBe("still-good");
  });

  it("discovery names another issuer: ERR_IDP_DISCOVERY", async () => {
    const { home: h, env } = home();
    seed(h, "refresh-token.json", { refreshToken: "r", savedAt: Date.now() });
    w.idp.discoveryIssuer = "https://evil.example.com";
    expectFailure(await runHelper(["credential-process"], env), "ERR_IDP_DISCOVERY");
  });

  it("the user cancels at the consent page: ERR_LOGIN_CANCELLED", async () => {
    const { home: h, env } = home({}, { E2E_BROWSER_MODE: "cancel" });
    expectFailure(await runHelper(["credential-process"], env), "ERR_LOGIN_CANCELLED");
    expect(browserLog(h)).toHaveLength(1);
    expect(await waitForPages(h, 1)).toEqual(["Sign-in failed"]);
  });

  it("a code exchange answered with an id_token from another sign-in: ERR_TOKEN_NONCE, shown in the browser too", async () => {
    const { home: h, env } = home();
    const forged = await w.idp.sign({ sub: "alice", email: "alice@example.com", nonce: "someone-elses-nonce" });
    w.idp.forgeToken = (grant) =>
      grant === "authorization_code"
        ? { access_token: "at", token_type: "Bearer", expires_in: 3600, id_token: forged }
        : { status: 400, body: { error: "unsupported_grant_type" } };
    expectFailure(await runHelper(["credential-process"], env), "ERR_TOKEN_NONCE");
    expect(await waitForPages(h, 1)).toEqual(["Sign-in failed"]);
    expect(existsSync(cacheFile(h, "id-token.json"))).toBe(false);
  });

  it("a redirect with the wrong state is ignored; the sign-in then times out as ERR_LOGIN_STATE_MISMATCH", async () => {
    const { env } = home({}, { E2E_BROWSER_MODE: "wrong-state", CLAUDE_BEDROCK_LOGIN_TIMEOUT_SECONDS: "3" });
    expectFailure(await runHelper(["credential-process"], env), "ERR_LOGIN_STATE_MISMATCH");
  });

  it("no callback at all: ERR_LOGIN_TIMEOUT", async () => {
    const { env } = home({}, { E2E_BROWSER_MODE: "none", CLAUDE_BEDROCK_LOGIN_TIMEOUT_SECONDS: "1" });
    expectFailure(await runHelper(["credential-process"], env), "ERR_LOGIN_TIMEOUT");
  });

  it("the redirect port is taken by another program: ERR_LOGIN_PORT_IN_USE, before any browser opens", async () => {
    const { home: h, env } = home();
    const squatter = net.createServer().listen(w.redirectPort, "127.0.0.1");
    await new Promise((r) => squatter.once("listening", r));
    try {
      expectFailure(await runHelper(["credential-process"], env), "ERR_LOGIN_PORT_IN_USE");
      expect(browserLog(h)).toHaveLength(0);
    } finally {
      squatter.close();
    }
  });

  it("headless machine with nothing cached: ERR_LOGIN_REQUIRED instead of hanging", async () => {
    const { env } = home({}, HEADLESS);
    expectFailure(await runHelper(["credential-process"], env), "ERR_LOGIN_REQUIRED");
  });
});

describe("token validation (tokens forged at the IdP's token endpoint on refresh)", () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, HelperErrorCode, () => Promise<string>]>([
    [
      "signed by a stranger's key",
      "ERR_TOKEN_SIGNATURE",
      () => w.idp.sign({ sub: "alice", email: "alice@example.com" }, { foreignKey: true }),
    ],
    ["expired", "ERR_TOKEN_EXPIRED", () => w.idp.sign({ sub: "alice", email: "alice@example.com", iat: now() - 7200, exp: now() - 3600 })],
    [
      "not yet valid",
      "ERR_TOKEN_NOT_YET_VALID",
      () => w.idp.sign({ sub: "alice", email: "alice@example.com", iat: now() + 3600, nbf: now() + 3600, exp: now() + 7200 }),
    ],
    [
      "from another issuer",
      "ERR_TOKEN_ISSUER",
      () => w.idp.sign({ sub: "alice", email: "alice@example.com", iss: "https://evil.example.com" }),
    ],
    ["for another client", "ERR_TOKEN_AUDIENCE", () => w.idp.sign({ sub: "alice", email: "alice@example.com", aud: "someone-else" })],
    ["without an email", "ERR_TOKEN_CLAIMS", () => w.idp.sign({ sub: "alice" })],
  ])("an id_token %s: %s, and STS is never called", async (_label, code, forge) => {
    const { home: h, env } = home({}, HEADLESS);
    seed(h, "refresh-token.json", { refreshToken: "r", savedAt: Date.now() });
    const idToken = await forge();
    w.idp.forgeToken = () => ({ access_token: "at", token_type: "Bearer", expires_in: 3600, id_token: idToken, refresh_token: "r2" });
    const before = w.sts.calls.AssumeRoleWithWebIdentity ?? 0;
    expectFailure(await runHelper(["credential-process"], env), code);
    expect(w.sts.calls.AssumeRoleWithWebIdentity ?? 0).toBe(before);
    expect(existsSync(cacheFile(h, "id-token.json"))).toBe(false);
  });

  it("invalid_grant on refresh discards the refresh token; an IdP outage (503) keeps it", async () => {
    const a = home({}, HEADLESS);
    seed(a.home, "refresh-token.json", { refreshToken: "dead", savedAt: Date.now() });
    w.idp.forgeToken = () => ({ status: 400, body: { error: "invalid_grant", error_description: "grant request is invalid" } });
    expectFailure(await runHelper(["credential-process"], a.env), "ERR_LOGIN_REQUIRED");
    expect(existsSync(cacheFile(a.home, "refresh-token.json"))).toBe(false);

    const b = home({}, HEADLESS);
    seed(b.home, "refresh-token.json", { refreshToken: "fine", savedAt: Date.now() });
    w.idp.forgeToken = () => ({ status: 503, body: { error: "temporarily_unavailable" } });
    expectFailure(await runHelper(["credential-process"], b.env), "ERR_IDP_UNREACHABLE");
    expect(existsSync(cacheFile(b.home, "refresh-token.json"))).toBe(true);
  });
});

describe("AWS STS failures", () => {
  it.each<[string, HelperErrorCode]>([
    ["AccessDenied", "ERR_STS_ACCESS_DENIED"],
    ["ExpiredTokenException", "ERR_STS_EXPIRED_TOKEN"],
    ["InvalidIdentityToken", "ERR_STS_INVALID_TOKEN"],
  ])("STS answers %s: %s", async (stsCode, code) => {
    const { home: h, env } = home({}, HEADLESS);
    seed(h, "id-token.json", await validIdToken());
    w.sts.failWith = { code: stsCode, message: `e2e ${stsCode}` };
    expectFailure(await runHelper(["credential-process"], env), code);
  });

  it("STS unreachable: ERR_STS_UNREACHABLE", async () => {
    const { home: h, env } = home({}, { ...HEADLESS, AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${await freePort()}` });
    seed(h, "id-token.json", await validIdToken());
    expectFailure(await runHelper(["credential-process"], env), "ERR_STS_UNREACHABLE");
  });

  it("AWS_ENDPOINT_URL is honoured when AWS_ENDPOINT_URL_STS is not set", async () => {
    const { home: h, env } = home({}, { ...HEADLESS, AWS_ENDPOINT_URL_STS: undefined, AWS_ENDPOINT_URL: w.sts.endpoint });
    seed(h, "id-token.json", await validIdToken());
    const r = await runHelper(["credential-process"], env);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("local state", () => {
  it("a corrupt credentials file is ignored with one warning and replaced", async () => {
    const { home: h, env } = home({}, HEADLESS);
    seed(h, "credentials.json", "{not json");
    seed(h, "id-token.json", await validIdToken());
    const r = await runHelper(["credential-process"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).Version).toBe(1);
    expect(helperLines(r.stderr)).toEqual([expect.stringMatching(/warning: ignoring corrupt cache file .*credentials\.json/)]);
    expect(JSON.parse(readFileSync(cacheFile(h, "credentials.json"), "utf8")).Version).toBe(1);
  });

  it("a stale lock left by a dead process is broken", async () => {
    const { home: h, env } = home({}, HEADLESS);
    seed(h, "id-token.json", await validIdToken());
    seed(h, "lock", { pid: 2 ** 22 + 12345, host: hostname(), createdAt: Date.now() });
    const r = await runHelper(["credential-process"], env);
    expect(r.code, r.stderr).toBe(0);
  });

  it("invalid stage settings: ERR_SETTINGS_INVALID naming the key", async () => {
    const h = tempHome("fail");
    const file = join(h, "bad.json");
    writeFileSync(file, JSON.stringify({ ...w.settings(), region: "mars-1" }));
    const r = await runHelper(["credential-process"], baseEnv(h, { CLAUDE_BEDROCK_SETTINGS: file }));
    expectFailure(r, "ERR_SETTINGS_INVALID");
    expect(r.stderr).toContain("$.region");
  });

  it("no stage settings at all: ERR_SETTINGS_MISSING", async () => {
    const h = tempHome("fail");
    expectFailure(await runHelper(["credential-process"], baseEnv(h)), "ERR_SETTINGS_MISSING");
  });

  it("read-only home: ERR_CACHE_UNWRITABLE", async () => {
    const h = tempHome("fail");
    const file = writeSettings(h, w.settings());
    // /sys refuses writes even to root, like a read-only mount.
    const env = baseEnv("/sys/kernel", { CLAUDE_BEDROCK_SETTINGS: file, AWS_ENDPOINT_URL_STS: w.sts.endpoint });
    expectFailure(await runHelper(["credential-process"], env), "ERR_CACHE_UNWRITABLE");
  });

  it("bad command line: ERR_CLI_USAGE", async () => {
    expectFailure(await runHelper(["credential-process", "--bogus"], baseEnv(tempHome("fail"))), "ERR_CLI_USAGE");
  });
});

describe("quota check", () => {
  it("blocked: ERR_QUOTA_BLOCKED with the reason, before any STS call", async () => {
    const { home: h, env } = home({ quota: { checkUrl: `${w.sts.endpoint}/check`, failMode: "open", timeoutMs: 2000 } }, HEADLESS);
    seed(h, "id-token.json", await validIdToken());
    w.sts.quota = { body: { allowed: false, reason: "monthly token limit reached" } };
    const before = w.sts.calls.AssumeRoleWithWebIdentity ?? 0;
    const r = await runHelper(["credential-process"], env);
    expectFailure(r, "ERR_QUOTA_BLOCKED");
    expect(r.stderr).toContain("monthly token limit reached");
    expect(w.sts.calls.AssumeRoleWithWebIdentity ?? 0).toBe(before);
  });

  it("alerts are warned about on stderr and credentials are issued", async () => {
    const { home: h, env } = home({ quota: { checkUrl: `${w.sts.endpoint}/check`, failMode: "closed", timeoutMs: 2000 } }, HEADLESS);
    seed(h, "id-token.json", await validIdToken());
    w.sts.quota = { body: { allowed: true, alerts: [{ threshold: 80, message: "82% of your monthly tokens used" }] } };
    const r = await runHelper(["credential-process"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(helperLines(r.stderr)).toEqual(["claude-bedrock: warning: usage: 82% of your monthly tokens used"]);
  });

  it("unavailable and fail-closed: ERR_QUOTA_UNAVAILABLE; fail-open: a warning and credentials", async () => {
    const closed = home({ quota: { checkUrl: `${w.sts.endpoint}/check`, failMode: "closed", timeoutMs: 300 } }, HEADLESS);
    seed(closed.home, "id-token.json", await validIdToken());
    w.sts.quota = { hang: true };
    expectFailure(await runHelper(["credential-process"], closed.env), "ERR_QUOTA_UNAVAILABLE");

    const open = home({ quota: { checkUrl: `${w.sts.endpoint}/check`, failMode: "open", timeoutMs: 2000 } }, HEADLESS);
    seed(open.home, "id-token.json", await validIdToken());
    w.sts.quota = { status: 503 };
    const r = await runHelper(["credential-process"], open.env);
    expect(r.code, r.stderr).toBe(0);
    expect(helperLines(r.stderr)[0]).toMatch(/quota service answered HTTP 503; continuing because this stage fails open/);
  });
});

describe("otel-headers never fails", () => {
  it("prints {} and exits 0 when not signed in, with a corrupt token file, or without settings", async () => {
    const { home: h, env } = home({}, HEADLESS);
    for (const setupCase of [() => undefined, () => seed(h, "id-token.json", "garbage")]) {
      setupCase();
      const r = await runHelper(["otel-headers"], env);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe("{}");
    }
    const none = await runHelper(["otel-headers"], baseEnv(tempHome("fail")));
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe("{}");
  });
});
