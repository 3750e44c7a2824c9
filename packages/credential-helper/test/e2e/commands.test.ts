/** setup/undo, status, doctor, logout, device sign-in and Cognito federation through the built bundle. */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, DRIVER, HELPER_NODE, baseEnv, browserLog, cacheFile, runHelper, seed, tempHome, writeSettings } from "./harness/helper.js";
import { removeTempHomes } from "./harness/helper.js";
import { startWorld, type World } from "./harness/world.js";
import { DEVELOPER_AWS_CONFIG, DEVELOPER_PROFILES } from "../aws-config-fixture.js";

const exec = promisify(execFile);
let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
  removeTempHomes();
});

const CLAUDE = `{\n  "permissions": { "allow": ["Bash(ls)"] },\n  "env": { "FOO": "bar" }\n}\n`;

describe("setup and its undo, as a user runs them", () => {
  it("adds the profile next to SSO and other credential_process profiles, is idempotent, and undoes exactly", async () => {
    const home = tempHome("cmd");
    const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint });
    writeFileSync(join(home, ".aws", "config"), DEVELOPER_AWS_CONFIG);
    mkdirSync(join(home, ".claude"));
    writeFileSync(join(home, ".claude", "settings.json"), CLAUDE);
    const file = writeSettings(home, w.settings());

    const first = await runHelper(["setup", "--settings", file], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("");
    const profiles = await exec("/usr/bin/aws", ["configure", "list-profiles"], { env });
    expect(profiles.stdout.split("\n").filter(Boolean).sort()).toEqual(["claude-e2e", ...DEVELOPER_PROFILES].sort());
    const afterFirst = [readFileSync(join(home, ".aws", "config"), "utf8"), readFileSync(join(home, ".claude", "settings.json"), "utf8")];

    const second = await runHelper(["setup", "--settings", file], env);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain("updated   ");
    expect([readFileSync(join(home, ".aws", "config"), "utf8"), readFileSync(join(home, ".claude", "settings.json"), "utf8")]).toEqual(
      afterFirst,
    );

    const undo = await runHelper(["setup", "--undo", "--stage", "e2e"], env);
    expect(undo.code, undo.stderr).toBe(0);
    expect(readFileSync(join(home, ".aws", "config"), "utf8")).toBe(DEVELOPER_AWS_CONFIG);
    expect(readFileSync(join(home, ".claude", "settings.json"), "utf8")).toBe(CLAUDE);
    const again = await runHelper(["setup", "--undo", "--stage", "e2e"], env);
    expect(again.code).toBe(62);
  });
});

describe("setup --managed, as IT runs it", () => {
  it("prints only JSON with --print, writes a 0644 drop-in, removes it, and fails with exit 63 where it cannot write", async () => {
    const home = tempHome("managed");
    const env = baseEnv(home);
    const file = writeSettings(home, w.settings());
    const dir = join(home, "etc-claude-code");

    const printed = await runHelper(["setup", "--managed", "--print", "--settings", file], env);
    expect(printed.code, printed.stderr).toBe(0);
    const json = JSON.parse(printed.stdout) as { env: Record<string, string>; otelHeadersHelper?: string };
    expect(json.env).toMatchObject({ CLAUDE_CODE_USE_BEDROCK: "1" });
    expect(json.env.AWS_PROFILE).toBeUndefined();
    expect(existsSync(dir)).toBe(false);

    const written = await runHelper(["setup", "--managed", "--managed-dir", dir, "--settings", file], env);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe("");
    const dropIn = join(dir, "managed-settings.d", "50-claude-bedrock-e2e.json");
    expect(readFileSync(dropIn, "utf8")).toBe(printed.stdout);
    const { statSync } = await import("node:fs");
    expect(statSync(dropIn).mode & 0o777).toBe(0o644);

    const doctor = await runHelper(["doctor", "--managed-dir", dir, "--settings", file], env);
    expect(doctor.stdout).toMatch(/ok\s+managed settings: .*50-claude-bedrock-e2e\.json enforces Bedrock/);

    const undo = await runHelper(["setup", "--managed", "--managed-dir", dir, "--undo", "--stage", "e2e"], env);
    expect(undo.code, undo.stderr).toBe(0);
    expect(existsSync(dropIn)).toBe(false);

    const blocked = await runHelper(["setup", "--managed", "--managed-dir", join(file, "sub"), "--settings", file], env);
    expect(blocked.code).toBe(63);
    expect(blocked.stdout).toBe("");
    expect(blocked.stderr).toMatch(
      /ENOTDIR.*Fix: run it as an administrator .*--managed-dir <dir> and ship the file with your MDM\. \[ERR_MANAGED_UNWRITABLE\]/,
    );
  });
});

