import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, lstatSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { applyTeamModels, runSetup } from "./setup.js";
import { runUndo } from "./undo.js";
import { StageCache } from "./cache.js";
import { HelperError } from "./errors.js";
import { stageSettings, testDeps, type TestDeps } from "../test/support.js";

const AWS_CONFIG = `# mine
[default]
region = eu-west-1

[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1

[profile legacy]
credential_process = /usr/local/bin/vault-aws --role legacy
`;

const CLAUDE_SETTINGS = `{
    "permissions": {
        "allow": ["Bash(npm test)"]
    },
    "env": {
        "AWS_REGION": "eu-west-1",
        "MY_VAR": "keep me"
    },
    "model": "opus"
}
`;

function world(withFiles = true): { d: TestDeps; aws: string; claude: string } {
  const d = testDeps();
  const aws = join(d.homedir, ".aws", "config");
  const claude = join(d.homedir, ".claude", "settings.json");
  if (withFiles) {
    mkdirSync(join(d.homedir, ".aws"));
    mkdirSync(join(d.homedir, ".claude"));
    writeFileSync(aws, AWS_CONFIG);
    writeFileSync(claude, CLAUDE_SETTINGS);
  }
  return { d, aws, claude };
}

const settings = (o: Record<string, unknown> = {}) => stageSettings(o) as unknown as StageSettings;
const setup = (d: TestDeps, s = settings(), team?: string) =>
  runSetup(d, s, { settingsText: JSON.stringify(s), ...(team ? { team } : {}) });

