import { describe, expect, it } from "vitest";
import { browserCommands, isHeadless, splitCommandLine } from "./browser.js";

const URL_ = "https://idp.example.com/authorize?a=1&b=2";

describe("opening the browser", () => {
  it.each<[NodeJS.Platform, string[]]>([
    ["darwin", ["open", URL_]],
    ["win32", ["cmd", "/c", "start", '""', "https://idp.example.com/authorize?a=1^&b=2"]],
    ["linux", ["xdg-open", URL_]],
    ["freebsd", ["xdg-open", URL_]],
  ])("uses the platform opener on %s", (platform, argv) => {
    expect(browserCommands({}, platform, URL_)).toEqual([argv]);
  });

  it("tries CLAUDE_BEDROCK_BROWSER_COMMAND, then each BROWSER entry (with %s), then the platform", () => {
    expect(
      browserCommands(
        { CLAUDE_BEDROCK_BROWSER_COMMAND: '"/opt/my browser/run" --new', BROWSER: "firefox:chromium %s --incognito" },
        "linux",
        URL_,
      ),
    ).toEqual([
      ["/opt/my browser/run", "--new", URL_],
      ["firefox", URL_],
      ["chromium", URL_, "--incognito"],
      ["xdg-open", URL_],
    ]);
  });

  it("splits command lines with quotes", () => {
    expect(splitCommandLine(`node "/a b/c.mjs" 'x y' z`)).toEqual(["node", "/a b/c.mjs", "x y", "z"]);
    expect(splitCommandLine(`a "" b`)).toEqual(["a", "", "b"]);
  });

  it("knows when no browser can be shown", () => {
    expect(isHeadless({ SSH_CONNECTION: "1 2 3 4" }, "darwin")).toBe(true);
    expect(isHeadless({}, "linux")).toBe(true);
    expect(isHeadless({ DISPLAY: ":0" }, "linux")).toBe(false);
    expect(isHeadless({ WAYLAND_DISPLAY: "wayland-0" }, "linux")).toBe(false);
    expect(isHeadless({}, "darwin")).toBe(false);
    expect(isHeadless({}, "win32")).toBe(false);
    expect(isHeadless({ SSH_TTY: "/dev/pts/1", BROWSER: "w3m" }, "linux")).toBe(false);
  });
});
