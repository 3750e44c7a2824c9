import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  findSection,
  profileHeader,
  quoteArg,
  removeSection,
  renderSection,
  sectionText,
  sectionValues,
  splitCommand,
  upsertSection,
} from "./aws-config.js";
import { DEVELOPER_AWS_CONFIG } from "../test/aws-config-fixture.js";

const OURS = renderSection(
  "profile claude-pilot",
  [
    ["credential_process", '"/opt/my tools/node" /opt/cb.cjs credential-process --stage pilot'],
    ["region", "us-east-1"],
  ],
  "Managed by claude-bedrock",
);

describe("~/.aws/config editing", () => {
  it("appends a new profile and keeps every byte of the rest", () => {
    const next = upsertSection(DEVELOPER_AWS_CONFIG, "profile claude-pilot", OURS);
    expect(next.startsWith(DEVELOPER_AWS_CONFIG)).toBe(true);
    expect(next.slice(DEVELOPER_AWS_CONFIG.length)).toBe(`\n${OURS}`);
    expect(sectionValues(next, "profile claude-pilot").region).toBe("us-east-1");
  });

  it("is idempotent", () => {
    const once = upsertSection(DEVELOPER_AWS_CONFIG, "profile claude-pilot", OURS);
    expect(upsertSection(once, "profile claude-pilot", OURS)).toBe(once);
  });

  it("replaces only the body of an existing section; the comment above the next section stays with it", () => {
    const replaced = upsertSection(DEVELOPER_AWS_CONFIG, "profile dev", "[profile dev]\nregion = us-west-2\n");
    expect(replaced).toContain("[profile dev]\nregion = us-west-2\n\n# vault-managed credentials for the legacy account\n[profile legacy]");
    expect(replaced).not.toContain("max_concurrent_requests");
    expect(sectionText(replaced, "sso-session acme")).toBe(sectionText(DEVELOPER_AWS_CONFIG, "sso-session acme"));
    expect(sectionText(replaced, "services local-dynamo")).toBe(sectionText(DEVELOPER_AWS_CONFIG, "services local-dynamo"));
  });

  it("removes what it added and gives back the original text", () => {
    const added = upsertSection(DEVELOPER_AWS_CONFIG, "profile claude-pilot", OURS);
    expect(removeSection(added, "profile claude-pilot")).toBe(DEVELOPER_AWS_CONFIG);
    const inMiddle = upsertSection(DEVELOPER_AWS_CONFIG.replace("[profile legacy]", `${OURS}\n[profile legacy]`), "x", "[x]\n");
    expect(removeSection(inMiddle, "profile claude-pilot")).toBe(upsertSection(DEVELOPER_AWS_CONFIG, "x", "[x]\n"));
  });

  it("keeps CRLF line endings of Windows files", () => {
    const crlf = DEVELOPER_AWS_CONFIG.replace(/\n/g, "\r\n");
    const next = upsertSection(crlf, "profile claude-pilot", OURS);
    expect(next).not.toMatch(/[^\r]\n/);
    expect(removeSection(next, "profile claude-pilot")).toBe(crlf);
  });

  it("handles an empty or missing file and a file without a final newline", () => {
    expect(upsertSection("", "profile p", "[profile p]\na = 1\n")).toBe("[profile p]\na = 1\n");
    expect(upsertSection("[default]\nregion = x", "profile p", "[profile p]\n")).toBe("[default]\nregion = x\n\n[profile p]\n");
  });

  it("matches headers with irregular spacing and does not confuse similar names", () => {
    const text = "[profile  claude-pilot ]\na = 1\n[profile claude-pilot-old]\nb = 2\n";
    expect(findSection(text, "profile claude-pilot")).toEqual({ start: 0, end: 2 });
    expect(sectionValues(text, "profile claude-pilot-old")).toEqual({ b: "2" });
  });

  it("names the default profile [default] and others [profile x]", () => {
    expect(profileHeader("default")).toBe("default");
    expect(profileHeader("claude")).toBe("profile claude");
  });

  it("single-quotes POSIX elements outside the safe set, double-quotes Windows elements with spaces", () => {
    expect(quoteArg("/usr/bin/node", "linux")).toBe("/usr/bin/node");
    expect(quoteArg("--stage", "darwin")).toBe("--stage");
    expect(quoteArg("/opt/claude bedrock/x.cjs", "linux")).toBe("'/opt/claude bedrock/x.cjs'");
    expect(quoteArg("/home/o'brien/x", "linux")).toBe("'/home/o'\\''brien/x'");
    expect(quoteArg('/a/$HOME/`id`/"q"', "darwin")).toBe("'/a/$HOME/`id`/\"q\"'");
    expect(quoteArg("", "linux")).toBe("''");
    expect(quoteArg("C:\\Program Files\\nodejs\\node.exe", "win32")).toBe('"C:\\Program Files\\nodejs\\node.exe"');
    expect(quoteArg("C:\\tools\\node.exe", "win32")).toBe("C:\\tools\\node.exe");
  });

  it("splitCommand undoes quoteArg (POSIX and Windows)", () => {
    const argv = ["/home/o'brien/it's $HOME `id` \"x\"/cb", "credential-process", "--stage", "pilot"];
    expect(splitCommand(argv.map((a) => quoteArg(a, "linux")).join(" "), "linux")).toEqual(argv);
    const win = ["C:\\Program Files\\nodejs\\node.exe", "C:\\x\\cb.cjs", "otel-headers"];
    expect(splitCommand(win.map((a) => quoteArg(a, "win32")).join(" "), "win32")).toEqual(win);
    expect(splitCommand('/usr/bin/node "/opt/claude bedrock/cb.cjs" x', "linux")).toEqual([
      "/usr/bin/node",
      "/opt/claude bedrock/cb.cjs",
      "x",
    ]);
  });

  // With and without whitespace: the old rule left the second one unquoted.
  const awkwardDirs = ["o'brien's $HOME `id` \"dir\"", "o'brien$HOME`id`"];

  it.skipIf(process.platform === "win32").each(awkwardDirs)(
    "a quoted line splits back into the intended argv with POSIX shlex (botocore): %s",
    (name) => {
      const awkward = [`/home/${name}/claude-bedrock`, "credential-process", "--stage", "pilot"];
      const line = awkward.map((a) => quoteArg(a, "linux")).join(" ");
      const r = spawnSync("python3", ["-c", "import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))", line], {
        encoding: "utf8",
      });
      if (r.error) return; // no python3 on this machine
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual(awkward);
    },
  );

  describe.skipIf(process.platform === "win32").each(awkwardDirs)(
    "real consumers run a credential_process whose path has ', $ and backticks: %s",
    (name) => {
      const dir = mkdtempSync(join(tmpdir(), "ccb-quote-"));
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      const helperDir = join(dir, name);
      mkdirSync(helperDir);
      const helper = join(helperDir, "claude-bedrock");
      writeFileSync(
        helper,
        `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > "$(dirname "$0")/argv.txt"\necho '{"Version":1,"AccessKeyId":"AKIDQUOTED","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-01T00:00:00Z"}'\n`,
        { mode: 0o755 },
      );
      const argv = [helper, "credential-process", "--stage", "pilot"];
      const config = join(dir, "config");
      writeFileSync(
        config,
        renderSection("profile quoted", [
          ["credential_process", argv.map((a) => quoteArg(a, "linux")).join(" ")],
          ["region", "us-east-1"],
        ]),
      );
      const env = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials") };
      const seen = () => readFileSync(join(helperDir, "argv.txt"), "utf8").split("\n").slice(0, -1);

      it.skipIf(!existsSync("/usr/bin/aws"))("the AWS CLI (botocore shlex)", () => {
        const r = spawnSync("/usr/bin/aws", ["configure", "export-credentials", "--profile", "quoted", "--format", "process"], {
          env,
          encoding: "utf8",
        });
        expect(r.status, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout).AccessKeyId).toBe("AKIDQUOTED");
        expect(seen()).toEqual(argv);
      });

      it("the AWS SDK for JavaScript (child_process.exec through /bin/sh)", async () => {
        const { fromProcess } = await import("@aws-sdk/credential-providers");
        const creds = await fromProcess({ profile: "quoted", filepath: join(dir, "credentials"), configFilepath: config })();
        expect(creds.accessKeyId).toBe("AKIDQUOTED");
        expect(seen()).toEqual(argv);
      });
    },
  );
});