describe("setup", () => {
  it("adds the profile and merges Claude Code settings without losing anything", async () => {
    const { d, aws, claude } = world();
    await setup(d);
    const config = readFileSync(aws, "utf8");
    expect(config.startsWith(AWS_CONFIG)).toBe(true);
    expect(config).toContain(
      "[profile claude-pilot]\n# Managed by claude-bedrock (stage pilot); `claude-bedrock setup --undo --stage pilot` removes it.\ncredential_process = /usr/local/bin/node '/opt/claude bedrock/claude-bedrock.cjs' credential-process --stage pilot\nregion = us-east-1\n",
    );
    const merged = JSON.parse(readFileSync(claude, "utf8"));
    expect(merged.permissions).toEqual({ allow: ["Bash(npm test)"] });
    expect(merged.model).toBe("opus");
    expect(merged.env).toEqual({
      AWS_REGION: "us-east-1",
      MY_VAR: "keep me",
      CLAUDE_CODE_USE_BEDROCK: "1",
      AWS_PROFILE: "claude-pilot",
      ANTHROPIC_MODEL: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      ANTHROPIC_DEFAULT_HAIKU_MODEL: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
      CLAUDE_CODE_ENABLE_TELEMETRY: "1",
      OTEL_METRICS_EXPORTER: "otlp",
      OTEL_LOGS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example.com",
    });
    expect(merged.otelHeadersHelper).toBe("/usr/local/bin/node '/opt/claude bedrock/claude-bedrock.cjs' otel-headers --stage pilot");
    // The original indentation is kept.
    expect(readFileSync(claude, "utf8")).toMatch(/^\{\n {4}"permissions"/);
    // Backups of both files.
    const backups = readdirSync(join(d.homedir, ".claude-bedrock", "backups", "pilot"));
    expect(backups.filter((f) => f !== "manifest.json")).toHaveLength(2);
  });

  it("is idempotent: a second run changes nothing and makes no backup", async () => {
    const { d, aws, claude } = world();
    await setup(d);
    const [a, c] = [readFileSync(aws, "utf8"), readFileSync(claude, "utf8")];
    const backups = readdirSync(join(d.homedir, ".claude-bedrock", "backups", "pilot")).length;
    const second = await setup(d);
    expect(second.changed).toEqual([]);
    expect(readFileSync(aws, "utf8")).toBe(a);
    expect(readFileSync(claude, "utf8")).toBe(c);
    expect(readdirSync(join(d.homedir, ".claude-bedrock", "backups", "pilot"))).toHaveLength(backups);
  });

  it("re-running merges into the profile: keys the user added stay, setup's own keys follow the stage", async () => {
    const { d, aws } = world();
    await setup(d);
    writeFileSync(aws, readFileSync(aws, "utf8").replace("region = us-east-1\n", "region = us-east-1\noutput = json\ncli_pager =\n"));
    const r = await setup(d, settings({ region: "eu-central-1" }));
    const config = readFileSync(aws, "utf8");
    expect(config).toContain("\nregion = eu-central-1\noutput = json\ncli_pager =\n");
    expect(config).toContain("credential_process = ");
    expect(config.startsWith(AWS_CONFIG)).toBe(true);
    expect(r.notes.join()).not.toContain("left");
    // Undo still puts back the file as it was before setup, once the user's key is gone again.
    writeFileSync(aws, readFileSync(aws, "utf8").replace("output = json\ncli_pager =\n", ""));
    await runUndo(d, "pilot");
    expect(readFileSync(aws, "utf8")).toBe(AWS_CONFIG);
  });

  it("re-running leaves a profile key the user changed, with a note, unless --force", async () => {
    const { d, aws } = world();
    await setup(d);
    writeFileSync(aws, readFileSync(aws, "utf8").replace("region = us-east-1", "region = ap-south-1"));
    const r = await setup(d, settings({ region: "eu-central-1" }));
    expect(readFileSync(aws, "utf8")).toContain("region = ap-south-1");
    expect(r.notes.join("\n")).toMatch(/left region in \[profile claude-pilot\] of .* alone: it was changed after setup .*setup --force/);
    // Still theirs on the next run (setup's last value is remembered, not the user's).
    expect((await setup(d, settings({ region: "eu-central-1" }))).notes.join()).toContain("left region");
    await runSetup(d, settings({ region: "eu-central-1" }), {
      settingsText: JSON.stringify(settings({ region: "eu-central-1" })),
      force: true,
    });
    expect(readFileSync(aws, "utf8")).toContain("region = eu-central-1");
    expect(readFileSync(aws, "utf8")).not.toContain("ap-south-1");
  });

  it("re-running leaves a Claude Code setting the user changed, with a note, unless --force; a removed one comes back", async () => {
    const { d, claude } = world();
    await setup(d);
    const edited = JSON.parse(readFileSync(claude, "utf8"));
    edited.env.ANTHROPIC_MODEL = "us.anthropic.claude-opus-4-1-20250805-v1:0";
    delete edited.env.CLAUDE_CODE_USE_BEDROCK;
    writeFileSync(claude, JSON.stringify(edited, null, 2));
    const r = await setup(d);
    const after = JSON.parse(readFileSync(claude, "utf8"));
    expect(after.env.ANTHROPIC_MODEL).toBe("us.anthropic.claude-opus-4-1-20250805-v1:0");
    expect(after.env.CLAUDE_CODE_USE_BEDROCK).toBe("1");
    expect(r.notes.join("\n")).toMatch(/left env\.ANTHROPIC_MODEL in .* alone: it was changed after setup/);
    await runSetup(d, settings(), { settingsText: JSON.stringify(settings()), force: true });
    expect(JSON.parse(readFileSync(claude, "utf8")).env.ANTHROPIC_MODEL).toBe("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
  });

  it("the team switch after a sign-in touches only model keys that still hold what setup wrote", async () => {
    const { d, aws, claude } = world();
    await setup(d);
    const edited = JSON.parse(readFileSync(claude, "utf8"));
    edited.env.ANTHROPIC_MODEL = "my-own-model";
    edited.env.AWS_REGION = "eu-west-3";
    writeFileSync(claude, JSON.stringify(edited, null, 2));
    writeFileSync(aws, readFileSync(aws, "utf8").replace("region = us-east-1\n", "region = ap-south-1\noutput = json\n"));
    const awsBefore = readFileSync(aws, "utf8");
    await new StageCache(d, "pilot").writeIdToken({
      idToken: "t",
      expiresAt: Date.now() + 3600_000,
      identity: { sub: "a", email: "a@example.com", team: "platform" },
    });
    expect(await applyTeamModels(d, settings())).toContain("team platform");
    const after = JSON.parse(readFileSync(claude, "utf8"));
    expect(after.env.ANTHROPIC_MODEL).toBe("my-own-model");
    expect(after.env.ANTHROPIC_DEFAULT_HAIKU_MODEL).toBe("arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/def456");
    expect(after.env.AWS_REGION).toBe("eu-west-3");
    expect(readFileSync(aws, "utf8")).toBe(awsBefore);
  });

  it("uses the team's inference profiles when the team matches", async () => {
    const { d, claude } = world();
    await setup(d, settings(), "platform");
    expect(JSON.parse(readFileSync(claude, "utf8")).env.ANTHROPIC_MODEL).toBe(
      "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc123",
    );
  });

  it("refuses a --team the stage does not have, naming its teams nearest first, and writes nothing", async () => {
    const { d, aws, claude } = world();
    const teams = [
      { name: "data", models: { primary: "p", fast: "f" } },
      { name: "platform", models: { primary: "p", fast: "f" } },
      { name: "plat-ops", models: { primary: "p", fast: "f" } },
    ];
    const e = await setup(d, settings({ teams }), "platfrom").then(
      () => undefined,
      (err: unknown) => err as HelperError,
    );
    expect(e?.code).toBe("ERR_SETUP_UNKNOWN_TEAM");
    expect(e?.message).toBe('stage pilot has no team "platfrom"; its teams, nearest first: platform, plat-ops, data');
    expect(readFileSync(aws, "utf8")).toBe(AWS_CONFIG);
    expect(readFileSync(claude, "utf8")).toBe(CLAUDE_SETTINGS);
    await expect(setup(d, settings({ teams: [] }), "platform")).rejects.toMatchObject({
      code: "ERR_SETUP_UNKNOWN_TEAM",
      message: "stage pilot has no teams, so --team platform cannot apply",
    });
  });

  it("refuses an ~/.aws/config the AWS CLI cannot parse, naming the line, and writes nothing", async () => {
    const { d, aws, claude } = world();
    const broken = `${AWS_CONFIG}region us-west-2\n`;
    writeFileSync(aws, broken);
    await expect(setup(d)).rejects.toMatchObject({
      code: "ERR_SETUP_AWS_CONFIG_INVALID",
      message: `${aws} line 11: neither a [section] header, a \`key = value\` line, a comment nor an indented continuation; the AWS CLI cannot read the file, so setup leaves it untouched`,
    });
    expect(readFileSync(aws, "utf8")).toBe(broken);
    expect(readFileSync(claude, "utf8")).toBe(CLAUDE_SETTINGS);
    expect(existsSync(join(d.homedir, ".claude-bedrock", "stages"))).toBe(false);
  });

  it.each([
    [true, "otlp"],
    [false, "none"],
    [undefined, "otlp"],
  ])("with collector events %s, sets OTEL_LOGS_EXPORTER=%s (metrics always otlp)", async (events, exporter) => {
    const { d, claude } = world();
    await setup(
      d,
      settings({
        telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf", ...(events === undefined ? {} : { events }) },
      }),
    );
    const env = JSON.parse(readFileSync(claude, "utf8")).env;
    expect(env).toMatchObject({
      OTEL_LOGS_EXPORTER: exporter,
      OTEL_METRICS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example.com",
    });
  });

  it("switches the logs exporter when the stage's collector drops or adds the events pipeline", async () => {
    const { d, claude } = world();
    await setup(d, settings({ telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf", events: false } }));
    expect(JSON.parse(readFileSync(claude, "utf8")).env.OTEL_LOGS_EXPORTER).toBe("none");
    await setup(d, settings({ telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf", events: true } }));
    expect(JSON.parse(readFileSync(claude, "utf8")).env.OTEL_LOGS_EXPORTER).toBe("otlp");
  });

  it("omits telemetry settings when the stage has no telemetry", async () => {
    const { d, claude } = world();
    await setup(d, settings({ telemetry: undefined }));
    const merged = JSON.parse(readFileSync(claude, "utf8"));
    expect(merged.otelHeadersHelper).toBeUndefined();
    expect(merged.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it("writes an sso-session profile and awsAuthRefresh for IAM Identity Center stages", async () => {
    const { d, aws, claude } = world();
    await setup(
      d,
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
    const config = readFileSync(aws, "utf8");
    expect(config).toContain(
      "[profile claude-pilot]\n# Managed by claude-bedrock (stage pilot); `claude-bedrock setup --undo --stage pilot` removes it.\nsso_session = claude-bedrock-pilot\nsso_account_id = 333333333333\nsso_role_name = ClaudeCode\nregion = us-east-1\n",
    );
    expect(config).toContain("[sso-session claude-bedrock-pilot]");
    expect(config).not.toContain("credential_process = /usr/local/bin/node");
    const merged = JSON.parse(readFileSync(claude, "utf8"));
    expect(merged.awsAuthRefresh).toBe("aws sso login --profile claude-pilot");
    expect(merged.env.AWS_EC2_METADATA_DISABLED).toBe("true");
  });

  it("refuses to touch a settings.json it cannot parse, and writes nothing", async () => {
    const { d, aws, claude } = world();
    writeFileSync(claude, "{ // comments are not JSON\n}");
    await expect(setup(d)).rejects.toMatchObject({ code: "ERR_SETUP_UNPARSABLE" });
    expect(readFileSync(aws, "utf8")).toBe(AWS_CONFIG);
    expect(readFileSync(claude, "utf8")).toBe("{ // comments are not JSON\n}");
  });

  it("creates the files when there are none, with mode 0600 for the AWS config", async () => {
    const { d, aws, claude } = world(false);
    await setup(d);
    expect(existsSync(aws) && existsSync(claude)).toBe(true);
    const { statSync } = await import("node:fs");
    expect(statSync(aws).mode & 0o777).toBe(0o600);
  });
});

describe("setup --undo", () => {
  it("restores both files byte for byte", async () => {
    const { d, aws, claude } = world();
    await setup(d);
    await setup(d, settings(), "platform"); // a second run must not forget the originals
    await runUndo(d, "pilot");
    expect(readFileSync(aws, "utf8")).toBe(AWS_CONFIG);
    expect(readFileSync(claude, "utf8")).toBe(CLAUDE_SETTINGS);
  });

  it("removes files setup created", async () => {
    const { d, aws, claude } = world(false);
    await setup(d);
    await runUndo(d, "pilot");
    expect(existsSync(aws)).toBe(false);
    expect(existsSync(claude)).toBe(false);
  });

  it("puts back a profile setup replaced", async () => {
    const { d, aws } = world();
    const withOld = `${AWS_CONFIG}\n[profile claude-pilot]\nregion = ap-southeast-2\n`;
    writeFileSync(aws, withOld);
    const r = await setup(d);
    expect(r.notes.join()).toContain("replaced your existing [profile claude-pilot]");
    await runUndo(d, "pilot");
    expect(readFileSync(aws, "utf8")).toBe(withOld);
  });

  it("leaves alone what the user changed after setup, and restores the rest", async () => {
    const { d, claude } = world();
    await setup(d);
    const edited = JSON.parse(readFileSync(claude, "utf8"));
    edited.env.AWS_PROFILE = "my-own";
    edited.env.NEW_VAR = "added later";
    writeFileSync(claude, JSON.stringify(edited, null, 2));
    const r = await runUndo(d, "pilot");
    expect(r.notes.join()).toContain("left env.AWS_PROFILE");
    const after = JSON.parse(readFileSync(claude, "utf8"));
    expect(after.env).toEqual({ AWS_REGION: "eu-west-1", MY_VAR: "keep me", AWS_PROFILE: "my-own", NEW_VAR: "added later" });
    expect(after.otelHeadersHelper).toBeUndefined();
  });

  it("writes through a symlinked ~/.aws/config and settings.json (dotfiles), keeping the links, on setup and undo", async () => {
    const { d, aws, claude } = world(false);
    const dot = join(d.homedir, "dotfiles");
    mkdirSync(dot);
    mkdirSync(join(d.homedir, ".aws"));
    mkdirSync(join(d.homedir, ".claude"));
    writeFileSync(join(dot, "aws-config"), AWS_CONFIG, { mode: 0o640 });
    writeFileSync(join(dot, "claude.json"), CLAUDE_SETTINGS);
    symlinkSync(join(dot, "aws-config"), aws);
    symlinkSync("../dotfiles/claude.json", claude); // relative, as stow makes them
    await setup(d);
    expect(lstatSync(aws).isSymbolicLink()).toBe(true);
    expect(lstatSync(claude).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dot, "aws-config"), "utf8")).toContain("[profile claude-pilot]");
    expect(statSync(join(dot, "aws-config")).mode & 0o777).toBe(0o640);
    expect(JSON.parse(readFileSync(join(dot, "claude.json"), "utf8")).env.CLAUDE_CODE_USE_BEDROCK).toBe("1");
    expect(readdirSync(dot).sort()).toEqual(["aws-config", "claude.json"]);
    await runUndo(d, "pilot");
    expect(lstatSync(aws).isSymbolicLink()).toBe(true);
    expect(lstatSync(claude).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dot, "aws-config"), "utf8")).toBe(AWS_CONFIG);
    expect(readFileSync(join(dot, "claude.json"), "utf8")).toBe(CLAUDE_SETTINGS);
  });

  it("says so when there is nothing to undo", async () => {
    const { d } = world();
    const e = await runUndo(d, "pilot").catch((x) => x);
    expect(e).toBeInstanceOf(HelperError);
    expect(e.code).toBe("ERR_SETUP_NOTHING_TO_UNDO");
  });
});
