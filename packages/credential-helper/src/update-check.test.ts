import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkForUpdate,
  compareVersions,
  DAY_MS,
  isHotPath,
  npmAuthToken,
  packumentUrl,
  type UpdateCheckDeps,
  type UpdateCheckOptions,
} from "./update-check.js";

const REGISTRY = "https://ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/";

describe("compareVersions", () => {
  it.each([
    ["1.0.0", "0.9.9", 1],
    ["0.10.0", "0.9.0", 1],
    ["1.0.0", "1.0.0", 0],
    ["1.0.0-rc.1", "1.0.0", -1],
    ["1.0.0-rc.2", "1.0.0-rc.10", -1],
    ["1.0.0-alpha", "1.0.0-alpha.1", -1],
    ["1.0.0-1", "1.0.0-alpha", -1],
    ["1.0.0+build.1", "1.0.0", 0],
  ])("%s vs %s", (a, b, sign) => expect(Math.sign(compareVersions(a, b))).toBe(sign));

  it("is NaN for anything that is not semver", () => expect(compareVersions("latest", "1.0.0")).toBeNaN());
});

describe("npmAuthToken", () => {
  const env = { CODEARTIFACT_AUTH_TOKEN: "from-env" };
  it("reads the token aws codeartifact login writes, for the exact repository path", () => {
    const rc = `; comment\n@example:registry=${REGISTRY}\n//ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/:_authToken=tok-1\n`;
    expect(npmAuthToken(rc, REGISTRY, env)).toBe("tok-1");
  });
  it("expands ${VAR} and falls back to a less specific path like npm", () => {
    const rc = `//ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/:_authToken="\${CODEARTIFACT_AUTH_TOKEN}"`;
    expect(npmAuthToken(rc, REGISTRY, env)).toBe("from-env");
  });
  it("never sends another registry's token", () => {
    expect(npmAuthToken("//registry.npmjs.org/:_authToken=public-token", REGISTRY, env)).toBeUndefined();
    expect(npmAuthToken("//127.0.0.1:4873/:_authToken=a", "http://127.0.0.1:4874/", env)).toBeUndefined();
    expect(npmAuthToken("//127.0.0.1:4873/:_authToken=a", "http://127.0.0.1:4873/", env)).toBe("a");
  });
  it("builds the packument URL npm uses for scoped names", () => {
    expect(packumentUrl(REGISTRY, "@example/claude-bedrock")).toBe(`${REGISTRY}@example%2fclaude-bedrock`);
  });
});

