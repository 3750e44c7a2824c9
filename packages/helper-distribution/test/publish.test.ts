import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildManifest } from "../src/build";
import { loginCommand, npmrcLines, parseCodeArtifactUrl, tokenCommand } from "../src/codeartifact";
import { publishRelease } from "../src/publish";
import { runCli } from "../src/cli";
import { buildPilotRelease } from "./harness/release";
import { PILOT_REGISTRY } from "./harness/stage";

let root: string;
let dir: string;
let manifest: BuildManifest;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ccb-publish-"));
  dir = path.join(root, "release");
  // A release with the npm package only; the executables' entries are added to exercise the generic upload plan.
  manifest = await buildPilotRelease(root, dir, { targets: ["npm"] });
}, 60_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("CodeArtifact commands", () => {
  const e = parseCodeArtifactUrl(PILOT_REGISTRY)!;
  it("parses the endpoint", () =>
    expect(e).toEqual({ domain: "ccb-pilot", owner: "111111111111", region: "us-east-1", repository: "claude-code", url: PILOT_REGISTRY }));
  it("does not take other registries for CodeArtifact", () => {
    expect(parseCodeArtifactUrl("https://registry.npmjs.org/")).toBeUndefined();
    expect(parseCodeArtifactUrl("http://ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/")).toBeUndefined();
  });
  it("logs in for the scope only, for the maximum 12 hours", () => {
    expect(loginCommand(e, "example")).toBe(
      "aws codeartifact login --tool npm --domain ccb-pilot --domain-owner 111111111111 --repository claude-code --namespace @example --region us-east-1 --duration-seconds 43200",
    );
    expect(tokenCommand(e)).toContain(
      "get-authorization-token --domain ccb-pilot --domain-owner 111111111111 --region us-east-1 --duration-seconds 43200",
    );
    expect(npmrcLines(PILOT_REGISTRY, "example")).toEqual([
      `@example:registry=${PILOT_REGISTRY}`,
      "//ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/:_authToken=${CODEARTIFACT_AUTH_TOKEN}",
    ]);
  });
});

describe("publishRelease", () => {
  it("publishes the tarball to the stage's registry after checking the checksums", () => {
    const ran: string[][] = [];
    publishRelease({ dir, log: () => undefined, exec: (f, a) => void ran.push([f, ...a]) });
    expect(ran).toEqual([
      [
        "aws",
        "codeartifact",
        "put-package-origin-configuration",
        "--domain",
        "ccb-pilot",
        "--domain-owner",
        "111111111111",
        "--repository",
        "claude-code",
        "--region",
        "us-east-1",
        "--format",
        "npm",
        "--namespace",
        "example",
        "--package",
        "claude-bedrock",
        "--restrictions",
        "publish=ALLOW,upstream=BLOCK",
      ],
      ["npm", "publish", path.join(dir, `example-claude-bedrock-${manifest.version}.tgz`), "--registry", PILOT_REGISTRY, "--tag", "latest"],
    ]);
  });

  it("plans the executables as one generic package version, published after its last asset", () => {
    const ran: string[][] = [];
    const plan = publishRelease({ dir, executables: true, dryRun: true, log: () => undefined, exec: (f, a) => void ran.push([f, ...a]) });
    expect(plan.commands.filter((c) => c[2] === "put-package-origin-configuration").map((c) => c[c.indexOf("--package") + 1])).toEqual([
      "claude-bedrock",
      "claude-bedrock-executables",
    ]);
    const aws = plan.commands.filter((c) => c[2] === "publish-package-version");
    expect(aws.map((c) => c[c.indexOf("--asset-name") + 1])).toEqual(["stage-settings.json", "SHA256SUMS"]);
    expect(aws[0]).toEqual(
      expect.arrayContaining([
        "--format",
        "generic",
        "--namespace",
        "example",
        "--package",
        "claude-bedrock-executables",
        "--package-version",
        manifest.version,
        "--unfinished",
      ]),
    );
    expect(aws.at(-1)).not.toContain("--unfinished");
    for (const c of aws) expect(c[c.indexOf("--asset-sha256") + 1]).toMatch(/^[0-9a-f]{64}$/);
    // dry run: npm gets --dry-run, aws is not run at all
    expect(ran).toEqual([expect.arrayContaining(["npm", "publish", "--dry-run"])]);
  });

  it("refuses a release whose files do not match SHA256SUMS", () => {
    const copy = path.join(root, "tampered");
    fs.cpSync(dir, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, "stage-settings.json"), " ");
    expect(() => publishRelease({ dir: copy, log: () => undefined, exec: () => undefined })).toThrow(/stage-settings.json has SHA-256/);
  });

  it("refuses the committed example stage", async () => {
    const ex = path.join(root, "example");
    expect(await runCli(["build", "--targets", "npm", "--out", ex], {})).toBe(0);
    expect(() => publishRelease({ dir: ex, log: () => undefined, exec: () => undefined })).toThrow(/example stage/);
  });
});

describe("cli", () => {
  it("verifies a release directory", async () => {
    expect(await runCli(["verify", "--dir", dir], {})).toBe(0);
  });
  it("names a bad target", async () => {
    await expect(runCli(["build", "--stage", "pilot", "--outputs", "x.json", "--targets", "npm,solaris"], {})).rejects.toThrow(
      /unknown target "solaris"/,
    );
  });
  it("needs both --stage and --outputs", async () => {
    await expect(runCli(["build", "--stage", "pilot"], {})).rejects.toThrow(/needs both --stage and --outputs/);
  });
});

describe("origin controls", () => {
  it("warn instead of failing the release when the role may not set them", () => {
    const ran: string[][] = [];
    const log: string[] = [];
    publishRelease({
      dir,
      log: (l) => log.push(l),
      exec: (f, a) => {
        if (a[1] === "put-package-origin-configuration") throw new Error("AccessDeniedException: not authorized");
        ran.push([f, ...a]);
      },
    });
    expect(ran.map((c) => c.slice(0, 2))).toEqual([["npm", "publish"]]);
    expect(log.join("\n")).toMatch(/warning: could not pin the origin controls of claude-bedrock .*PutPackageOriginConfiguration/);
  });
});
