/** `setup --managed`: the org-enforced drop-in. Temporary directories only, never the real /etc. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { run } from "./cli.js";
import { defaultManagedDir, managedCheck, managedDropIn, managedSettings, removeManaged, writeManaged } from "./managed.js";
import { claudeKeys } from "./setup.js";
import { stageSettings, testDeps, type TestDeps } from "../test/support.js";

const settings = (o: Record<string, unknown> = {}) => stageSettings(o) as unknown as StageSettings;
const HELPER = "/usr/local/bin/node '/opt/claude bedrock/claude-bedrock.cjs'";

function world(): { d: TestDeps; dir: string; dropIn: string } {
  const d = testDeps();
  const dir = join(d.homedir, "etc", "claude-code");
  return { d, dir, dropIn: join(dir, "managed-settings.d", "50-claude-bedrock-pilot.json") };
}

describe("managed settings content", () => {
  it("holds Bedrock, Region, the telemetry unit and otelHeadersHelper; never the user's profile", () => {
    const m = managedSettings(testDeps(), settings());
    expect(m).toEqual({
      env: {
        CLAUDE_CODE_USE_BEDROCK: "1",
        AWS_REGION: "us-east-1",
        CLAUDE_CODE_ENABLE_TELEMETRY: "1",
        OTEL_METRICS_EXPORTER: "otlp",
        OTEL_LOGS_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example.com",
      },
      otelHeadersHelper: `${HELPER} otel-headers --stage pilot`,
    });
  });

  it("pins the models when the stage has no teams", () => {
    const env = managedSettings(testDeps(), settings({ teams: [], models: { primary: "p", fast: "f", opus: "o" } })).env as Record<
      string,
      string
    >;
    expect(env).toMatchObject({ ANTHROPIC_MODEL: "p", ANTHROPIC_DEFAULT_HAIKU_MODEL: "f", ANTHROPIC_DEFAULT_OPUS_MODEL: "o" });
    expect(env.AWS_PROFILE).toBeUndefined();
  });

  it("without telemetry: only Bedrock and Region (and no otelHeadersHelper)", () => {
    expect(managedSettings(testDeps(), settings({ telemetry: undefined }))).toEqual({
      env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_REGION: "us-east-1" },
    });
  });

  it("keeps Identity Center's per-user keys out", () => {
    const m = managedSettings(
      testDeps(),
      settings({
        federation: {
          mode: "identity-center",
          startUrl: "https://acme.awsapps.com/start",
          ssoRegion: "eu-west-1",
          accountId: "333333333333",
          roleName: "ClaudeCode",
        },
      }),
    );
    expect(m.awsAuthRefresh).toBeUndefined();
    expect((m.env as Record<string, string>).AWS_EC2_METADATA_DISABLED).toBeUndefined();
  });

  it("uses setup's values: every managed value is the one setup writes for the user", () => {
    const d = testDeps();
    const s = settings({ teams: [] });
    const user = new Map(claudeKeys(d, s, undefined).map(([p, v]) => [p.join("."), v]));
    const m = managedSettings(d, s);
    for (const [k, v] of Object.entries(m.env as Record<string, string>)) expect(user.get(`env.${k}`)).toBe(v);
    expect(user.get("otelHeadersHelper")).toBe(m.otelHeadersHelper);
  });

  it("knows each platform's managed directory", () => {
    expect(defaultManagedDir({ platform: "linux" })).toBe("/etc/claude-code");
    expect(defaultManagedDir({ platform: "darwin" })).toBe("/Library/Application Support/ClaudeCode");
    expect(defaultManagedDir({ platform: "win32" })).toBe("C:\\Program Files\\ClaudeCode");
    expect(managedDropIn({ platform: "win32" }, "C:\\Program Files\\ClaudeCode", "prod")).toBe(
      "C:\\Program Files\\ClaudeCode\\managed-settings.d\\50-claude-bedrock-prod.json",
    );
    expect(() => managedDropIn({ platform: "linux" }, "/etc/claude-code", "../x")).toThrow(
      expect.objectContaining({ code: "ERR_CLI_USAGE" }),
    );
  });
});

describe("setup --managed", () => {
  it("writes the drop-in 0644 in directories it creates 0755, atomically, and is idempotent", async () => {
    const { d, dir, dropIn } = world();
    expect(await writeManaged(d, settings(), dir)).toEqual({ file: dropIn, changed: true });
    expect(JSON.parse(readFileSync(dropIn, "utf8"))).toEqual(managedSettings(d, settings()));
    expect(statSync(dropIn).mode & 0o777).toBe(0o644);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, "managed-settings.d")).mode & 0o777).toBe(0o755);
    expect(readdirSync(join(dir, "managed-settings.d"))).toEqual(["50-claude-bedrock-pilot.json"]); // no temp file left
    const before = readFileSync(dropIn, "utf8");
    const mtime = statSync(dropIn).mtimeMs;
    expect((await writeManaged(d, settings(), dir)).changed).toBe(false);
    expect(readFileSync(dropIn, "utf8")).toBe(before);
    expect(statSync(dropIn).mtimeMs).toBe(mtime);
    // A changed stage (telemetry dropped) rewrites it.
    expect((await writeManaged(d, settings({ telemetry: undefined }), dir)).changed).toBe(true);
    expect(JSON.parse(readFileSync(dropIn, "utf8")).otelHeadersHelper).toBeUndefined();
  });

  it("never touches managed-settings.json or other drop-ins; undo removes exactly its own file", async () => {
    const { d, dir, dropIn } = world();
    mkdirSync(join(dir, "managed-settings.d"), { recursive: true });
    const others: Record<string, string> = {
      [join(dir, "managed-settings.json")]: '{"permissions":{"deny":["Bash(curl:*)"]}}\n',
      [join(dir, "managed-settings.d", "10-security.json")]: '{"cleanupPeriodDays": 7}',
      [join(dir, "managed-settings.d", "50-claude-bedrock-prod.json")]: '{"env":{"AWS_REGION":"eu-west-1"}}',
      [join(dir, "managed-mcp.json")]: "{}",
    };
    for (const [f, text] of Object.entries(others)) writeFileSync(f, text);
    await writeManaged(d, settings(), dir);
    expect(existsSync(dropIn)).toBe(true);
    expect(await removeManaged(d, "pilot", dir)).toEqual({ file: dropIn, changed: true });
    expect(existsSync(dropIn)).toBe(false);
    for (const [f, text] of Object.entries(others)) expect(readFileSync(f, "utf8")).toBe(text);
    expect(readdirSync(join(dir, "managed-settings.d")).sort()).toEqual(["10-security.json", "50-claude-bedrock-prod.json"]);
    // Undo again (or with nothing written) is not an error.
    expect((await removeManaged(d, "pilot", dir)).changed).toBe(false);
  });

  it("says how to fix a managed directory it cannot write", async () => {
    const { d } = world();
    const file = join(d.homedir, "a-file");
    writeFileSync(file, "x");
    const e = await writeManaged(d, settings(), join(file, "sub")).catch((x) => x);
    expect(e).toMatchObject({ code: "ERR_MANAGED_UNWRITABLE", message: expect.stringContaining("ENOTDIR") });
    expect(e.toLine()).toContain(
      "run it as an administrator (`sudo claude-bedrock setup --managed`), or pass --managed-dir <dir> and ship the file with your MDM",
    );
    // The CLI: one line on stderr, nothing on stdout.
    const c = testDeps({ homedir: d.homedir });
    const s = join(d.homedir, "s.json");
    writeFileSync(s, JSON.stringify(stageSettings()));
    await expect(run(["setup", "--managed", "--managed-dir", join(file, "sub"), "--settings", s], c)).rejects.toMatchObject({
      code: "ERR_MANAGED_UNWRITABLE",
    });
    expect(c.out).toEqual([]);
  });
});

describe("setup --managed through the CLI", () => {
  function cli(): { d: TestDeps; dir: string; dropIn: string; s: string } {
    const w = world();
    const s = join(w.d.homedir, "pilot-settings.json");
    writeFileSync(s, JSON.stringify(stageSettings()));
    return { ...w, s };
  }

  it("writes the drop-in and nothing in the caller's home; --undo removes it", async () => {
    const { d, dir, dropIn, s } = cli();
    expect(await run(["setup", "--managed", "--managed-dir", dir, "--settings", s], d)).toBe(0);
    expect(JSON.parse(readFileSync(dropIn, "utf8")).env.CLAUDE_CODE_USE_BEDROCK).toBe("1");
    expect(d.out).toEqual([]);
    expect(d.err.join("")).toContain(`updated   ${dropIn}`);
    expect(existsSync(join(d.homedir, ".claude-bedrock"))).toBe(false);
    expect(existsSync(join(d.homedir, ".claude"))).toBe(false);
    expect(existsSync(join(d.homedir, ".aws"))).toBe(false);
    expect(await run(["setup", "--managed-dir", dir, "--undo", "--stage", "pilot"], d)).toBe(0);
    expect(existsSync(dropIn)).toBe(false);
  });

  it("--print writes the JSON to stdout only, and no file", async () => {
    const { d, dir, s } = cli();
    expect(await run(["setup", "--managed", "--print", "--managed-dir", dir, "--settings", s], d)).toBe(0);
    expect(d.out).toHaveLength(1);
    expect(JSON.parse(d.out[0]!)).toEqual(managedSettings(d, settings()));
    expect(d.err).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    [["setup", "--print"], "--print goes with setup --managed"],
    [["setup", "--managed", "--print", "--undo"], "choose one of --print and --undo"],
    [["setup", "--managed", "--team", "core"], "--team is per developer"],
    [["login", "--managed-dir", "/x"], "--managed-dir is an option of setup --managed and doctor"],
  ])("rejects %j", async (argv, msg) => {
    await expect(run(argv, testDeps())).rejects.toMatchObject({ code: "ERR_CLI_USAGE", message: expect.stringContaining(msg) });
  });
});

describe("doctor: managed settings", () => {
  it("reports none, a matching drop-in, and a stale one (warning with IT's fix)", async () => {
    const d = testDeps();
    const dir = mkdtempSync(join(d.homedir, "managed-"));
    const s = settings();
    expect(await managedCheck(d, s, dir)).toMatchObject({ ok: true, detail: expect.stringContaining("none for stage pilot") });
    await writeManaged(d, s, dir);
    expect(await managedCheck(d, s, dir)).toMatchObject({
      ok: true,
      detail: expect.stringContaining("enforces Bedrock, Region, telemetry for stage pilot"),
    });
    const moved = settings({ telemetry: { endpoint: "https://otel2.example.com", protocol: "http/protobuf" } });
    const stale = await managedCheck(d, moved, dir);
    expect(stale).toMatchObject({
      ok: "warn",
      detail: expect.stringContaining("env.OTEL_EXPORTER_OTLP_ENDPOINT"),
      fix: expect.stringContaining("setup --managed"),
    });
    writeFileSync(managedDropIn(d, dir, "pilot"), "{ nope");
    expect(await managedCheck(d, s, dir)).toMatchObject({ ok: "warn", detail: expect.stringContaining("not valid JSON") });
  });

  it("is part of `doctor --managed-dir`", async () => {
    const d = testDeps({ fetch: async () => new Response("", { status: 404 }) });
    const dir = join(d.homedir, "managed");
    await writeManaged(d, settings(), dir);
    const s = join(d.homedir, "s.json");
    writeFileSync(s, JSON.stringify(stageSettings()));
    await run(["doctor", "--managed-dir", dir, "--settings", s], d);
    expect(d.out.join("")).toMatch(/ok +managed settings: .*50-claude-bedrock-pilot\.json enforces Bedrock/);
  });
});
