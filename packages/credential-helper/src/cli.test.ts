import { describe, expect, it } from "vitest";
import { COMMANDS, parseArgs, run } from "./cli.js";
import { ERROR_CODES, FIXES, HelperError, toHelperError } from "./errors.js";
import { EXIT_CODES } from "./main.js";
import { redact } from "./real-deps.js";
import { headersFor } from "./otel-headers.js";
import { credentialsFresh, idTokenUsable, processOutput, CREDENTIALS_WINDOW_MS } from "./cache.js";
import { classifyRefreshFailure } from "./oidc/flows.js";
import { mapOidcError } from "./oidc/errors.js";
import { T0, testDeps } from "../test/support.js";

describe("errors and exit codes", () => {
  it("gives every code a fix and a distinct exit code other than 0 and 1", () => {
    const exits = ERROR_CODES.map((c) => EXIT_CODES[c]);
    expect(new Set(exits).size).toBe(ERROR_CODES.length);
    for (const c of ERROR_CODES) {
      expect(FIXES[c].length).toBeGreaterThan(5);
      expect(EXIT_CODES[c]).toBeGreaterThan(1);
      expect(c).toMatch(/^ERR_[A-Z]+_[A-Z_]+$/);
    }
  });

  it("renders one line: what happened, the fix, the code", () => {
    expect(new HelperError("ERR_LOGIN_PORT_IN_USE", "cannot listen on 127.0.0.1:8400\n(EADDRINUSE).").toLine()).toBe(
      "claude-bedrock: cannot listen on 127.0.0.1:8400 (EADDRINUSE). Fix: stop the program that listens on that port (see `claude-bedrock doctor`), then retry. [ERR_LOGIN_PORT_IN_USE]",
    );
    expect(toHelperError(new Error("boom")).code).toBe("ERR_HELPER_INTERNAL");
  });

  it.each([
    [
      Object.assign(new Error("x"), { code: "OAUTH_RESPONSE_BODY_ERROR", error: "invalid_grant", status: 400 }),
      "ERR_REFRESH_REVOKED",
      "discard",
    ],
    [
      Object.assign(new Error("x"), { code: "OAUTH_RESPONSE_BODY_ERROR", error: "invalid_client", status: 401 }),
      "ERR_IDP_REJECTED",
      "keep",
    ],
    [
      Object.assign(new Error("x"), { code: "OAUTH_RESPONSE_BODY_ERROR", error: "server_error", status: 502 }),
      "ERR_IDP_UNREACHABLE",
      "keep",
    ],
    [
      Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("c"), { code: "ECONNRESET" }) }),
      "ERR_IDP_UNREACHABLE",
      "keep",
    ],
    [Object.assign(new Error("t"), { name: "TimeoutError" }), "ERR_IDP_UNREACHABLE", "keep"],
  ])("classifies refresh failures: %s → %s (%s the refresh token)", (e, code, fate) => {
    const mapped = mapOidcError(e, "token refresh", "https://idp");
    expect(mapped.code).toBe(code);
    expect(classifyRefreshFailure(mapped)).toBe(fate);
  });
});

describe("argument parsing", () => {
  it("parses global and command options", () => {
    const p = parseArgs(["setup", "--stage", "pilot", "--settings=/s.json", "--team", "core", "--undo", "--debug"]);
    expect(p).toMatchObject({ command: "setup", stage: "pilot", settingsFile: "/s.json", team: "core", debug: true });
    expect(p.flags.has("--undo")).toBe(true);
    expect(parseArgs(["setup", "--force"]).flags.has("--force")).toBe(true);
  });

  it.each([
    [["nope"], "unknown command"],
    [["login", "--undo"], "unknown option"],
    [["login", "--device", "--no-browser"], "choose one"],
    [["status", "--stage"], "needs a value"],
    [["login", "--team", "x"], "--team is an option of setup"],
    [["setup", "--force", "--undo"], "--force goes with setup alone"],
    [["login", "--force"], "unknown option"],
  ])("rejects %j", (argv, msg) => {
    expect(() => parseArgs(argv)).toThrow(expect.objectContaining({ code: "ERR_CLI_USAGE", message: expect.stringContaining(msg) }));
  });

  it("prints help for every command and the version, on stdout", async () => {
    for (const c of COMMANDS) {
      const d = testDeps();
      expect(await run([c, "--help"], d)).toBe(0);
      expect(d.out.join("")).toContain(`Usage: claude-bedrock ${c}`);
    }
    const d = testDeps();
    await run(["--version"], d);
    expect(d.out).toEqual(["claude-bedrock 1.2.3\n"]);
    const h = testDeps();
    await run(["--help"], h);
    expect(h.out.join("")).toContain("credential-process");
  });

  it("otel-headers prints {} and succeeds even without settings", async () => {
    const d = testDeps();
    expect(await run(["otel-headers"], d)).toBe(0);
    expect(d.out).toEqual(["{}\n"]);
  });
});

describe("small contracts", () => {
  it("credential_process output is exactly the Version 1 shape", () => {
    const out = JSON.parse(
      processOutput({
        Version: 1,
        AccessKeyId: "A",
        SecretAccessKey: "S",
        SessionToken: "T",
        Expiration: "2026-11-26T13:00:00.000Z",
        principal: "p",
      }),
    );
    expect(out).toEqual({ Version: 1, AccessKeyId: "A", SecretAccessKey: "S", SessionToken: "T", Expiration: "2026-11-26T13:00:00.000Z" });
  });

  it("cache windows: credentials need > 5 min left, id_tokens > 2 min", () => {
    const c = (ms: number) => ({
      Version: 1 as const,
      AccessKeyId: "A",
      SecretAccessKey: "S",
      SessionToken: "T",
      Expiration: new Date(T0 + ms).toISOString(),
    });
    expect(credentialsFresh(c(CREDENTIALS_WINDOW_MS + 1), T0)).toBe(true);
    expect(credentialsFresh(c(CREDENTIALS_WINDOW_MS), T0)).toBe(false);
    expect(credentialsFresh(undefined, T0)).toBe(false);
    const t = (ms: number) => ({ idToken: "x", expiresAt: T0 + ms, identity: { sub: "s", email: "e" } });
    expect(idTokenUsable(t(120_001), T0)).toBe(true);
    expect(idTokenUsable(t(120_000), T0)).toBe(false);
  });

  it("otel headers carry the bearer token and only non-empty attribution", () => {
    expect(headersFor({ idToken: "tok", expiresAt: 0, identity: { sub: "s", email: "a@b.c", team: "core" } })).toEqual({
      Authorization: "Bearer tok",
      "x-user-email": "a@b.c",
      "x-team": "core",
    });
  });

  it("debug output never shows tokens or secrets", () => {
    expect(redact("got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln and http://x/cb?code=abc&state=def")).toBe(
      "got <jwt> and http://x/cb?code=<redacted>&state=<redacted>",
    );
    const d = testDeps({ debug: true });
    d.log.debug("m", "step", { token: "eyJa.eyJb.c" });
    expect(d.err).toEqual(["[debug] m: step token=<jwt>\n"]);
  });
});
