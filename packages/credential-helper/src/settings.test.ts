import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings } from "./settings.js";
import { awsConfigFile, cacheDir, claudeSettingsFile, helperHome, stageSettingsFile } from "./paths.js";
import { stageSettings, testDeps } from "../test/support.js";

function saveStage(home: string, stage: string) {
  const dir = join(home, ".claude-bedrock", "stages");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${stage}.json`), JSON.stringify(stageSettings({ stage, awsProfile: `claude-${stage}` })));
}

describe("stage settings sources", () => {
  it("prefers --settings, then CLAUDE_BEDROCK_SETTINGS, then the saved stage", async () => {
    const d0 = testDeps();
    const a = join(d0.homedir, "a.json");
    const b = join(d0.homedir, "b.json");
    writeFileSync(a, JSON.stringify(stageSettings({ stage: "from-flag" })));
    writeFileSync(b, JSON.stringify(stageSettings({ stage: "from-env" })));
    saveStage(d0.homedir, "saved");
    const d = testDeps({ homedir: d0.homedir, env: { CLAUDE_BEDROCK_SETTINGS: b } });
    expect((await loadSettings(d, { settingsFile: a })).settings.stage).toBe("from-flag");
    expect((await loadSettings(d, {})).settings.stage).toBe("from-env");
    expect((await loadSettings(testDeps({ homedir: d0.homedir }), {})).settings.stage).toBe("saved");
  });

  it("picks a saved stage by --stage or CLAUDE_BEDROCK_STAGE, and asks when several exist", async () => {
    const d = testDeps();
    saveStage(d.homedir, "pilot");
    saveStage(d.homedir, "prod");
    await expect(loadSettings(d, {})).rejects.toMatchObject({ code: "ERR_CLI_USAGE", message: expect.stringContaining("pilot, prod") });
    expect((await loadSettings(d, { stage: "prod" })).settings.awsProfile).toBe("claude-prod");
    expect((await loadSettings(testDeps({ homedir: d.homedir, env: { CLAUDE_BEDROCK_STAGE: "pilot" } }), {})).settings.awsProfile).toBe(
      "claude-pilot",
    );
    await expect(loadSettings(d, { stage: "qa" })).rejects.toMatchObject({ code: "ERR_SETTINGS_MISSING" });
    await expect(loadSettings(d, { stage: "../etc" })).rejects.toMatchObject({ code: "ERR_CLI_USAGE" });
  });

  it("reads stage-settings.json next to the bundle when nothing else is there", async () => {
    const d0 = testDeps();
    writeFileSync(join(d0.homedir, "stage-settings.json"), JSON.stringify(stageSettings({ stage: "bundled" })));
    const d = testDeps({ homedir: d0.homedir, selfCommand: ["/usr/bin/node", join(d0.homedir, "claude-bedrock.cjs")] });
    expect(await loadSettings(d, {})).toMatchObject({ source: join(d0.homedir, "stage-settings.json"), settings: { stage: "bundled" } });
  });

  it("explains invalid settings with every bad key, and refuses loopback http unless allowed", async () => {
    const d = testDeps();
    const f = join(d.homedir, "s.json");
    writeFileSync(f, JSON.stringify(stageSettings({ region: "nowhere", awsProfile: "has space" })));
    await expect(loadSettings(d, { settingsFile: f })).rejects.toMatchObject({
      code: "ERR_SETTINGS_INVALID",
      message: expect.stringMatching(/\$\.awsProfile.*\$\.region/),
    });
    writeFileSync(f, "{");
    await expect(loadSettings(d, { settingsFile: f })).rejects.toMatchObject({
      code: "ERR_SETTINGS_INVALID",
      message: expect.stringContaining("not valid JSON"),
    });
    const loop = stageSettings({ identityProvider: { ...stageSettings().identityProvider!, issuer: "http://127.0.0.1:9000" } });
    writeFileSync(f, JSON.stringify(loop));
    await expect(loadSettings(d, { settingsFile: f })).rejects.toMatchObject({ code: "ERR_SETTINGS_INVALID" });
    expect(
      (await loadSettings(testDeps({ homedir: d.homedir, env: { CLAUDE_BEDROCK_ALLOW_INSECURE_LOOPBACK: "1" } }), { settingsFile: f }))
        .settings.identityProvider!.issuer,
    ).toBe("http://127.0.0.1:9000");
  });
});

describe("paths per platform", () => {
  it("uses Windows separators and the user profile on win32", () => {
    const d = { env: {}, platform: "win32" as const, homedir: "C:\\Users\\Ada" };
    expect(helperHome(d)).toBe("C:\\Users\\Ada\\.claude-bedrock");
    expect(cacheDir(d, "pilot")).toBe("C:\\Users\\Ada\\.claude-bedrock\\cache\\pilot");
    expect(awsConfigFile(d)).toBe("C:\\Users\\Ada\\.aws\\config");
    expect(claudeSettingsFile(d)).toBe("C:\\Users\\Ada\\.claude\\settings.json");
  });

  it("honours AWS_CONFIG_FILE, CLAUDE_CONFIG_DIR and CLAUDE_BEDROCK_HOME", () => {
    const d = {
      env: { AWS_CONFIG_FILE: "/x/config", CLAUDE_CONFIG_DIR: "/y", CLAUDE_BEDROCK_HOME: "/z" },
      platform: "darwin" as const,
      homedir: "/Users/ada",
    };
    expect(awsConfigFile(d)).toBe("/x/config");
    expect(claudeSettingsFile(d)).toBe("/y/settings.json");
    expect(stageSettingsFile(d, "prod")).toBe("/z/stages/prod.json");
  });
});