describe("status, doctor and logout", () => {
  it("report the signed-in state, check the machine, and forget everything on logout", async () => {
    const home = tempHome("cmd");
    const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint });
    const file = writeSettings(home, w.settings());
    expect((await runHelper(["setup", "--settings", file], env)).code).toBe(0);

    const before = await runHelper(["status"], env);
    expect(before.stdout).toContain("Signed in:    no");

    const login = await runHelper(["login"], env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain("Signed in as alice@example.com (stage e2e)");
    expect(login.stdout).toBe("");

    const status = await runHelper(["status"], env);
    expect(status.stdout).toContain("Signed in as: alice@example.com (team platform)");

    const doctor = await runHelper(["doctor"], env);
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(doctor.stdout).toMatch(/ok\s+AWS profile: \[profile claude-e2e\]/);
    expect(doctor.stdout).toMatch(/ok\s+identity provider: http:\/\/127\.0\.0\.1:\d+ reachable; device sign-in available/);
    expect(doctor.stdout).toMatch(/ok\s+clock: within \d+ s/);
    expect(doctor.stdout).toMatch(/ok\s+sign-in port: 127\.0\.0\.1:\d+ is free/);

    writeFileSync(join(home, ".claude", "settings.json"), "{ broken");
    const sick = await runHelper(["doctor"], env);
    expect(sick.code).toBe(1);
    expect(sick.stdout).toMatch(/FAIL\s+Claude Code settings: .* is not valid JSON\n {6}fix: /);

    const logout = await runHelper(["logout", "--idp"], { ...env, E2E_BROWSER_MODE: "none" });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain("Signed out of the identity provider");
    // The "browser" runs on after the helper exits: wait for it to record the page it was sent to.
    let opened: string[] = [];
    for (let i = 0; i < 50 && opened.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      opened = browserLog(home).filter((l) => l.startsWith("none "));
    }
    expect(opened).toEqual([`none ${w.idp.issuer}/session/end`]);
    for (const f of ["id-token.json", "refresh-token.json", "credentials.json"]) expect(existsSync(cacheFile(home, f))).toBe(false);
    const headless = await runHelper(["credential-process"], { ...env, CLAUDE_BEDROCK_BROWSER_COMMAND: "", DISPLAY: "" });
    expect(headless.code).toBe(24);
  });
});

describe("device sign-in", () => {
  it("login --device shows a verification URL and completes when the user approves on another device", async () => {
    const home = tempHome("cmd");
    const env = baseEnv(home, { CLAUDE_BEDROCK_SETTINGS: writeSettings(home, w.settings()) });
    const child = spawn(HELPER_NODE, [BUNDLE, "login", "--device"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (c) => (stdout += c));
    const url = await new Promise<string>((resolve) => {
      child.stderr.on("data", (c) => {
        stderr += c;
        const m = /open (http:\/\/127\.0\.0\.1:\d+\/device\S*)/.exec(stderr);
        if (m) resolve(m[1]!.replace(/[.,)]$/, ""));
      });
    });
    await exec(process.execPath, [DRIVER, url], { env: { ...env, E2E_BROWSER_MODE: "device" } });
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code, stderr).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain("Signed in as alice@example.com");
    expect(existsSync(cacheFile(home, "refresh-token.json"))).toBe(true);
  });
});

describe("Cognito Identity Pool federation", () => {
  it("exchanges the id_token with GetId + GetCredentialsForIdentity (AWS_ENDPOINT_URL_COGNITO_IDENTITY honoured)", async () => {
    const home = tempHome("cmd");
    const settings = w.settings({
      federation: {
        mode: "cognito-identity-pool",
        identityPoolId: "us-east-1:11111111-2222-3333-4444-555555555555",
        identityPoolRegion: "us-east-1",
        roleArn: "arn:aws:iam::111111111111:role/cognito-auth",
        providerName: new URL(w.idp.issuer).host,
      },
    });
    const env = baseEnv(home, {
      CLAUDE_BEDROCK_SETTINGS: writeSettings(home, settings),
      AWS_ENDPOINT_URL_COGNITO_IDENTITY: w.sts.endpoint,
      CLAUDE_BEDROCK_BROWSER_COMMAND: "",
    });
    const token = await w.idp.sign({ sub: "alice", email: "alice@example.com" });
    seed(home, "id-token.json", {
      idToken: token,
      expiresAt: Date.now() + 3600_000,
      identity: { sub: "alice", email: "alice@example.com" },
    });
    const before = { id: w.sts.calls.GetId ?? 0, creds: w.sts.calls.GetCredentialsForIdentity ?? 0 };
    const r = await runHelper(["credential-process"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });
    expect(w.sts.calls.GetId).toBe(before.id + 1);
    expect(w.sts.calls.GetCredentialsForIdentity).toBe(before.creds + 1);
  });
});

