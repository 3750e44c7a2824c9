import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { logout, status } from "./commands.js";
import { doctor, formatChecks } from "./doctor.js";
import { acquireLock } from "./lock.js";
import { StageCache } from "./cache.js";
import { stageSettings, T0, testDeps } from "../test/support.js";

const s = stageSettings({
  distribution: { registryUrl: "https://npm.example.com", packageName: "@acme/claude-bedrock" },
}) as unknown as StageSettings;

function fetchFor(opts: { dateSkewS?: number; latest?: string }) {
  return async (input: string | URL | Request) => {
    const url = String(input);
    if (url.endsWith("/.well-known/openid-configuration")) {
      return new Response(JSON.stringify({ issuer: s.identityProvider!.issuer }), {
        status: 200,
        headers: { date: new Date(T0 + (opts.dateSkewS ?? 0) * 1000).toUTCString() },
      });
    }
    if (url === "https://npm.example.com/@acme%2fclaude-bedrock")
      return new Response(JSON.stringify({ "dist-tags": { latest: opts.latest ?? "1.2.3" } }), { status: 200 });
    return new Response("", { status: 404 });
  };
}

describe("doctor", () => {
  it("says what to fix: missing profile, shadowing static keys, clock skew, outdated helper", async () => {
    const d = testDeps({ fetch: fetchFor({ dateSkewS: 300, latest: "2.0.0" }) });
    mkdirSync(join(d.homedir, ".aws"));
    writeFileSync(join(d.homedir, ".aws", "credentials"), "[claude-pilot]\naws_access_key_id = AKIA\n");
    const checks = await doctor(d, s, "test", { managedDir: join(d.homedir, "no-managed") });
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName["AWS profile"]).toMatchObject({ ok: false, fix: "run `claude-bedrock setup`" });
    expect(byName["static credentials"]).toMatchObject({ ok: false });
    expect(byName["clock"]).toMatchObject({ ok: false, detail: "your clock is 300 s behind the identity provider" });
    expect(byName["helper version"]).toMatchObject({ ok: "warn", fix: "npm install --global @acme/claude-bedrock@2.0.0" });
    expect(byName["identity provider"]).toMatchObject({ ok: true });
    expect(formatChecks(checks)).toMatch(/^ok {4}stage settings/);
  });

  it("finds the discovery document of an issuer whose `iss` ends with a slash (Auth0)", async () => {
    const auth0 = { ...s, identityProvider: { ...s.identityProvider, issuer: "https://acme.eu.auth0.com/" } } as StageSettings;
    const asked: string[] = [];
    const d = testDeps({
      fetch: async (input: string | URL | Request) => {
        asked.push(String(input));
        return String(input) === "https://acme.eu.auth0.com/.well-known/openid-configuration"
          ? Response.json({ issuer: "https://acme.eu.auth0.com/" })
          : new Response("", { status: 404 });
      },
    });
    const byName = Object.fromEntries((await doctor(d, auth0, "test")).map((c) => [c.name, c]));
    expect(asked).toContain("https://acme.eu.auth0.com/.well-known/openid-configuration");
    expect(byName["identity provider"]).toMatchObject({ ok: true });
  });

  it("is all green on a set-up machine with the latest helper and a good clock", async () => {
    const d = testDeps({ fetch: fetchFor({}) });
    mkdirSync(join(d.homedir, ".aws"));
    mkdirSync(join(d.homedir, ".claude"));
    const helper = join(d.homedir, "o'brien bin", "claude-bedrock");
    mkdirSync(join(d.homedir, "o'brien bin"));
    writeFileSync(helper, "#!/usr/bin/env node\n", { mode: 0o755 });
    writeFileSync(
      join(d.homedir, ".aws", "config"),
      `[profile claude-pilot]\ncredential_process = '${helper.replace(/'/g, "'\\''")}' credential-process --stage pilot\n`,
    );
    writeFileSync(
      join(d.homedir, ".claude", "settings.json"),
      JSON.stringify({ env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_PROFILE: "claude-pilot" } }),
    );
    const checks = await doctor(d, { ...s, identityProvider: { ...s.identityProvider!, redirectPort: 0 } }, "test", {
      managedDir: join(d.homedir, "no-managed"),
    });
    expect(checks.filter((c) => c.ok !== true)).toEqual([]);
  });

  it("with a localhost redirect, checks the sign-in port on ::1 too (where the machine has IPv6 loopback)", async () => {
    const squatter = net.createServer();
    const v6 = await new Promise<boolean>((resolve) => {
      squatter.once("error", () => resolve(false));
      squatter.listen({ port: 0, host: "::1", ipv6Only: true }, () => resolve(true));
    });
    const port = v6 ? (squatter.address() as net.AddressInfo).port : 0;
    try {
      const local = { ...s, identityProvider: { ...s.identityProvider, redirectHost: "localhost", redirectPort: port } } as StageSettings;
      const check = (await doctor(testDeps({ fetch: fetchFor({}) }), local, "test")).find((c) => c.name === "sign-in port");
      if (v6)
        expect(check).toMatchObject({
          ok: "warn",
          detail: `[::1]:${port} is in use (a sign-in may be running, or another program holds it)`,
        });
      else expect(check).toMatchObject({ ok: true });
    } finally {
      squatter.close();
    }
  });
});

