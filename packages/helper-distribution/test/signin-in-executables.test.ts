/**
 * The helper keeps its heavy libraries (openid-client, jose, the AWS SDK) packed inside the bundle and
 * unpacks them on first use (packages/credential-helper/src/lazy.ts), reading them back from the bundle
 * or, in a single executable, from the executable itself. This checks that the executables really carry
 * them: a sign-in against a local identity provider must get as far as printing the authorization URL.
 * The bun build runs for linux-x64 here as the stand-in for the macOS builds (same bun pipeline).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinBundle } from "../src/bundle-parts";
import { bunBinary, bunCompile, executableFileName } from "../src/executables";
import { readTar } from "../src/tar";
import { buildPilotRelease } from "./harness/release";
import { pilotSettings } from "./harness/stage";
import { freePort } from "@ccb/test-support";

let root: string;
let server: http.Server;
let issuer: string;
let seaExe: string;
let bunExe: string;
/** A free loopback port for the redirect: 8400 may be held by another sign-in on this machine. */
let redirectPort: number;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ccb-signin-"));
  server = http.createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings = pilotSettings();
  redirectPort = await freePort();
  Object.assign(settings.identityProvider as Record<string, unknown>, { issuer, redirectPort });
  const out = path.join(root, "release");
  const m = await buildPilotRelease(root, out, { targets: ["npm", "linux-x64"], allowLoopbackHttp: true, settings });
  seaExe = path.join(out, executableFileName(m.version, "linux-x64"));
  const tar = readTar(fs.readFileSync(path.join(out, m.artifacts.find((a) => a.kind === "npm-package")!.file)));
  const part = (p: string) => tar.find((e) => e.path === p)!.data;
  // The package ships the bundle split; bun compiles the one self-contained file.
  const bundle = joinBundle({ entry: part("package/bin/claude-bedrock.cjs"), main: part("package/bin/claude-bedrock.main.cjs") });
  const bundleFile = path.join(root, "bun", "claude-bedrock.cjs");
  fs.mkdirSync(path.dirname(bundleFile));
  fs.writeFileSync(bundleFile, bundle);
  bunExe = path.join(root, "claude-bedrock-bun-linux-x64");
  bunCompile(bunBinary(), bundleFile, "bun-linux-x64", bunExe, false);
  // Nothing on disk may stand in for what the executable must carry.
  fs.rmSync(path.dirname(bundleFile), { recursive: true });
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** Runs `login --no-browser` until the authorization URL appears on stderr, then stops the process by its pid. */
function signInUrl(exe: string): Promise<string> {
  const home = fs.mkdtempSync(path.join(root, "home-"));
  const child = spawn(exe, ["login", "--no-browser"], {
    env: { HOME: home, PATH: "", CLAUDE_BEDROCK_ALLOW_INSECURE_LOOPBACK: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no sign-in URL from ${path.basename(exe)}: ${err}`));
    }, 20_000);
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        // Resolve once the process is gone, so the next run finds the redirect port free.
        child.once("exit", () => resolve(m[1]!));
        child.kill("SIGTERM");
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (!/authorize\?/.test(err)) reject(new Error(`${path.basename(exe)} exited ${code}: ${err}`));
    });
  });
}

describe("sign-in inside the single-file executables", () => {
  it.each([
    ["Node SEA (linux-x64)", () => seaExe],
    ["bun --compile (stand-in for macOS)", () => bunExe],
  ])("%s unpacks openid-client and starts a PKCE sign-in", async (_name, exe) => {
    const url = new URL(await signInUrl(exe()));
    expect(url.origin).toBe(issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("client_id")).toBe("0oa1pilotclientid");
    expect(url.searchParams.get("redirect_uri")).toBe(`http://127.0.0.1:${redirectPort}/callback`);
    expect(url.searchParams.get("state")).toBeTruthy();
    expect(url.searchParams.get("nonce")).toBeTruthy();
  });
});
