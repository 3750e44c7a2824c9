/**
 * The check API contract, end to end against the helper's own client: the check handler behind a
 * local HTTP stand-in for API Gateway (which passes validated claims on, and answers 401 without a
 * token), called by `checkQuota` from packages/credential-helper with real `fetch`. Whatever the two
 * sides document, this is what they do together.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
// The helper's real client through its test entry point (runtime packages are never bundled into each other).
import { checkQuota } from "@ccb/credential-helper/quota";
import { freshQuotaStore, startLocalDynamo, type LocalDynamo } from "../testing/dynalite.js";
import { harness, ScriptedSource } from "../testing/fakes.js";
import { loadCheckConfig } from "../config.js";
import { memoryLogger } from "../log.js";
import { windowOf } from "../periods.js";
import { runAggregation } from "../aggregate/run.js";
import { QuotaStore } from "../store.js";
import { handleCheck } from "./handler.js";

const NOON = Date.UTC(2026, 10, 26, 12, 0, 0);
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";

let db: LocalDynamo;
let store: QuotaStore;
let server: Server;
let url: string;
let broken = false;

beforeAll(async () => {
  db = await startLocalDynamo();
  // API Gateway stand-in: the "token" is the claims as base64 JSON (the JWT authorizer's job is tested
  // by its configuration; here the contract after it is).
  server = createServer(async (req, res) => {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ")) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"message":"Unauthorized"}');
      return;
    }
    const claims = JSON.parse(Buffer.from(auth.slice(7), "base64url").toString());
    const s = broken ? new QuotaStore(db.client, "missing-limits", "missing-usage") : store;
    const r = await handleCheck(
      { requestContext: { authorizer: { jwt: { claims } }, http: { method: "GET" } } },
      {
        store: s,
        config: loadCheckConfig({ LIMITS_TABLE: s.limitsTable, USAGE_TABLE: s.usageTable }),
        log: memoryLogger(),
        now: () => NOON,
      },
    );
    res.writeHead(r.statusCode, r.headers).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/check`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.close();
});
beforeEach(async () => {
  broken = false;
  store = await freshQuotaStore(db, "contract");
  await store.putLimit({ scope: "default", id: "default", monthlyCostUsd: 1, monthlyMode: "block", dailyMode: "alert" });
});

const token = (claims: Record<string, unknown>) => Buffer.from(JSON.stringify(claims)).toString("base64url");
const warnings: string[] = [];
const deps = {
  fetch: globalThis.fetch,
  env: {},
  now: () => NOON,
  log: { debug: () => undefined, info: () => undefined, warn: (m: string) => void warnings.push(m) },
};
const settings = (failMode: "open" | "closed") => ({ checkUrl: url, failMode, timeoutMs: 3000 });
async function meter(email: string, output: number) {
  const h = harness(store, [new ScriptedSource("srv").set(windowOf(NOON - 10 * 60_000) - 1, { [email]: { [SONNET]: { output } } })]);
  await runAggregation(h.deps);
}

describe("check API ↔ credential helper", () => {
  it("within quota: credentials may be issued, the helper keeps the usage and prints the warning", async () => {
    await meter("alice@example.com", 60_000); // $0.90 of $1
    warnings.length = 0;
    const state = await checkQuota(deps, settings("closed"), token({ email: "alice@example.com" }));
    expect(state).toMatchObject({ allowed: true, outcome: "allowed", reason: "within_quota", usage: { monthlyCostUsd: 0.9 } });
    expect(warnings).toEqual(["usage: 90% of your monthly spend limit used"]);
  });

  it("over a blocking limit: the helper refuses with the service's message, whatever its fail mode", async () => {
    await meter("bob@example.com", 100_000);
    for (const mode of ["open", "closed"] as const) {
      await expect(checkQuota(deps, settings(mode), token({ email: "bob@example.com" }))).rejects.toMatchObject({
        code: "ERR_QUOTA_BLOCKED",
        message: expect.stringMatching(/monthly spend limit/),
      });
    }
  });

  it("quota service down (503): fail closed refuses, fail open continues", async () => {
    broken = true;
    await expect(checkQuota(deps, settings("closed"), token({ email: "alice@example.com" }))).rejects.toMatchObject({
      code: "ERR_QUOTA_UNAVAILABLE",
      message: expect.stringContaining("HTTP 503"),
    });
    expect(await checkQuota(deps, settings("open"), token({ email: "alice@example.com" }))).toMatchObject({
      allowed: true,
      outcome: "unavailable",
    });
  });

  it("a token without an email claim is refused in a blocking stage", async () => {
    await expect(checkQuota(deps, settings("open"), token({ sub: "00u1" }))).rejects.toMatchObject({
      code: "ERR_QUOTA_BLOCKED",
      message: expect.stringMatching(/no usable "email" claim/),
    });
  });
});
