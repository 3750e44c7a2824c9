/** Runs the built helper as a child process with a private HOME and a controlled environment. */
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export const BUNDLE = process.env.CCB_E2E_BUNDLE ?? "";
/** Node that runs the helper: the test runner's, or CCB_E2E_NODE (e.g. /usr/bin/node 20 for the oldest supported). */
export const HELPER_NODE = process.env.CCB_E2E_NODE || process.execPath;
export const DRIVER = join(import.meta.dirname, "..", "fixtures", "drive-browser.mjs");

const homes: string[] = [];

/** Removes the temporary homes this test file created (call from afterAll). */
export function removeTempHomes(): void {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
}

export function tempHome(label = "home"): string {
  const home = mkdtempSync(join(tmpdir(), `ccb-e2e-${label}-`));
  homes.push(home);
  mkdirSync(join(home, ".aws"), { recursive: true });
  return home;
}

/** The environment of a developer machine: nothing from the test runner leaks in. */
export function baseEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    LANG: "C.UTF-8",
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    CLAUDE_BEDROCK_ALLOW_INSECURE_LOOPBACK: "1",
    CLAUDE_BEDROCK_BROWSER_COMMAND: `"${process.execPath}" "${DRIVER}"`,
    E2E_BROWSER_LOG: join(home, "browser.log"),
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export function runHelper(args: string[], env: Record<string, string>, stdin?: string): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(HELPER_NODE, [BUNDLE, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(stdin ?? "");
  });
}

export function writeSettings(home: string, settings: unknown): string {
  const file = join(home, "stage-settings.json");
  writeFileSync(file, JSON.stringify(settings, null, 2));
  return file;
}

/** stderr lines that are the helper's own (oidc-provider and Node warnings excluded). */
export function helperLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("claude-bedrock:"));
}

export const cacheFile = (home: string, name: string, stage = "e2e") => join(home, ".claude-bedrock", "cache", stage, name);

export function seed(home: string, name: string, value: unknown, stage = "e2e"): void {
  mkdirSync(join(home, ".claude-bedrock", "cache", stage), { recursive: true, mode: 0o700 });
  writeFileSync(cacheFile(home, name, stage), typeof value === "string" ? value : JSON.stringify(value), { mode: 0o600 });
}

export function browserLog(home: string): string[] {
  try {
    return readFileSync(join(home, "browser.log"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("page "));
  } catch {
    return [];
  }
}

/** Waits (up to 10 s) until the browser driver has recorded `n` final pages: it finishes after the helper. */
export async function waitForPages(home: string, n: number): Promise<string[]> {
  for (let i = 0; i < 100 && browserPages(home).length < n; i++) await new Promise((r) => setTimeout(r, 100));
  return browserPages(home);
}

/** Titles of the pages the browser ended on (the helper's success or error page). */
export function browserPages(home: string): string[] {
  try {
    return readFileSync(join(home, "browser.log"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("page "))
      .map((l) => l.slice(5));
  } catch {
    return [];
  }
}

/** Runs `fn` with process.env replaced (for consumers that spawn credential_process from this process). */
export async function withProcessEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
