/**
 * End to end on real parts: the built bundle as a child process, a real OpenID provider, headless
 * Chromium completing the sign-in, an STS stand-in that verifies the token, and the real consumers
 * (the AWS SDK's fromProcess() and the AWS CLI v2) reading the helper through credential_process.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fromProcess } from "@aws-sdk/credential-providers";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  baseEnv,
  browserLog,
  cacheFile,
  waitForPages,
  runHelper,
  seed,
  tempHome,
  withProcessEnv,
  writeSettings,
} from "./harness/helper.js";
import { removeTempHomes } from "./harness/helper.js";
import { startWorld, type World } from "./harness/world.js";

const AWS_CLI = "/usr/bin/aws";
let w: World;

beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
  removeTempHomes();
});

/** A HOME where `setup` has run, and the environment to use it. */
async function setUpHome(extra: Record<string, string> = {}) {
  const home = tempHome();
  const file = writeSettings(home, w.settings());
  const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint, ...extra });
  const setup = await runHelper(["setup", "--settings", file], env);
  expect(setup.code, setup.stderr).toBe(0);
  return { home, env, file };
}

const stsCalls = () => w.sts.calls.AssumeRoleWithWebIdentity ?? 0;

function parseProcessJson(stdout: string) {
  const creds = JSON.parse(stdout);
  expect(Object.keys(creds).sort()).toEqual(["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken", "Version"]);
  expect(creds.Version).toBe(1);
  return creds as { AccessKeyId: string; Expiration: string };
}

