/**
 * A stage whose IdP registers only `http://localhost:<port>/callback` (Amazon Cognito user pools accept
 * plain-http callbacks only for localhost): headless Chromium resolves localhost itself (to ::1 or
 * 127.0.0.1) and the helper's loopback listener still receives the redirect.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, browserLog, runHelper, removeTempHomes, tempHome, waitForPages, writeSettings } from "./harness/helper.js";
import { startWorld, type World } from "./harness/world.js";

let w: World;

beforeAll(async () => {
  w = await startWorld({ redirectHost: "localhost" });
});
afterAll(async () => {
  await w?.close();
  removeTempHomes();
});

describe("redirectHost localhost", () => {
  it("signs in through http://localhost:<port>/callback, the only redirect the IdP accepts", async () => {
    const home = tempHome();
    const file = writeSettings(home, w.settings());
    const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint });
    const setup = await runHelper(["setup", "--settings", file], env);
    expect(setup.code, setup.stderr).toBe(0);
    const before = w.sts.calls.AssumeRoleWithWebIdentity ?? 0;

    const result = await runHelper(["credential-process"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).Version).toBe(1);
    expect(browserLog(home)).toHaveLength(1);
    expect(await waitForPages(home, 1)).toEqual(["Signed in"]);
    expect(w.sts.calls.AssumeRoleWithWebIdentity).toBe(before + 1);
  });
});
