/**
 * install/install.sh, the GitHub Releases channel, run by the real `sh` against a local HTTP server
 * standing in for the release (CLAUDE_BEDROCK_BASE_URL): it installs into a temporary HOME only when
 * the download matches SHA256SUMS, then runs `setup`. The executable served is a small shell script
 * that records how it was called (building a real single executable is covered by executables.test.ts);
 * what is under test here is the download, the checksum gate and the install.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

const SCRIPT = path.resolve(__dirname, "..", "install", "install.sh");
const TARGET = `${process.platform === "darwin" ? "darwin" : "linux"}-${process.arch === "arm64" ? "arm64" : "x64"}`;
const ASSET = `claude-bedrock-prod-${TARGET}`;
const FAKE_HELPER = '#!/bin/sh\nprintf "%s\\n" "$*" > "$HOME/setup-ran"\necho "claude-bedrock: setup done"\n';

const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

let assets = new Map<string, string>();
let requests: string[] = [];
let server: http.Server;
let base: string;
let home: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = assets.get((req.url ?? "").replace(/^\/release\//, ""));
    if (body === undefined) {
      res.writeHead(404).end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/release`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "install-sh-"));
  requests = [];
  assets = new Map();
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

/** Runs install.sh asynchronously: the stand-in release is served by this process, so it must not block. */
function run(args: string[] = [], env: Record<string, string> = {}): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", [SCRIPT, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: home, CLAUDE_BEDROCK_BASE_URL: base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, out, err }));
  });
}

const installed = () => path.join(home, ".local", "bin", "claude-bedrock");

describe.skipIf(process.platform === "win32")("install.sh (GitHub Releases channel)", () => {
  it("a download matching SHA256SUMS is installed to ~/.local/bin and runs setup", async () => {
    assets.set(ASSET, FAKE_HELPER);
    assets.set("claude-bedrock-prod-win-x64.exe", "other");
    assets.set("SHA256SUMS", `${sha("other")}  claude-bedrock-prod-win-x64.exe\n${sha(FAKE_HELPER)}  ${ASSET}\n`);
    const r = await run();
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(fs.readFileSync(installed(), "utf8")).toBe(FAKE_HELPER);
    expect(fs.statSync(installed()).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(home, "setup-ran"), "utf8")).toBe("setup\n");
    expect(r.out).toContain(`Installed ${ASSET}`);
    expect(r.out).toContain("claude-bedrock: setup done");
    expect(requests.sort()).toEqual([`/release/${ASSET}`, "/release/SHA256SUMS"].sort());
    // the temporary download directory is gone
    expect(fs.readdirSync(home).filter((f) => f.startsWith("claude-bedrock-install"))).toEqual([]);
  });

  it("--stage, --dir and --no-setup are honoured", async () => {
    const asset = `claude-bedrock-pilot-${TARGET}`;
    assets.set(asset, FAKE_HELPER);
    assets.set("SHA256SUMS", `${sha(FAKE_HELPER)}  ${asset}\n`);
    const dir = path.join(home, "bin");
    const r = await run(["--stage", "pilot", "--dir", dir, "--no-setup"]);
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(dir, "claude-bedrock"))).toBe(true);
    expect(fs.existsSync(path.join(home, "setup-ran"))).toBe(false);
    expect(r.out).toContain(`Add ${dir} to your PATH`);
  });

  it("a download that does not match SHA256SUMS is refused and nothing is installed", async () => {
    assets.set(ASSET, FAKE_HELPER.replace("setup done", "tampered"));
    assets.set("SHA256SUMS", `${sha(FAKE_HELPER)}  ${ASSET}\n`);
    const r = await run();
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(
      new RegExp(`checksum mismatch for ${ASSET} \\(expected ${sha(FAKE_HELPER)}, got [0-9a-f]{64}\\): nothing installed`),
    );
    expect(fs.existsSync(path.join(home, ".local"))).toBe(false);
    expect(fs.existsSync(path.join(home, "setup-ran"))).toBe(false);
  });

  it("an asset SHA256SUMS does not list is refused", async () => {
    assets.set(ASSET, FAKE_HELPER);
    assets.set("SHA256SUMS", `${sha("other")}  claude-bedrock-prod-win-x64.exe\n`);
    const r = await run();
    expect(r.status).not.toBe(0);
    expect(r.err).toContain(`SHA256SUMS does not list ${ASSET}: refusing to install an unverified file`);
    expect(fs.existsSync(installed())).toBe(false);
  });

  it("an asset missing from the release gives a clear error naming it", async () => {
    assets.set("SHA256SUMS", `${sha(FAKE_HELPER)}  ${ASSET}\n`);
    const r = await run();
    expect(r.status).not.toBe(0);
    expect(r.err).toContain(`could not download ${ASSET} from ${base}/${ASSET} (is it attached to the release?)`);
    expect(fs.existsSync(installed())).toBe(false);
  });

  it("without a base URL it needs a repository for gh, and says so", async () => {
    const r = await run([], { CLAUDE_BEDROCK_BASE_URL: "" });
    expect(r.status).not.toBe(0);
    expect(r.err).toContain("no repository: pass --repo <owner/name>");
  });

  it("uses the developer's gh login with the repository and tag given", async () => {
    // A stand-in `gh` first on PATH: records its arguments and serves the files as gh would.
    const bin = path.join(home, "fakebin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "SHA256SUMS.src"), `${sha(FAKE_HELPER)}  ${ASSET}\n`);
    fs.writeFileSync(path.join(bin, `${ASSET}.src`), FAKE_HELPER);
    fs.writeFileSync(
      path.join(bin, "gh"),
      `#!/bin/sh\necho "$*" >> "${bin}/gh-calls"\nwhile [ $# -gt 0 ]; do case "$1" in --pattern) p="$2"; shift 2;; --dir) d="$2"; shift 2;; *) shift;; esac; done\ncp "${bin}/$p.src" "$d/$p"\n`,
      { mode: 0o755 },
    );
    const r = await run(["--repo", "example/claude-code-bedrock", "--tag", "helper-v1.2.3"], {
      CLAUDE_BEDROCK_BASE_URL: "",
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(bin, "gh-calls"), "utf8").trim().split("\n")).toEqual([
      expect.stringMatching(
        /^release download helper-v1\.2\.3 --repo example\/claude-code-bedrock --pattern SHA256SUMS --dir \S+ --clobber$/,
      ),
      expect.stringMatching(
        new RegExp(`^release download helper-v1\\.2\\.3 --repo example/claude-code-bedrock --pattern ${ASSET} --dir \\S+ --clobber$`),
      ),
    ]);
    expect(fs.existsSync(path.join(home, "setup-ran"))).toBe(true);
    expect(requests).toEqual([]);
  });
});
