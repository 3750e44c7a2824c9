import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { CREDENTIALS_WINDOW_MS, StageCache } from "./cache.js";
import { CredentialResolver } from "./credentials.js";
import { HelperError } from "./errors.js";
import { run } from "./cli.js";
import { EXIT_CODES } from "./main.js";
import { helperHome, stageSettingsFile } from "./paths.js";
import { stageSettings, T0, testDeps, type TestDeps } from "../test/support.js";

const s = stageSettings() as unknown as StageSettings;
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const creds = {
  Version: 1 as const,
  AccessKeyId: "ASIAPLANTED",
  SecretAccessKey: SECRET,
  SessionToken: "planted-session",
  Expiration: new Date(T0 + CREDENTIALS_WINDOW_MS + 60_000).toISOString(),
};
const isRoot = process.getuid?.() === 0;

async function cached(d: TestDeps) {
  const cache = new StageCache(d, s.stage);
  await cache.writeCredentials(creds);
  return cache;
}

const resolve = (d: TestDeps) => new CredentialResolver(d, s, { allowBrowser: false, loginTimeoutMs: 60_000 }).resolve();

async function refused(p: Promise<unknown>): Promise<HelperError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HelperError);
  expect((e as HelperError).code).toBe("ERR_CACHE_UNSAFE");
  return e as HelperError;
}

describe("files under the helper home on a shared machine", () => {
  it("refuses a world-writable credentials file, names it and the chmod, and never prints what it holds", async () => {
    const d = testDeps();
    const cache = await cached(d);
    chmodSync(cache.file("credentials.json"), 0o666);
    const e = await refused(resolve(d));
    expect(e.message).toContain(cache.file("credentials.json"));
    expect(e.message).toContain(`chmod 600 '${cache.file("credentials.json")}'`);
    expect(e.toLine()).not.toContain(SECRET);
    expect(e.toLine()).not.toContain("ASIAPLANTED");
    expect(d.out.join("")).toBe("");
  });

  it("refuses a group-writable cache directory", async () => {
    const d = testDeps();
    const cache = await cached(d);
    chmodSync(cache.dir, 0o770);
    const e = await refused(resolve(testDeps({ homedir: d.homedir })));
    expect(e.message).toContain(`refusing to use ${cache.dir}: the directory is writable by its group`);
    expect(e.message).toContain(`chmod 700 '${cache.dir}'`);
  });

  it("refuses a world-writable helper home", async () => {
    const d = testDeps();
    await cached(d);
    chmodSync(helperHome(d), 0o777);
    const e = await refused(resolve(testDeps({ homedir: d.homedir })));
    expect(e.message).toContain(`refusing to use ${helperHome(d)}: the directory is writable by group and others`);
  });

  it("refuses a helper home that belongs to another user (the chown names the fix)", async () => {
    const d = testDeps();
    await cached(d);
    // Seen from another account: everything under the home belongs to someone else.
    const other = testDeps({ homedir: d.homedir, uid: (process.getuid?.() ?? 0) + 4242 });
    const e = await refused(resolve(other));
    expect(e.message).toMatch(/is owned by uid \d+, not by you \(uid \d+\)/);
    expect(e.message).toContain("sudo chown");
  });

  it.runIf(isRoot)("refuses a credentials file owned by another user in the user's own private directory", async () => {
    const d = testDeps();
    const cache = await cached(d);
    chownSync(cache.file("credentials.json"), 4242, 4242);
    const e = await refused(resolve(d));
    expect(e.message).toContain(`refusing to use ${cache.file("credentials.json")}: the file is owned by uid 4242`);
  });

  it("refuses to write into a cache directory another user owns", async () => {
    const d = testDeps();
    mkdirSync(join(helperHome(d), "cache", s.stage), { recursive: true, mode: 0o700 });
    const other = testDeps({ homedir: d.homedir, uid: (process.getuid?.() ?? 0) + 4242 });
    await refused(new StageCache(other, s.stage).writeCredentials(creds));
  });

  it("refuses saved stage settings that others can write (they name the identity provider)", async () => {
    const d = testDeps();
    const file = stageSettingsFile(d, s.stage);
    mkdirSync(join(helperHome(d), "stages"), { recursive: true, mode: 0o700 });
    chmodSync(helperHome(d), 0o700);
    writeFileSync(file, JSON.stringify(s), { mode: 0o600 });
    chmodSync(file, 0o646);
    const e = await run(["status", "--stage", s.stage], d).then(
      () => undefined,
      (err: unknown) => err as HelperError,
    );
    expect(e?.code).toBe("ERR_CACHE_UNSAFE");
    expect(EXIT_CODES.ERR_CACHE_UNSAFE).toBe(14);
  });

  it("still serves private files owned by the user (0600 in 0700 directories)", async () => {
    const d = testDeps();
    await cached(d);
    expect((await resolve(d)).AccessKeyId).toBe("ASIAPLANTED");
  });

  it("skips the checks where there is no POSIX user id to compare (Windows)", async () => {
    const d = testDeps();
    const cache = await cached(d);
    chmodSync(cache.file("credentials.json"), 0o666);
    expect((await resolve(testDeps({ homedir: d.homedir, uid: undefined }))).AccessKeyId).toBe("ASIAPLANTED");
  });
});
