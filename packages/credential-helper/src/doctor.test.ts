import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { run } from "./cli.js";
import { doctor } from "./doctor.js";
import { helperHome } from "./paths.js";
import { runSetup } from "./setup.js";
import { failingWrites, stageSettings, testDeps, type TestDeps } from "../test/support.js";

const s = stageSettings({
  federation: {
    mode: "identity-center",
    startUrl: "https://acme.awsapps.com/start",
    ssoRegion: "us-east-1",
    accountId: "333333333333",
    roleName: "ClaudeCode",
  },
}) as unknown as StageSettings;

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

describe("doctor with the saved stage settings under an unsafe helper home", () => {
  it("still reports, naming the refused path and the chmod, and exits 1", async () => {
    const d = testDeps();
    const direct = stageSettings() as unknown as StageSettings;
    await runSetup(d, direct, { settingsText: JSON.stringify(direct) });
    chmodSync(helperHome(d), 0o777);
    // A new process, as the next command would be (directories found safe are remembered per process).
    const next = testDeps({ homedir: d.homedir });
    expect(await run(["doctor", "--stage", "pilot"], next)).toBe(1);
    const out = next.out.join("");
    expect(out).toContain(
      `FAIL  stage settings: refusing to use ${helperHome(d)}: the directory is writable by group and others (mode 777)`,
    );
    expect(out).toContain(
      `FAIL  helper home: ${helperHome(d)}: the directory is writable by group and others (mode 777); the helper refuses to use it`,
    );
  });
});
