/**
 * The update check as the helper runs it (update-check.ts wired into cli.ts and doctor): once a day after
 * the interactive commands, on stderr; always in doctor; never loaded by credential-process or otel-headers.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { run } from "./cli.js";
import { StageCache } from "./cache.js";
import { doctor } from "./doctor.js";
import { installKind } from "./update-check.js";
import { stageSettings, T0, testDeps, type TestDeps } from "../test/support.js";

// Counts how often any command loads the module (the factory runs on the first import only).
const loaded = vi.hoisted(() => ({ count: 0 }));
vi.mock("./update-check.js", async (importOriginal) => {
  loaded.count++;
  return importOriginal();
});

const REGISTRY = "https://npm.example.com/npm/claude-code/";
const PACKUMENT = `${REGISTRY}@acme%2fclaude-bedrock`;
const settings = stageSettings({
  distribution: { registryUrl: REGISTRY, packageName: "@acme/claude-bedrock" },
}) as unknown as StageSettings;

interface Registry {
  calls: Array<{ url: string; auth: string | null }>;
  latest: string;
  status: number;
}

/** A helper home with the stage set up, a warm cache and an npm token for the registry. */
async function world(
  env: Record<string, string> = {},
  overrides: Parameters<typeof testDeps>[0] = {},
): Promise<{ d: TestDeps; registry: Registry; stateFile: string }> {
  const registry: Registry = { calls: [], latest: "1.3.0", status: 200 };
  const d = testDeps({
    env,
    fetch: async (input, init) => {
      const url = String(input);
      registry.calls.push({ url, auth: new Headers(init?.headers).get("authorization") });
      if (url === PACKUMENT)
        return registry.status === 200
          ? Response.json({ "dist-tags": { latest: registry.latest } })
          : new Response("", { status: registry.status });
      if (url.endsWith("/.well-known/openid-configuration")) return Response.json({ issuer: settings.identityProvider!.issuer });
      return new Response("", { status: 404 });
    },
    ...overrides,
  });
  mkdirSync(join(d.homedir, ".claude-bedrock", "stages"), { recursive: true });
  writeFileSync(join(d.homedir, ".claude-bedrock", "stages", "pilot.json"), JSON.stringify(settings));
  writeFileSync(join(d.homedir, ".npmrc"), "//npm.example.com/npm/claude-code/:_authToken=dev-token\n");
  const cache = new StageCache(d, "pilot");
  await cache.writeCredentials({
    Version: 1,
    AccessKeyId: "ASIAWARM",
    SecretAccessKey: "S",
    SessionToken: "T",
    Expiration: new Date(T0 + 3600_000).toISOString(),
  });
  await cache.writeIdToken({ idToken: "h.p.s", expiresAt: T0 + 3600_000, identity: { sub: "a", email: "alice@example.com" } });
  return { d, registry, stateFile: join(d.homedir, ".claude-bedrock", "update-check.json") };
}

const NOTICE = "claude-bedrock 1.3.0 is available (you have 1.2.3). Upgrade: npm install --global @acme/claude-bedrock@1.3.0\n";

describe("update check on the hot path", () => {
  it("credential-process and otel-headers never load the check nor ask the registry; status does", async () => {
    const { d, registry, stateFile } = await world();
    const before = loaded.count;
    expect(await run(["credential-process", "--stage", "pilot"], d)).toBe(0);
    expect(d.out.join("")).toContain("ASIAWARM");
    expect(await run(["otel-headers", "--stage", "pilot"], d)).toBe(0);
    expect(d.out.at(-1)).toContain("Bearer h.p.s");
    expect(registry.calls).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);
    expect(loaded.count).toBe(before);
    expect(d.err).toEqual([]);

    // The same machine, an interactive command: the check runs (so the silence above is not an accident).
    await run(["status", "--stage", "pilot"], d);
    expect(registry.calls).toEqual([{ url: PACKUMENT, auth: "Bearer dev-token" }]);
    expect(existsSync(stateFile)).toBe(true);
  });
});

