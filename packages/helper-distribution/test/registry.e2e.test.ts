/**
 * The developer's path end to end: build the pilot package, publish it to a real local registry
 * (verdaccio, offline), install it globally into a temporary prefix with npm as a developer would,
 * then run the installed `claude-bedrock` against a temporary home.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildManifest } from "../src/build";
import { publishRelease } from "../src/publish";
import { checkForUpdate, type UpdateCheckDeps } from "@ccb/credential-helper/update-check";
import { startVerdaccio, type Registry } from "./harness/verdaccio";
import { buildPilotRelease } from "./harness/release";
import { pilotSettings } from "./harness/stage";

const PACKAGE = "@example/claude-bedrock";

let root: string;
let registry: Registry;
let manifest: BuildManifest;
let release: string;
let devNpmrc: string;
let prefix: string;
let home: string;
let outsideBefore: Map<string, string>;
let publisherTokenForWhoami: string;

/** Every file under the paths a careless helper or npm could touch in the real home, with a content hash. */
function snapshotOutside(): Map<string, string> {
  const out = new Map<string, string>();
  const realHome = os.homedir();
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const f of fs.readdirSync(p)) walk(path.join(p, f));
    else out.set(p, st.isFile() ? createHash("sha256").update(fs.readFileSync(p)).digest("hex") : "link");
  };
  for (const p of [".aws", ".claude", ".claude-bedrock", ".npmrc"]) walk(path.join(realHome, p));
  return out;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const f of fs.readdirSync(p, { withFileTypes: true })) {
      const full = path.join(p, f.name);
      if (f.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** Runs the installed bin with nothing from this process's environment but a PATH to node and the prefix. */
function runInstalled(args: string[], extraEnv: Record<string, string> = {}) {
  const env = { PATH: `${path.join(prefix, "bin")}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, ...extraEnv };
  return spawnSync("claude-bedrock", args, { env, encoding: "utf8", timeout: 30_000, cwd: home });
}

function npm(args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...extraEnv,
      npm_config_cache: path.join(root, "npm-cache"),
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false",
    },
  });
}

beforeAll(async () => {
  outsideBefore = snapshotOutside();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ccb-registry-e2e-"));
  release = path.join(root, "release");
  manifest = await buildPilotRelease(root, release, { targets: ["npm"] });
  registry = await startVerdaccio(path.join(root, "verdaccio"));
  const host = registry.url.replace(/^http:/, "");
  const publisherNpmrc = path.join(root, "publisher.npmrc");
  // As actions/setup-node with registry-url writes it for a non-CodeArtifact registry (kind npm): the file
  // names NODE_AUTH_TOKEN and holds no secret; the token comes from a CI secret in the environment.
  fs.writeFileSync(publisherNpmrc, `${host}:_authToken=\${NODE_AUTH_TOKEN}\n`);
  const publisherToken = await registry.addUser("ci-publisher", "publisher-password-1");
  publisherTokenForWhoami = publisherToken;
  devNpmrc = path.join(root, "developer.npmrc");
  fs.writeFileSync(devNpmrc, `${host}:_authToken=${await registry.addUser("developer", "developer-password-1")}\n`);
  const log: string[] = [];
  publishRelease({
    dir: release,
    registry: registry.url,
    userconfig: publisherNpmrc,
    log: (l) => log.push(l),
    exec: (file, args) => void npm([...args], root, { NODE_AUTH_TOKEN: publisherToken }),
  });
  expect(fs.readFileSync(publisherNpmrc, "utf8")).not.toContain(publisherToken);
  prefix = path.join(root, "prefix");
  home = path.join(root, "home");
  fs.mkdirSync(home);
  npm(["install", "--global", "--prefix", prefix, "--registry", registry.url, "--userconfig", devNpmrc, PACKAGE], root);
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("publishing with a CI token (NODE_AUTH_TOKEN, as for a registry of kind npm)", () => {
  it("the token in the environment is what authenticates the publisher's .npmrc; a wrong one is refused", () => {
    const publisherNpmrc = path.join(root, "publisher.npmrc");
    expect(
      npm(["whoami", "--registry", registry.url, "--userconfig", publisherNpmrc], root, {
        NODE_AUTH_TOKEN: publisherTokenForWhoami,
      }).trim(),
    ).toBe("ci-publisher");
    expect(() =>
      npm(["whoami", "--registry", registry.url, "--userconfig", publisherNpmrc], root, { NODE_AUTH_TOKEN: "not-a-valid-token" }),
    ).toThrow();
  });
});

describe("published to the registry and installed with npm", () => {
  it("is in the registry with the bin, engines and no dependencies", async () => {
    const token = /_authToken=(.+)$/m.exec(fs.readFileSync(devNpmrc, "utf8"))![1]!;
    const res = await fetch(`${registry.url}@example%2fclaude-bedrock`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      "dist-tags": { latest: string };
      versions: Record<string, { bin?: unknown; engines?: unknown; dependencies?: unknown; dist: { shasum: string } }>;
    };
    expect(doc["dist-tags"].latest).toBe(manifest.version);
    const v = doc.versions[manifest.version];
    expect(v.bin).toEqual({ "claude-bedrock": "bin/claude-bedrock.cjs" });
    expect(v.engines).toEqual({ node: ">=20" });
    expect(v.dependencies ?? {}).toEqual({});
    // The registry stored exactly the tarball that was built.
    const tgz = fs.readFileSync(path.join(release, manifest.artifacts.find((a) => a.kind === "npm-package")!.file));
    expect(v.dist.shasum).toBe(createHash("sha1").update(tgz).digest("hex"));
  });

  it("refuses anonymous reads (authenticated registry, like CodeArtifact)", async () => {
    const res = await fetch(`${registry.url}@example%2fclaude-bedrock`);
    expect([401, 403]).toContain(res.status);
  });

  it("installs the bin into the prefix and runs --version", () => {
    expect(fs.lstatSync(path.join(prefix, "bin", "claude-bedrock")).isSymbolicLink()).toBe(true);
    const r = runInstalled(["--version"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`claude-bedrock ${manifest.version}`);
  });

  it("installs with the command a stage of registry.kind npm outputs (the scope mapped to the registry), split bundle and all", () => {
    // stacks/compose/distribution.ts: `npm install --global <package> --<scope>:registry=<url>`; nothing else
    // in the developer's npm config but their own token for the registry.
    const other = path.join(root, "prefix-scoped");
    npm(["install", "--global", "--prefix", other, `--@example:registry=${registry.url}`, "--userconfig", devNpmrc, PACKAGE], root);
    const bin = path.join(other, "lib", "node_modules", "@example", "claude-bedrock", "bin");
    expect(fs.readdirSync(bin).sort()).toEqual(["claude-bedrock.cjs", "claude-bedrock.main.cjs"]);
    const r = spawnSync(path.join(other, "bin", "claude-bedrock"), ["--version"], {
      env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stdout.trim()).toBe(`claude-bedrock ${manifest.version}`);
  });

  it("uses the settings compiled into the bundle (no settings file anywhere)", () => {
    // Prove the compiled-in constant is what is read: remove the copy shipped next to the bundle.
    fs.rmSync(path.join(prefix, "lib", "node_modules", "@example", "claude-bedrock", "stage-settings.json"));
    const r = runInstalled(["status", "--json"]);
    expect(r.status).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({
      stage: "pilot",
      organization: "Example Corp",
      profile: "ClaudeCode",
      region: "us-east-1",
      settingsSource: "bundled",
      signedIn: false,
    });
  });

  it("setup writes the profile and Claude Code settings into the temporary home, and only there", () => {
    const r = runInstalled(["setup"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Set up stage pilot: profile ClaudeCode in us-east-1.");

    const files = listFiles(home);
    expect(files).toContain(path.join(".aws", "config"));
    expect(files).toContain(path.join(".claude", "settings.json"));
    expect(files).toContain(path.join(".claude-bedrock", "stages", "pilot.json"));
    expect(files.every((f) => f.startsWith(".aws") || f.startsWith(".claude"))).toBe(true);

    const awsConfig = fs.readFileSync(path.join(home, ".aws", "config"), "utf8");
    expect(awsConfig).toMatch(/^\[profile ClaudeCode\]$/m);
    const cp = /^credential_process = (.+)$/m.exec(awsConfig)![1]!;
    expect(cp).toContain(path.join(prefix, "bin", "claude-bedrock"));
    expect(cp).toContain("credential-process");
    expect(awsConfig).toMatch(/^region = us-east-1$/m);

    const claude = JSON.parse(fs.readFileSync(path.join(home, ".claude", "settings.json"), "utf8"));
    expect(claude.env).toMatchObject({ CLAUDE_CODE_USE_BEDROCK: "1", AWS_PROFILE: "ClaudeCode", AWS_REGION: "us-east-1" });

    // The bundled settings were saved for the stage, unchanged.
    expect(JSON.parse(fs.readFileSync(path.join(home, ".claude-bedrock", "stages", "pilot.json"), "utf8"))).toEqual(pilotSettings());

    // Nothing outside the temporary home and prefix changed.
    expect(snapshotOutside()).toEqual(outsideBefore);
  });

  it("setup --undo and npm uninstall leave no profile and no bin", () => {
    const undo = runInstalled(["setup", "--undo"]);
    expect(undo.status, undo.stderr).toBe(0);
    // The home had no AWS config before setup: undo restores exactly that.
    expect(fs.existsSync(path.join(home, ".aws", "config"))).toBe(false);
    expect(fs.existsSync(path.join(home, ".claude", "settings.json"))).toBe(false);
    npm(["uninstall", "--global", "--prefix", prefix, PACKAGE], root);
    expect(fs.existsSync(path.join(prefix, "bin", "claude-bedrock"))).toBe(false);
    expect(snapshotOutside()).toEqual(outsideBefore);
  });
});

describe("update check against the registry", () => {
  const deps = (npmrc: string | undefined, stateDir: string): UpdateCheckDeps => ({
    env: npmrc ? { NPM_CONFIG_USERCONFIG: npmrc } : { NPM_CONFIG_USERCONFIG: path.join(stateDir, "none.npmrc") },
    homedir: stateDir,
    platform: process.platform,
    now: () => Date.parse("2026-11-26T12:00:00Z"),
    fs: fsp,
    fetch: (u, i) => fetch(u, i),
  });
  const opts = (currentVersion: string, stateDir: string) => ({
    registryUrl: registry.url,
    packageName: PACKAGE,
    currentVersion,
    stateFile: path.join(stateDir, "update-check.json"),
    mode: "doctor" as const,
  });

  it("says a newer version exists, with the npm command, using the token from the npm config", async () => {
    const dir = fs.mkdtempSync(path.join(root, "uc-"));
    const r = await checkForUpdate(deps(devNpmrc, dir), opts("0.0.1", dir));
    expect(r).toMatchObject({ status: "newer", latest: manifest.version, fix: `npm install --global ${PACKAGE}@${manifest.version}` });
  });

  it("says current when the installed version is the latest", async () => {
    const dir = fs.mkdtempSync(path.join(root, "uc-"));
    expect(await checkForUpdate(deps(devNpmrc, dir), opts(manifest.version, dir))).toEqual({
      status: "current",
      current: manifest.version,
      latest: manifest.version,
    });
  });

  it("explains an expired or missing registry token", async () => {
    const dir = fs.mkdtempSync(path.join(root, "uc-"));
    const r = await checkForUpdate(deps(undefined, dir), opts("0.0.1", dir));
    expect(r.status).toBe("unavailable");
    // Verdaccio stands for the organisation's own registry (kind npm): sign in there, not to CodeArtifact.
    expect(r).toMatchObject({ fix: expect.stringContaining(`npm login --registry ${registry.url}`) });
  });
});
