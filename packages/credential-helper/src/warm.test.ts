import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./cli.js";
import { cacheDir, stageSettingsFile } from "./paths.js";
import { QUOTA_RECHECK_MS, warmAnswer, warmLogger } from "./warm.js";
import { stageSettings, T0, testDeps, type TestDeps } from "../test/support.js";

/** A home with saved settings for stage "pilot" and the given cache files. */
function home(files: Record<string, unknown>, settings: Record<string, unknown> = {}): TestDeps {
  const d = testDeps();
  const file = stageSettingsFile(d, "pilot");
  mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(stageSettings(settings)), { mode: 0o600 });
  const dir = cacheDir(d, "pilot");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, value] of Object.entries(files))
    writeFileSync(join(dir, name), typeof value === "string" ? value : JSON.stringify(value), { mode: 0o600 });
  return d;
}

const creds = (msLeft: number) => ({
  Version: 1,
  AccessKeyId: "ASIAWARM",
  SecretAccessKey: "s",
  SessionToken: "t",
  Expiration: new Date(T0 + msLeft).toISOString(),
});
const token = (msLeft: number) => ({
  idToken: "h.p.s",
  expiresAt: T0 + msLeft,
  identity: { sub: "u", email: "a@example.com", team: "platform" },
});
const warm = (d: TestDeps, argv: string[]) => warmAnswer({ ...d, log: warmLogger }, argv);

/** What the full command prints, for comparison. */
async function full(d: TestDeps, argv: string[]): Promise<string> {
  d.out.length = 0;
  expect(await run(argv, d)).toBe(0);
  return d.out.join("");
}

describe("the warm path (bundle entry)", () => {
  it("answers credential-process exactly as the full command does", async () => {
    const d = home({ "credentials.json": creds(3600_000) });
    const answer = await warm(d, ["credential-process"]);
    expect(answer).toBe(await full(d, ["credential-process"]));
    expect(JSON.parse(answer!).AccessKeyId).toBe("ASIAWARM");
    expect(await warm(d, ["credential-process", "--stage", "pilot"])).toBe(answer);
    expect(await warm(d, ["credential-process", "--stage=pilot"])).toBe(answer);
  });

  it("answers otel-headers exactly as the full command does", async () => {
    const d = home({ "id-token.json": token(3600_000) });
    const answer = await warm(d, ["otel-headers"]);
    expect(answer).toBe(await full(d, ["otel-headers"]));
    expect(JSON.parse(answer!)).toMatchObject({ Authorization: "Bearer h.p.s", "x-team": "platform" });
  });

  it("leaves everything else to the full command", async () => {
    const fresh = home({ "credentials.json": creds(3600_000), "id-token.json": token(3600_000) });
    for (const argv of [
      ["status"],
      ["credential-process", "--debug"],
      ["credential-process", "--stage"],
      ["credential-process", "--bogus"],
      ["doctor"],
    ])
      expect(await warm(fresh, argv)).toBeUndefined();
    // Credentials inside the 5-minute window; an id_token Claude Code would outlive.
    expect(await warm(home({ "credentials.json": creds(4 * 60_000) }), ["credential-process"])).toBeUndefined();
    expect(await warm(home({ "id-token.json": token(20 * 60_000) }), ["otel-headers"])).toBeUndefined();
    // A quota re-check is due (none yet, or older than 15 minutes); a fresh answer keeps it warm.
    const quota = { quota: { checkUrl: "https://quota.example.com/check", failMode: "open", timeoutMs: 1000 } };
    expect(await warm(home({ "credentials.json": creds(3600_000) }, quota), ["credential-process"])).toBeUndefined();
    expect(
      await warm(
        home(
          { "credentials.json": creds(3600_000), "quota.json": { checkedAt: T0 - QUOTA_RECHECK_MS, allowed: true, outcome: "allowed" } },
          quota,
        ),
        ["credential-process"],
      ),
    ).toBeUndefined();
    expect(
      await warm(
        home({ "credentials.json": creds(3600_000), "quota.json": { checkedAt: T0 - 60_000, allowed: true, outcome: "allowed" } }, quota),
        ["credential-process"],
      ),
    ).toContain("ASIAWARM");
    // A damaged cache file wants a warning: the full command prints it.
    expect(await warm(home({ "credentials.json": "{not json" }), ["credential-process"])).toBeUndefined();
    // No settings at all, and Identity Center stages.
    expect(await warm(testDeps(), ["credential-process"])).toBeUndefined();
    const idc = {
      federation: {
        mode: "identity-center",
        startUrl: "https://acme.awsapps.com/start",
        ssoRegion: "us-east-1",
        accountId: "333333333333",
        roleName: "ClaudeCode",
      },
    };
    expect(await warm(home({ "credentials.json": creds(3600_000) }, idc), ["credential-process"])).toBeUndefined();
  });
});