describe("sign-in and credential_process", () => {
  it("first call signs in through the browser, then the AWS SDK and the AWS CLI get credentials from the cache", async () => {
    const { home, env } = await setUpHome();
    const before = stsCalls();

    const first = await runHelper(["credential-process"], env);
    expect(first.code, first.stderr).toBe(0);
    const creds = parseProcessJson(first.stdout);
    expect(browserLog(home)).toHaveLength(1);
    expect(await waitForPages(home, 1)).toEqual(["Signed in"]);
    expect(stsCalls()).toBe(before + 1);
    const issued = w.sts.issued.find((i) => i.accessKeyId === creds.AccessKeyId)!;
    expect(issued.sessionName).toBe("alice@example.com");
    expect(w.sts.durationSeconds).toBe(3600);

    // Cache: private files, and the next call makes no STS call and opens no browser.
    const dir = join(home, ".claude-bedrock", "cache", "e2e");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ["credentials.json", "id-token.json", "refresh-token.json"]) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const second = await runHelper(["credential-process"], env);
    expect(second.code).toBe(0);
    expect(parseProcessJson(second.stdout).AccessKeyId).toBe(creds.AccessKeyId);
    expect(second.stderr).toBe("");
    expect(stsCalls()).toBe(before + 1);

    // The real AWS SDK consumer.
    const sdkCreds = await withProcessEnv(env, () => fromProcess({ profile: "claude-e2e" })());
    expect(sdkCreds.accessKeyId).toBe(creds.AccessKeyId);
    const who = await new STSClient({ region: "us-east-1", endpoint: w.sts.endpoint, credentials: sdkCreds }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(who.Arn).toBe("arn:aws:sts::111111111111:assumed-role/claude-bedrock-users/alice@example.com");

    // The real AWS CLI v2 consumer.
    const exec = promisify(execFile);
    const exported = await exec(AWS_CLI, ["configure", "export-credentials", "--profile", "claude-e2e", "--format", "process"], { env });
    expect(JSON.parse(exported.stdout).AccessKeyId).toBe(creds.AccessKeyId);
    const cli = await exec(
      AWS_CLI,
      ["sts", "get-caller-identity", "--profile", "claude-e2e", "--endpoint-url", w.sts.endpoint, "--output", "json"],
      { env },
    );
    expect(JSON.parse(cli.stdout).Arn).toContain("assumed-role/claude-bedrock-users/alice@example.com");
    expect(stsCalls()).toBe(before + 1);
    expect(browserLog(home)).toHaveLength(1);

    // Telemetry headers and status come from the same sign-in.
    const headers = await runHelper(["otel-headers"], env);
    expect(headers.code).toBe(0);
    const h = JSON.parse(headers.stdout);
    expect(h).toMatchObject({
      "x-user-email": "alice@example.com",
      "x-department": "engineering",
      "x-team": "platform",
      "x-cost-center": "cc-1234",
    });
    expect(h.Authorization).toMatch(/^Bearer eyJ/);
    const status = await runHelper(["status", "--json"], env);
    expect(JSON.parse(status.stdout)).toMatchObject({
      stage: "e2e",
      email: "alice@example.com",
      team: "platform",
      credentialsValid: true,
      refreshToken: true,
    });

    // The first sign-in switched Claude Code to the team's inference profiles (setup had run before).
    expect(first.stderr).toContain("Claude Code now uses the inference profiles of team platform");
    const again = await runHelper(["setup", "--stage", "e2e"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("updated   ");
    const claude = JSON.parse(readFileSync(join(home, ".claude", "settings.json"), "utf8"));
    expect(claude.env.ANTHROPIC_MODEL).toBe("arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc123");
  });

  it("expired credentials and id_token renew silently with the refresh token (no browser)", async () => {
    const { home, env } = await setUpHome();
    expect((await runHelper(["credential-process"], env)).code).toBe(0);
    const creds = JSON.parse(readFileSync(cacheFile(home, "credentials.json"), "utf8"));
    const tok = JSON.parse(readFileSync(cacheFile(home, "id-token.json"), "utf8"));
    seed(home, "credentials.json", { ...creds, Expiration: new Date(Date.now() + 60_000).toISOString() });
    seed(home, "id-token.json", { ...tok, expiresAt: Date.now() - 1000 });
    const refreshes = w.idp.grants.refresh_token ?? 0;
    const before = stsCalls();

    const { refreshToken } = JSON.parse(readFileSync(cacheFile(home, "refresh-token.json"), "utf8"));
    const r = await runHelper(["credential-process", "--debug"], env);
    expect(r.code, r.stderr).toBe(0);
    const fresh = JSON.parse(r.stdout);
    expect(fresh.AccessKeyId).not.toBe(creds.AccessKeyId);
    expect(w.idp.grants.refresh_token).toBe(refreshes + 1);
    // --debug explains every step on stderr and never shows a secret.
    expect(r.stderr).toContain("[debug] credentials: refreshing");
    for (const secret of [refreshToken, fresh.SecretAccessKey, fresh.SessionToken, "eyJ"]) expect(r.stderr).not.toContain(secret);
    expect(stsCalls()).toBe(before + 1);
    expect(browserLog(home)).toHaveLength(1);
    // The rotated refresh token replaced the old one.
    expect(JSON.parse(readFileSync(cacheFile(home, "refresh-token.json"), "utf8")).refreshToken).not.toBe(undefined);
  });

  it("a revoked refresh token falls back to the browser and is replaced", async () => {
    const { home, env } = await setUpHome();
    expect((await runHelper(["credential-process"], env)).code).toBe(0);
    const { refreshToken } = JSON.parse(readFileSync(cacheFile(home, "refresh-token.json"), "utf8"));
    expect(await w.idp.revokeRefreshToken(refreshToken)).toBe(200);
    const tok = JSON.parse(readFileSync(cacheFile(home, "id-token.json"), "utf8"));
    seed(home, "id-token.json", { ...tok, expiresAt: Date.now() - 1000 });
    seed(home, "credentials.json", "");

    const r = await runHelper(["credential-process"], env);
    expect(r.code, r.stderr).toBe(0);
    parseProcessJson(r.stdout);
    expect(browserLog(home)).toHaveLength(2);
    expect(JSON.parse(readFileSync(cacheFile(home, "refresh-token.json"), "utf8")).refreshToken).not.toBe(refreshToken);
  });

  it("20 concurrent calls share one browser sign-in and one STS call", async () => {
    const { home, env } = await setUpHome();
    const before = stsCalls();
    const codes = w.idp.grants.authorization_code ?? 0;
    const results = await Promise.all(Array.from({ length: 20 }, () => runHelper(["credential-process"], env)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const keys = new Set(results.map((r) => parseProcessJson(r.stdout).AccessKeyId));
    expect(keys.size).toBe(1);
    expect(browserLog(home)).toHaveLength(1);
    expect(stsCalls()).toBe(before + 1);
    expect(w.idp.grants.authorization_code).toBe(codes + 1);
    expect(existsSync(cacheFile(home, "lock"))).toBe(false);
  });

  it.each([[["login", "--no-browser"]], [["login"]]])(
    "%j on a machine without a display accepts the redirect URL pasted on stdin",
    async (args) => {
      const { home, env } = await setUpHome({ CLAUDE_BEDROCK_BROWSER_COMMAND: "" });
      // The "other machine" is this test: it reads the printed URL and plays the browser's part.
      const { spawn } = await import("node:child_process");
      const { BUNDLE, HELPER_NODE } = await import("./harness/helper.js");
      const child = spawn(HELPER_NODE, [BUNDLE, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
      let stderr = "";
      const url = await new Promise<string>((resolve) => {
        child.stderr.on("data", (c) => {
          stderr += c;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
      });
      const { execFile: ef } = await import("node:child_process");
      const driven = await promisify(ef)(process.execPath, [join(import.meta.dirname, "fixtures", "drive-browser.mjs"), url], {
        env: { ...env, E2E_BROWSER_MODE: "capture" },
      });
      const pasted = driven.stdout.trim();
      expect(pasted).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
      // A stale address pasted by mistake is ignored; the right one still completes the sign-in.
      child.stdin.write(`${pasted.replace(/state=[^&]+/, "state=stale")}\n`);
      child.stdin.write(`${pasted}\n`);
      const code = await new Promise<number | null>((r) => child.on("close", r));
      expect(code, stderr).toBe(0);
      expect(stderr).toContain("Signed in as alice@example.com");
      expect(existsSync(cacheFile(home, "id-token.json"))).toBe(true);
    },
  );
});