describe("IAM Identity Center stage", () => {
  const IDENTITY_CENTER = {
    mode: "identity-center",
    startUrl: "https://acme.awsapps.com/start",
    ssoRegion: "us-east-1",
    accountId: "333333333333",
    roleName: "ClaudeCode",
  };
  /** What `aws sso login` leaves behind: the session's access token in the AWS CLI's SSO cache. */
  function writeSsoLogin(home: string): void {
    const cacheDir = join(home, ".aws", "sso", "cache");
    mkdirSync(cacheDir, { recursive: true });
    const key = createHash("sha1").update("claude-bedrock-e2e").digest("hex");
    writeFileSync(
      join(cacheDir, `${key}.json`),
      JSON.stringify({
        accessToken: "e2e-sso-access-token",
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        region: IDENTITY_CENTER.ssoRegion,
        startUrl: IDENTITY_CENTER.startUrl,
      }),
    );
  }

  it("setup writes the sso-session profile; status and otel-headers name the user from the role session", async () => {
    const home = tempHome("cmd");
    const settings = w.settings({
      federation: IDENTITY_CENTER,
    });
    const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint, AWS_ENDPOINT_URL_SSO: w.sts.endpoint });
    const setup = await runHelper(["setup", "--settings", writeSettings(home, settings)], env);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stderr).toContain("aws sso login --profile claude-e2e");
    expect(JSON.parse(readFileSync(join(home, ".claude", "settings.json"), "utf8")).awsAuthRefresh).toBe(
      "aws sso login --profile claude-e2e",
    );
    expect(await runHelper(["otel-headers"], env)).toMatchObject({ code: 0, stdout: "{}\n" });

    writeSsoLogin(home);

    const status = await runHelper(["status", "--json"], env);
    expect(JSON.parse(status.stdout), status.stderr).toMatchObject({
      signedIn: true,
      email: "alice@example.com",
      federation: "identity-center",
    });
    const headers = await runHelper(["otel-headers"], env);
    expect(JSON.parse(headers.stdout)).toEqual({ "x-user-email": "alice@example.com" });
    const cp = await runHelper(["credential-process"], env);
    expect(cp.code).toBe(60);
  });

  it("signs the quota check and the token request with the SSO session's credentials; otel-headers caches the collector token", async () => {
    const { startSigV4StandIn } = await import("../sigv4-stand-in.js");
    const home = tempHome("cmd");
    let tokens = 0;
    const known = () =>
      w.sts.issued
        .filter((c) => c.secretAccessKey)
        .map((c) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey!, sessionToken: c.sessionToken!, arn: c.arn }));
    const region = String(w.settings({}).region);
    // The check API and the token endpoint as API Gateway's AWS_IAM routes: the caller is whoever signed.
    const api = await startSigV4StandIn(
      known,
      (arn, path) => {
        const user = arn.split("/").pop()!;
        if (path === "/check") return { status: 200, body: { allowed: true, usage: { user } } };
        tokens++;
        return {
          status: 200,
          body: {
            token: `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: user })).toString("base64url")}.c2ln`,
            expiresAt: Math.floor(Date.now() / 1000) + 3600,
            email: user,
          },
        };
      },
      { region },
    );
    try {
      const settings = w.settings({
        federation: IDENTITY_CENTER,
        quota: { checkUrl: `${api.url}/check`, failMode: "open", timeoutMs: 5000 },
        telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf", tokenUrl: `${api.url}/token` },
      });
      const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint, AWS_ENDPOINT_URL_SSO: w.sts.endpoint });
      expect((await runHelper(["setup", "--settings", writeSettings(home, settings)], env)).code).toBe(0);
      writeSsoLogin(home);

      const first = await runHelper(["otel-headers"], env);
      expect(first.code, first.stderr).toBe(0);
      const headers = JSON.parse(first.stdout);
      expect(headers).toMatchObject({ "x-ccb-token-issuer": "iam", "x-user-email": "alice@example.com" });
      expect(headers.Authorization).toMatch(/^Bearer eyJ/);
      expect(JSON.parse(await runHelper(["otel-headers"], env).then((r) => r.stdout))).toEqual(headers);
      expect(tokens).toBe(1);
      const status = JSON.parse((await runHelper(["status", "--json"], env)).stdout);
      expect(status.quota).toMatchObject({ outcome: "allowed", usage: { user: "alice@example.com" } });
      expect(api.seen.rejected).toEqual([]);
      expect(api.seen.verified).toBeGreaterThanOrEqual(2);
    } finally {
      await api.close();
    }
  });
});
