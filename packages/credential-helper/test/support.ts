/** Test doubles for `Deps`: a frozen clock, a temp HOME on the real file system, captured output. */
import * as fsp from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { afterAll } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deps, FetchLike, Fs } from "../src/io.js";
import { makeLogger } from "../src/real-deps.js";

/** 2026-11-26T12:00:00Z, frozen unless a test advances it. */
export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

const homes: string[] = [];
// Every test file that uses these doubles cleans up the temporary homes it made.
afterAll(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

export interface TestDeps extends Deps {
  readonly out: string[];
  readonly err: string[];
  advance(ms: number): void;
}

export function testDeps(overrides: Partial<Deps> & { debug?: boolean } = {}): TestDeps {
  let now = T0;
  const out: string[] = [];
  const err: string[] = [];
  const home = overrides.homedir ?? mkdtempSync(join(tmpdir(), "ccb-unit-"));
  if (overrides.homedir === undefined) homes.push(home);
  const stderr = (t: string) => void err.push(t);
  const noFetch: FetchLike = async (input) => {
    throw new Error(`unexpected fetch ${String(input)}`);
  };
  const d = {
    env: {},
    platform: "linux" as NodeJS.Platform,
    homedir: home,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    fs: fsp as unknown as Fs,
    fetch: noFetch,
    openBrowser: async () => {
      throw new Error("no browser in unit tests");
    },
    stdout: (t: string) => void out.push(t),
    stderr,
    pid: process.pid,
    uid: process.getuid?.(),
    hostname: "unit-host",
    isProcessAlive: () => true,
    selfCommand: ["/usr/local/bin/node", "/opt/claude bedrock/claude-bedrock.cjs"],
    version: "1.2.3",
    log: makeLogger(stderr, overrides.debug ?? false),
    ...overrides,
    out,
    err,
    advance(ms: number) {
      now += ms;
    },
  };
  return d as TestDeps;
}

/** An fs whose writes fail with `code` (read-only home and friends). */
export function failingWrites(code: string): Fs {
  const fail = async () => {
    throw Object.assign(new Error(`${code}: simulated`), { code });
  };
  return { ...(fsp as unknown as Fs), writeFile: fail, mkdir: fail, rename: fail };
}

export const stageSettings = (overrides: Record<string, unknown> = {}) => ({
  schemaVersion: 1 as const,
  stage: "pilot",
  organization: "Example Corp",
  awsProfile: "claude-pilot",
  region: "us-east-1",
  identityProvider: {
    issuer: "https://idp.example.com/oauth2/default",
    clientId: "client-123",
    scopes: ["openid", "email", "offline_access"],
    redirectPort: 8400,
    redirectPath: "/callback",
    emailClaim: "email",
    attributeClaims: { department: "department", team: "team", costCenter: "cost_center" },
  },
  federation: { mode: "direct" as const, roleArn: "arn:aws:iam::111111111111:role/claude-users", sessionDurationSeconds: 43200 },
  models: { primary: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", fast: "us.anthropic.claude-haiku-4-5-20251001-v1:0" },
  teams: [
    {
      name: "platform",
      models: {
        primary: "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc123",
        fast: "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/def456",
      },
    },
  ],
  telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf" as const },
  ...overrides,
});
