import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/stage-settings";
import { doctor } from "./doctor.js";
import { helperHome } from "./paths.js";
import { failingWrites, stageSettings, testDeps, type TestDeps } from "../test/support.js";

const s = stageSettings({ federation: { mode: "identity-center", startUrl: "https://acme.awsapps.com/start", ssoRegion: "us-east-1", accountId: "333333333333", roleName: "ClaudeCode" } }) as unknown as StageSettings;

async function homeCheck(d: TestDeps) {
  return (await doctor(d, s, "test", { managedDir: join(d.homedir, "no-managed") })).find((c) => c.name === "helper home");
}

describe("doctor: the helper home", () => {
  it("is fine before the first sign-in created it", async () => {
    const d = testDeps();
    expect(await homeCheck(d)).toMatchObject({ ok: true, detail: `${helperHome(d)} does not exist yet (the first sign-in creates it)` });
  });

  it("passes when it is the user's own, private and writable", async () => {
    const d = testDeps();
    mkdirSync(helperHome(d), { mode: 0o700 });
    expect(await homeCheck(d)).toMatchObject({ ok: true, detail: `${helperHome(d)} is yours, private and writable` });
  });

  it("fails when others can write it, with the chmod that fixes it", async () => {
    const d = testDeps();
    mkdirSync(helperHome(d));
    chmodSync(helperHome(d), 0o777);
    expect(await homeCheck(d)).toMatchObject({ ok: false, fix: `run \`chmod 700 '${helperHome(d)}'\`` });
  });

  it("fails when another user owns it, with the chown that fixes it", async () => {
    const d = testDeps();
    mkdirSync(helperHome(d), { mode: 0o700 });
    const check = await homeCheck(testDeps({ homedir: d.homedir, uid: (process.getuid?.() ?? 0) + 4242 }));
    expect(check).toMatchObject({ ok: false });
    expect(check?.detail).toMatch(/owned by uid \d+, not by you/);
    expect(check?.fix).toContain("sudo chown");
  });

  it("fails when it cannot be written (read-only home, full disk)", async () => {
    const d = testDeps();
    mkdirSync(helperHome(d), { mode: 0o700 });
    const check = await homeCheck(testDeps({ homedir: d.homedir, fs: failingWrites("EROFS") }));
    expect(check).toMatchObject({ ok: false, detail: `cannot write in ${helperHome(d)} (EROFS)` });
  });
});