describe("update notice after interactive commands", () => {
  it.each([
    ["status", ["status", "--stage", "pilot"]],
    ["status --json", ["status", "--json", "--stage", "pilot"]],
    ["logout", ["logout", "--stage", "pilot"]],
    ["setup", ["setup", "--stage", "pilot"]],
  ])("%s prints a newer version on stderr, once a day, with the registry token", async (_name, argv) => {
    const { d, registry } = await world();
    expect(await run(argv, d)).toBe(0);
    expect(d.err.at(-1)).toBe(NOTICE);
    expect(d.out.join("")).not.toContain("is available");
    expect(registry.calls).toEqual([{ url: PACKUMENT, auth: "Bearer dev-token" }]);
    d.err.length = 0;
    d.advance(23 * 3600_000);
    expect(await run(["status", "--stage", "pilot"], d)).toBe(0);
    expect(d.err).toEqual([]);
    expect(registry.calls).toHaveLength(1);
    d.advance(2 * 3600_000);
    await run(["status", "--stage", "pilot"], d);
    expect(registry.calls).toHaveLength(2);
    expect(d.err).toEqual([NOTICE]);
  });

  it("says nothing when the helper is current or newer, or when the registry fails or refuses the token", async () => {
    for (const [latest, status] of [
      ["1.2.3", 200],
      ["1.2.0", 200],
      ["9.0.0", 401],
      ["9.0.0", 503],
    ] as const) {
      const { d, registry } = await world();
      Object.assign(registry, { latest, status });
      expect(await run(["status", "--stage", "pilot"], d)).toBe(0);
      expect(d.err).toEqual([]);
      expect(registry.calls).toHaveLength(1);
    }
    const { d } = await world({}, { fetch: async () => Promise.reject(new TypeError("fetch failed")) });
    expect(await run(["status", "--stage", "pilot"], d)).toBe(0);
    expect(d.err).toEqual([]);
  });

  it("stays off with CLAUDE_BEDROCK_NO_UPDATE_CHECK=1, in CI, and for stages without a registry", async () => {
    for (const env of [{ CLAUDE_BEDROCK_NO_UPDATE_CHECK: "1" }, { CI: "true" }] as Array<Record<string, string>>) {
      const { d, registry } = await world(env);
      expect(await run(["status", "--stage", "pilot"], d)).toBe(0);
      expect(registry.calls).toEqual([]);
      expect(d.err).toEqual([]);
    }
    const { d, registry } = await world();
    writeFileSync(join(d.homedir, ".claude-bedrock", "stages", "pilot.json"), JSON.stringify({ ...settings, distribution: undefined }));
    expect(await run(["status", "--stage", "pilot"], d)).toBe(0);
    expect(registry.calls).toEqual([]);
  });
});

describe("doctor's helper version", () => {
  const check = async (d: TestDeps) => (await doctor(d, settings, "test")).find((c) => c.name === "helper version");

  it("always checks, with the registry token, and offers the upgrade only for a newer version", async () => {
    const { d, registry } = await world({ CI: "true" });
    expect(await check(d)).toEqual({
      name: "helper version",
      ok: "warn",
      detail: "1.2.3 installed, 1.3.0 available",
      fix: "npm install --global @acme/claude-bedrock@1.3.0",
    });
    expect(await check(d)).toMatchObject({ ok: "warn" });
    expect(registry.calls.filter((c) => c.url === PACKUMENT)).toEqual([
      { url: PACKUMENT, auth: "Bearer dev-token" },
      { url: PACKUMENT, auth: "Bearer dev-token" },
    ]);
    registry.latest = "1.2.3";
    expect(await check(d)).toEqual({ name: "helper version", ok: true, detail: "1.2.3 is the latest" });
    registry.latest = "1.2.3-rc.1";
    expect(await check(d)).toEqual({ name: "helper version", ok: true, detail: "1.2.3 is the latest" });
  });

  it("explains a refused token with the fix for the stage's registry (here not CodeArtifact: npm login)", async () => {
    const { d, registry } = await world();
    registry.status = 403;
    expect(await check(d)).toMatchObject({
      ok: "warn",
      detail: expect.stringContaining("expired"),
      fix: expect.stringContaining(`npm login --registry ${REGISTRY}`),
    });
  });

  it("tells users of the single executable to download it, not to run npm", async () => {
    const { d } = await world({}, { selfCommand: ["/usr/local/bin/claude-bedrock"] });
    expect((await check(d))?.fix).toMatch(/^download claude-bedrock 1\.3\.0 .*SHA256SUMS/);
    expect(installKind(["/usr/local/bin/claude-bedrock"])).toBe("executable");
    expect(installKind(["/usr/local/bin/claude-bedrock", "/$bunfs/root/claude-bedrock"])).toBe("executable");
    expect(installKind(["/usr/bin/node", "/usr/lib/node_modules/@acme/claude-bedrock/bin/claude-bedrock.cjs"])).toBe("npm");
  });

  it("can be turned off", async () => {
    const { d, registry } = await world({ CLAUDE_BEDROCK_NO_UPDATE_CHECK: "1" });
    expect(await check(d)).toMatchObject({ ok: true, detail: expect.stringContaining("CLAUDE_BEDROCK_NO_UPDATE_CHECK=1") });
    expect(registry.calls.filter((c) => c.url === PACKUMENT)).toEqual([]);
  });
});