describe("checkForUpdate", () => {
  let dir: string;
  let now: number;
  let calls: Array<{ url: string; auth?: string }>;
  let answer: () => Promise<Response>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccb-uc-"));
    fs.writeFileSync(
      path.join(dir, ".npmrc"),
      `//ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/:_authToken=tok-1\n`,
    );
    now = Date.parse("2026-11-26T09:00:00Z");
    calls = [];
    answer = async () => Response.json({ name: "@example/claude-bedrock", "dist-tags": { latest: "1.3.0" } });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const deps = (env: Record<string, string> = {}): UpdateCheckDeps => ({
    env,
    homedir: dir,
    platform: "linux",
    now: () => now,
    fs: fsp,
    fetch: async (url, init) => {
      calls.push({ url, auth: new Headers(init?.headers).get("authorization") ?? undefined });
      return answer();
    },
  });
  const opts = (mode: UpdateCheckOptions["mode"], currentVersion = "1.2.0"): UpdateCheckOptions => ({
    registryUrl: REGISTRY,
    packageName: "@example/claude-bedrock",
    currentVersion,
    stateFile: path.join(dir, ".claude-bedrock", "update-check.json"),
    mode,
  });

  it("announces a newer version with the upgrade command, sending the registry token", async () => {
    const r = await checkForUpdate(deps(), opts("doctor"));
    expect(r).toEqual({
      status: "newer",
      current: "1.2.0",
      latest: "1.3.0",
      fix: "npm install --global @example/claude-bedrock@1.3.0",
      notice: "claude-bedrock 1.3.0 is available (you have 1.2.0). Upgrade: npm install --global @example/claude-bedrock@1.3.0",
    });
    expect(calls).toEqual([{ url: `${REGISTRY}@example%2fclaude-bedrock`, auth: "Bearer tok-1" }]);
  });

  it("does not announce an older or equal latest", async () => {
    expect((await checkForUpdate(deps(), opts("doctor", "1.3.0"))).status).toBe("current");
    expect((await checkForUpdate(deps(), opts("doctor", "2.0.0"))).status).toBe("current");
  });

  it("checks at most once a day in the background, doctor always", async () => {
    expect((await checkForUpdate(deps(), opts("background"))).status).toBe("newer");
    now += DAY_MS - 60_000;
    expect(await checkForUpdate(deps(), opts("background"))).toEqual({ status: "skipped", reason: "checked-recently" });
    expect((await checkForUpdate(deps(), opts("doctor"))).status).toBe("newer");
    now += 120_000;
    expect((await checkForUpdate(deps(), opts("background"))).status).toBe("newer");
    expect(calls).toHaveLength(3);
    const state = JSON.parse(fs.readFileSync(path.join(dir, ".claude-bedrock", "update-check.json"), "utf8"));
    expect(state).toEqual({ checkedAt: now, latest: "1.3.0" });
    expect(fs.statSync(path.join(dir, ".claude-bedrock", "update-check.json")).mode & 0o777).toBe(0o600);
  });

  it("does not ask a failing registry again on every command", async () => {
    answer = async () => new Response("down", { status: 503 });
    expect((await checkForUpdate(deps(), opts("background"))).status).toBe("unavailable");
    expect((await checkForUpdate(deps(), opts("background"))).status).toBe("skipped");
    expect(calls).toHaveLength(1);
  });

  it("explains a 401 as an expired CodeArtifact token", async () => {
    answer = async () => new Response("{}", { status: 401 });
    const r = await checkForUpdate(deps(), opts("doctor"));
    expect(r).toMatchObject({
      status: "unavailable",
      detail: expect.stringContaining("expired"),
      fix: expect.stringContaining("12 hours"),
    });
  });

  it("explains a 401 from the organisation's own npm registry without sending the developer to CodeArtifact", async () => {
    answer = async () => new Response("{}", { status: 401 });
    const r = await checkForUpdate(deps(), { ...opts("doctor"), registryUrl: "https://npm.example.com/" });
    expect(r).toMatchObject({ status: "unavailable", fix: expect.stringContaining("npm login --registry https://npm.example.com/") });
    expect(JSON.stringify(r)).not.toContain("codeartifact");
  });

  it("reports a timeout instead of hanging", async () => {
    answer = async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    };
    expect(await checkForUpdate(deps(), opts("doctor"))).toMatchObject({
      status: "unavailable",
      detail: expect.stringContaining("timed out"),
    });
  });

  it("can be turned off, and stays off in CI except for doctor", async () => {
    expect(await checkForUpdate(deps({ CLAUDE_BEDROCK_NO_UPDATE_CHECK: "1" }), opts("doctor"))).toEqual({
      status: "skipped",
      reason: "disabled",
    });
    expect(await checkForUpdate(deps({ CI: "true" }), opts("background"))).toEqual({ status: "skipped", reason: "ci" });
    expect((await checkForUpdate(deps({ CI: "true" }), opts("doctor"))).status).toBe("newer");
  });

  it("tells single-executable users to download, not to run npm", async () => {
    const r = await checkForUpdate(deps(), { ...opts("doctor"), installKind: "executable" });
    expect(r.status === "newer" && r.fix).toMatch(/SHA256SUMS/);
  });

  it("keeps the credential_process and otel headers paths out", () => {
    expect(isHotPath("credential-process")).toBe(true);
    expect(isHotPath("otel-headers")).toBe(true);
    expect(isHotPath("status")).toBe(false);
  });
});