describe("doctor: the program credential_process names", () => {
  const run = async (d: ReturnType<typeof testDeps>, cp: string) => {
    mkdirSync(join(d.homedir, ".aws"), { recursive: true });
    writeFileSync(join(d.homedir, ".aws", "config"), `[profile claude-pilot]\ncredential_process = ${cp}\n`);
    const checks = await doctor(d, { ...s, identityProvider: { ...s.identityProvider!, redirectPort: 0 } }, "test", {
      managedDir: join(d.homedir, "no-managed"),
    });
    return Object.fromEntries(checks.map((c) => [c.name, c]))["helper command"];
  };

  it("fails when it is gone (a Node version removed by an upgrade) or not executable, with the fix", async () => {
    const d = testDeps({ fetch: fetchFor({}) });
    expect(
      await run(d, "/opt/homebrew/Cellar/node/20.1.0/bin/node '/opt/claude bedrock/claude-bedrock.cjs' credential-process --stage pilot"),
    ).toMatchObject({
      ok: false,
      detail: "/opt/homebrew/Cellar/node/20.1.0/bin/node (from credential_process) does not exist",
      fix: expect.stringContaining("claude-bedrock setup"),
    });
    writeFileSync(join(d.homedir, "plain"), "x", { mode: 0o644 });
    expect(await run(d, `${join(d.homedir, "plain")} credential-process --stage pilot`)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("is not executable"),
    });
  });

  it("passes for an executable, quoted or found on PATH", async () => {
    const d = testDeps({ fetch: fetchFor({}), env: { PATH: `/nonexistent:${join(tmpdir(), "nope")}` } });
    mkdirSync(join(d.homedir, "b $x"));
    writeFileSync(join(d.homedir, "b $x", "cb"), "#!/bin/sh\n", { mode: 0o755 });
    expect(await run(d, `'${join(d.homedir, "b $x", "cb")}' credential-process --stage pilot`)).toMatchObject({ ok: true });
    const onPath = testDeps({ fetch: fetchFor({}), homedir: d.homedir, env: { PATH: `/nonexistent:${join(d.homedir, "b $x")}` } });
    expect(await run(onPath, "cb credential-process --stage pilot")).toMatchObject({
      ok: true,
      detail: `${join(d.homedir, "b $x", "cb")} exists and is executable`,
    });
  });
});

describe("logout", () => {
  it("waits for a refresh that holds the stage lock, so the tokens it writes are removed too", async () => {
    let refreshed = false;
    const token = { idToken: "t", expiresAt: T0 + 3600_000, identity: { sub: "a", email: "alice@example.com" } };
    const holder = testDeps({ pid: 4242 });
    const cache = new StageCache(holder, "pilot");
    const held = await acquireLock(holder, cache.file("lock"), { waitMs: 0, staleAfterMs: 600_000 });
    const finishRefresh = async () => {
      refreshed = true;
      await cache.writeIdToken(token);
      await cache.writeRefreshToken("r2");
      await held.release();
    };
    // The refresh finishes while logout waits for the lock (or, without the lock, just after logout).
    const d = testDeps({ homedir: holder.homedir, sleep: async () => void (refreshed || (await finishRefresh())) });
    await cache.writeIdToken(token);
    await logout(d, s, false);
    if (!refreshed) await finishRefresh();
    expect(await cache.readIdToken()).toBeUndefined();
    expect(await cache.readRefreshToken()).toBeUndefined();
    expect(existsSync(cache.file("lock"))).toBe(false);
  });
});

describe("status", () => {
  it("reports identity, expiry, credentials and quota from the cache without network", async () => {
    const d = testDeps();
    const cache = new StageCache(d, "pilot");
    await cache.writeIdToken({
      idToken: "t",
      expiresAt: T0 + 3600_000,
      identity: { sub: "a", email: "alice@example.com", team: "platform" },
    });
    await cache.writeRefreshToken("r");
    await cache.writeCredentials({
      Version: 1,
      AccessKeyId: "A",
      SecretAccessKey: "S",
      SessionToken: "T",
      Expiration: new Date(T0 + 7200_000).toISOString(),
      principal: "arn:aws:sts::1:assumed-role/r/alice@example.com",
    });
    await cache.writeQuota({ checkedAt: T0, allowed: true, outcome: "allowed", usage: { percent: 12 } });
    const r = await status(d, s, "test");
    expect(r).toMatchObject({
      signedIn: true,
      email: "alice@example.com",
      team: "platform",
      refreshToken: true,
      credentialsValid: true,
      quota: { outcome: "allowed", usage: { percent: 12 } },
    });
    expect(JSON.stringify(r)).not.toContain('"S"');
  });
});
