import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { StageCache } from "./cache.js";
import { macosKeychain, platformKeychain, secretServiceKeychain, type CommandRunner, type SecretStore } from "./keychain.js";
import { testDeps } from "../test/support.js";

function recorder(answers: Array<{ code: number | null; stdout?: string }>) {
  const calls: Array<{ cmd: string; args: readonly string[]; stdin?: string }> = [];
  const run: CommandRunner = async (cmd, args, stdin) => {
    calls.push({ cmd, args, ...(stdin !== undefined ? { stdin } : {}) });
    const a = answers.shift() ?? { code: 0 };
    return { code: a.code, stdout: a.stdout ?? "" };
  };
  return { run, calls };
}

describe("keychain backends", () => {
  it("macOS: stores through `security -i` on stdin, so the token never shows in the process list", async () => {
    const { run, calls } = recorder([{ code: 0 }, { code: 0, stdout: "rt-1\n" }, { code: 44 }]);
    const k = macosKeychain(run);
    await k.set("pilot-refresh-token", "rt-1");
    expect(calls[0]).toEqual({
      cmd: "/usr/bin/security",
      args: ["-i"],
      stdin: "add-generic-password -U -s claude-bedrock -a pilot-refresh-token -w rt-1\n",
    });
    expect(await k.get("pilot-refresh-token")).toBe("rt-1");
    expect(calls[1]!.args).toEqual(["find-generic-password", "-s", "claude-bedrock", "-a", "pilot-refresh-token", "-w"]);
    expect(await k.get("pilot-refresh-token")).toBeUndefined();
    await expect(k.set("a", "has space")).rejects.toThrow();
  });

  it("Linux Secret Service: the secret goes on stdin of secret-tool store", async () => {
    const { run, calls } = recorder([{ code: 0 }, { code: 0, stdout: "rt-2" }]);
    const k = secretServiceKeychain(run);
    await k.set("prod-refresh-token", "rt-2");
    expect(calls[0]).toEqual({
      cmd: "secret-tool",
      args: ["store", "--label=claude-bedrock prod-refresh-token", "service", "claude-bedrock", "account", "prod-refresh-token"],
      stdin: "rt-2",
    });
    expect(await k.get("prod-refresh-token")).toBe("rt-2");
  });

  it("is chosen per platform; Linux needs a D-Bus session; off by CLAUDE_BEDROCK_KEYCHAIN=off", () => {
    expect(platformKeychain({ env: {}, platform: "darwin" })?.name).toBe("macOS keychain");
    expect(platformKeychain({ env: {}, platform: "linux" })).toBeUndefined();
    expect(platformKeychain({ env: { DBUS_SESSION_BUS_ADDRESS: "unix:path=/run/user/1000/bus" }, platform: "linux" })?.name).toBe(
      "Secret Service",
    );
    expect(platformKeychain({ env: {}, platform: "win32" })).toBeUndefined();
    expect(platformKeychain({ env: { CLAUDE_BEDROCK_KEYCHAIN: "off" }, platform: "darwin" })).toBeUndefined();
  });
});

function memoryStore(): SecretStore & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    name: "test keychain",
    items,
    get: async (a) => items.get(a),
    set: async (a, s) => void items.set(a, s),
    delete: async (a) => void items.delete(a),
  };
}

describe("refresh token storage", () => {
  it("keeps the token in the keychain and only a pointer in the file", async () => {
    const store = memoryStore();
    const d = testDeps({ secretStore: store });
    const cache = new StageCache(d, "pilot");
    await cache.writeRefreshToken("rt-secret");
    expect(readFileSync(cache.file("refresh-token.json"), "utf8")).not.toContain("rt-secret");
    expect(store.items.get("pilot-refresh-token")).toBe("rt-secret");
    expect((await cache.readRefreshToken())?.refreshToken).toBe("rt-secret");
    await cache.remove("refresh-token.json");
    expect(store.items.size).toBe(0);
    expect(await cache.readRefreshToken()).toBeUndefined();
  });

  it("falls back to the 0600 file when the keychain fails or hangs", async () => {
    const d = testDeps({ secretStore: { ...memoryStore(), set: vi.fn(async () => Promise.reject(new Error("timed out"))) } });
    const cache = new StageCache(d, "pilot");
    await cache.writeRefreshToken("rt-file");
    expect(JSON.parse(readFileSync(cache.file("refresh-token.json"), "utf8")).refreshToken).toBe("rt-file");
    expect((await cache.readRefreshToken())?.refreshToken).toBe("rt-file");
  });

  it("a keychain that cannot be read means a new sign-in, with a warning, not a crash", async () => {
    const store = memoryStore();
    const first = testDeps({ secretStore: store });
    await new StageCache(first, "pilot").writeRefreshToken("rt");
    const d = testDeps({ homedir: first.homedir, secretStore: { ...store, get: async () => Promise.reject(new Error("locked")) } });
    expect(await new StageCache(d, "pilot").readRefreshToken()).toBeUndefined();
    expect(d.err.join("")).toContain("cannot read the refresh token from the test keychain (locked)");
  });
});
