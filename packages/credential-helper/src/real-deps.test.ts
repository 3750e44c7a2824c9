import { homedir } from "node:os";
import { describe, expect, it } from "vitest";
import { cacheDir, helperHome } from "./paths.js";
import { homeDirectory, selfCommandFor, type SelfCommandInputs } from "./real-deps.js";

const base: SelfCommandInputs = {
  // What process.execPath says under Homebrew: the symlink-resolved, version-specific Node.
  execPath: "/opt/homebrew/Cellar/node/22.11.0/bin/node",
  argv1: "/opt/homebrew/bin/claude-bedrock",
  isSea: false,
  bundled: true,
  platform: "darwin",
  isRunnableScript: () => true,
};

describe("selfCommandFor", () => {
  it("writes the npm bin link as invoked, alone, so a Node upgrade does not break credential_process", () => {
    expect(selfCommandFor(base)).toEqual(["/opt/homebrew/bin/claude-bedrock"]);
    expect(selfCommandFor({ ...base, platform: "linux", argv1: "/home/u/.nvm/versions/node/v22.1.0/bin/claude-bedrock" })).toEqual([
      "/home/u/.nvm/versions/node/v22.1.0/bin/claude-bedrock",
    ]);
  });

  it("keeps the executable alone for a single executable (SEA, bun)", () => {
    expect(selfCommandFor({ ...base, isSea: true, execPath: "/usr/local/bin/claude-bedrock" })).toEqual(["/usr/local/bin/claude-bedrock"]);
    expect(selfCommandFor({ ...base, execPath: "/usr/local/bin/claude-bedrock", argv1: "/$bunfs/root/claude-bedrock" })).toEqual([
      "/usr/local/bin/claude-bedrock",
    ]);
    expect(selfCommandFor({ ...base, argv1: undefined })).toEqual([base.execPath]);
  });

  it("keeps <node> <script> from source, on Windows, and for a script that cannot run by itself", () => {
    expect(selfCommandFor({ ...base, bundled: false, argv1: "/repo/src/main.ts" })).toEqual([base.execPath, "/repo/src/main.ts"]);
    expect(
      selfCommandFor({
        ...base,
        platform: "win32",
        execPath: "C:\\node\\node.exe",
        argv1: "C:\\npm\\node_modules\\x\\dist\\claude-bedrock.cjs",
      }),
    ).toEqual(["C:\\node\\node.exe", "C:\\npm\\node_modules\\x\\dist\\claude-bedrock.cjs"]);
    expect(selfCommandFor({ ...base, isRunnableScript: () => false })).toEqual([base.execPath, base.argv1]);
  });
});

describe("homeDirectory", () => {
  it("is HOME where os.homedir() would return it (set, even empty, outside Windows), else os.homedir()", () => {
    expect(homeDirectory({ HOME: "/home/dev" }, "linux")).toBe("/home/dev");
    expect(homeDirectory({ HOME: "" }, "darwin")).toBe("");
    expect(homeDirectory({}, "linux")).toBe(homedir());
    expect(homeDirectory({ HOME: "/home/dev" }, "win32")).toBe(homedir());
  });
});

describe("helperHome", () => {
  it("follows its inputs although it keeps the last answer", () => {
    const d = (homedir: string, platform: NodeJS.Platform, env: Record<string, string> = {}) => ({ homedir, platform, env });
    expect(helperHome(d("/home/a", "linux"))).toBe("/home/a/.claude-bedrock");
    expect(helperHome(d("/home/a", "linux"))).toBe("/home/a/.claude-bedrock");
    expect(helperHome(d("/home/b/", "linux"))).toBe("/home/b/.claude-bedrock");
    expect(helperHome(d("C:\\Users\\b", "win32"))).toBe("C:\\Users\\b\\.claude-bedrock");
    expect(helperHome(d("/home/b/", "linux", { CLAUDE_BEDROCK_HOME: "/srv/ccb" }))).toBe("/srv/ccb");
    expect(cacheDir(d("/home/b/", "linux"), "pilot")).toBe("/home/b/.claude-bedrock/cache/pilot");
  });
});
