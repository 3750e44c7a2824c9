// Runs a built single executable the way a developer's laptop does, in a temporary HOME:
// `--version`, then `credential-process` answered from a warm cache (no network: the cached STS
// credentials are valid for an hour, so the helper must print them and exit 0).
//   node smoke-executable.mjs <executable> <stage>
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [exe, stage] = process.argv.slice(2);
if (!exe || !stage) {
  console.error("usage: node smoke-executable.mjs <executable> <stage>");
  process.exit(2);
}
const home = mkdtempSync(join(tmpdir(), "ccb-smoke-"));
try {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    LOCALAPPDATA: join(home, "AppData", "Local"),
    CLAUDE_BEDROCK_KEYCHAIN: "off",
    CLAUDE_BEDROCK_NO_UPDATE_CHECK: "1",
  };
  const version = execFileSync(exe, ["--version"], { env, encoding: "utf8", timeout: 60_000 }).trim();
  console.log(`--version: ${version}`);
  if (!/\d+\.\d+\.\d+/.test(version)) throw new Error(`--version printed no version: ${JSON.stringify(version)}`);

  const creds = {
    Version: 1,
    AccessKeyId: "ASIASMOKETEST0000001",
    SecretAccessKey: "smoke-secret",
    SessionToken: "smoke-session",
    Expiration: new Date(Date.now() + 3_600_000).toISOString(),
  };
  const cache = join(home, ".claude-bedrock", "cache", stage);
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  writeFileSync(join(cache, "credentials.json"), JSON.stringify(creds), { mode: 0o600 });
  const out = execFileSync(exe, ["credential-process"], { env, encoding: "utf8", timeout: 60_000 });
  const got = JSON.parse(out);
  if (got.Version !== 1 || got.AccessKeyId !== creds.AccessKeyId || got.Expiration !== creds.Expiration)
    throw new Error(`credential-process did not answer from the warm cache: ${out}`);
  console.log("credential-process: answered from the warm cache");
} finally {
  rmSync(home, { recursive: true, force: true });
}
