import { describe, expect, it } from "vitest";
import type { LocalDynamo } from "../testing/dynalite.js";
import { useQuotaTables } from "../testing/quota-tables.js";
import { harness, ScriptedSource } from "../testing/fakes.js";
import { QuotaStore } from "../store.js";
import { memoryLogger } from "../log.js";
import { loadCheckConfig } from "../config.js";
import { windowOf } from "../periods.js";
import { runAggregation } from "../aggregate/run.js";
import { callerOf, claimList, identityOf } from "./evaluate.js";
import { handleCheck, type CheckDeps } from "./handler.js";

const NOON = Date.UTC(2026, 10, 26, 12, 0, 0);
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const claims = { emailClaim: "email", groupsClaims: ["groups", "cognito:groups"], departmentClaim: "department" };

const jwtEvent = (c: Record<string, unknown>) => ({ requestContext: { authorizer: { jwt: { claims: c } }, http: { method: "GET" } } });

describe("identity from the request", () => {
  it("takes the email from validated JWT claims and lower-cases it", () => {
    expect(identityOf(callerOf(jwtEvent({ email: " Alice@Example.COM ", sub: "00u1" })), claims)).toEqual({
      email: "alice@example.com",
      groups: [],
    });
  });

  it("reads groups as API Gateway flattens them, as JSON, as CSV, plus the department", () => {
    expect(claimList("[dev ops]")).toEqual(["dev", "ops"]);
    expect(claimList('["dev","ops"]')).toEqual(["dev", "ops"]);
    expect(claimList("dev, ops")).toEqual(["dev", "ops"]);
    expect(claimList(["dev"])).toEqual(["dev"]);
    expect(
      identityOf(
        callerOf(jwtEvent({ email: "a@example.com", groups: "[ml interns]", "cognito:groups": "admins", department: "Research" })),
        claims,
      ),
    ).toEqual({
      email: "a@example.com",
      groups: ["admins", "department:Research", "interns", "ml"],
    });
  });

  it("has no identity without an email claim (the sub alone cannot be metered)", () => {
    expect(identityOf(callerOf(jwtEvent({ sub: "00u1" })), claims)).toBeUndefined();
    expect(identityOf(callerOf(jwtEvent({ email: "not-an-email" })), claims)).toBeUndefined();
    expect(identityOf(callerOf({}), claims)).toBeUndefined();
  });

  it("takes IAM callers from authorizer.iam.userArn (payload 2.0), using the role session name", () => {
    const ev = {
      requestContext: { authorizer: { iam: { userArn: "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Dev_abc/Bob@Example.com" } } },
    };
    expect(identityOf(callerOf(ev), claims)).toEqual({ email: "bob@example.com", groups: [] });
    expect(
      identityOf(
        callerOf({ requestContext: { authorizer: { iam: { userArn: "arn:aws:sts::111111111111:assumed-role/ci/build-42" } } } }),
        claims,
      ),
    ).toBeUndefined();
  });

  it("with an IdC role prefix, only sessions of that permission set name a user (other roles pick their own session names)", () => {
    const idc = { ...claims, iamRolePrefix: "AWSReservedSSO_ClaudeCode_" };
    const as = (role: string) =>
      callerOf({
        requestContext: { authorizer: { iam: { userArn: `arn:aws:sts::111111111111:assumed-role/${role}/alice@example.com` } } },
      });
    expect(identityOf(as("AWSReservedSSO_ClaudeCode_0123456789abcdef"), idc)).toEqual({ email: "alice@example.com", groups: [] });
    expect(identityOf(as("AWSReservedSSO_Admin_0123456789abcdef"), idc)).toBeUndefined();
    expect(identityOf(as("some-role"), idc)).toBeUndefined();
  });
});

describe("GET /check", () => {
  let db: LocalDynamo;
  let store: QuotaStore;
  useQuotaTables("check", (t) => ({ db, store } = t));

  const deps = (over: Partial<CheckDeps> = {}): CheckDeps => ({
    store,
    config: loadCheckConfig({ LIMITS_TABLE: store.limitsTable, USAGE_TABLE: store.usageTable, DEPARTMENT_CLAIM: "department" }),
    log: memoryLogger(),
    now: () => NOON,
    ...over,
  });
  const meter = async (usage: Record<string, number>, sources: Array<"tel" | "srv"> = ["srv"]) => {
    const srcs = sources.map((id) =>
      new ScriptedSource(id).set(
        windowOf(NOON - 10 * 60_000) - 1,
        Object.fromEntries(Object.entries(usage).map(([e, out]) => [e, { [SONNET]: { output: out } }])),
      ),
    );
    const h = harness(store, srcs);
    h.clock.now = NOON;
    return runAggregation(h.deps);
  };
  const body = (r: { body: string }) => JSON.parse(r.body);

  it("allows with reason no_limit when nothing applies", async () => {
    const r = await handleCheck(jwtEvent({ email: "alice@example.com" }), deps());
    expect(r.statusCode).toBe(200);
    expect(body(r)).toMatchObject({ allowed: true, reason: "no_limit", mode: "alert", alerts: [], policy: null });
  });

  it("blocks over a blocking limit with the reason, usage and a helper-readable alert", async () => {
    await store.putLimit({ scope: "default", id: "default", monthlyCostUsd: 1, monthlyMode: "block", dailyMode: "alert" });
    await meter({ "alice@example.com": 100_000 }); // $1.50
    const r = body(await handleCheck(jwtEvent({ email: "alice@example.com" }), deps()));
    expect(r).toMatchObject({
      allowed: false,
      mode: "block",
      reason: "monthly_cost_exceeded",
      policy: { scope: "default", ids: ["default"] },
    });
    expect(r.message).toContain("resets on the 1st of next month (UTC)");
    expect(r.alerts).toEqual([
      { limit: "monthlyCostUsd", period: "monthly", percent: 150, threshold: 100, message: "150% of your monthly spend limit used" },
    ]);
    expect(r.usage).toMatchObject({
      month: "2026-11",
      day: "2026-11-26",
      timeZone: "UTC",
      monthlyCostUsd: 1.5,
      limits: { monthlyCostUsd: 1 },
    });
  });

  it("in an alert-only stage a user or group record with mode block never refuses", async () => {
    await store.putLimit({ scope: "user", id: "alice@example.com", monthlyCostUsd: 1, monthlyMode: "block", dailyMode: "block" });
    await store.putLimit({ scope: "group", id: "interns", monthlyCostUsd: 1, monthlyMode: "block", dailyMode: "block" });
    await meter({ "alice@example.com": 100_000, "bob@example.com": 100_000 }); // $1.50 each
    const alertStage = deps({
      config: loadCheckConfig({ LIMITS_TABLE: store.limitsTable, USAGE_TABLE: store.usageTable, QUOTA_MODE: "alert" }),
    });
    expect(body(await handleCheck(jwtEvent({ email: "alice@example.com" }), alertStage))).toMatchObject({
      allowed: true,
      mode: "alert",
      reason: "over_limit_alert_only",
    });
    expect(body(await handleCheck(jwtEvent({ email: "bob@example.com", groups: ["interns"] }), alertStage))).toMatchObject({
      allowed: true,
      mode: "alert",
      reason: "over_limit_alert_only",
    });
    // The same records refuse in a blocking stage.
    expect(body(await handleCheck(jwtEvent({ email: "alice@example.com" }), deps()))).toMatchObject({
      allowed: false,
      reason: "monthly_cost_exceeded",
    });
  });

  it("allows over an alert-only limit and says so", async () => {
    await store.putLimit({ scope: "default", id: "default", dailyTokens: 1000, monthlyMode: "alert", dailyMode: "alert" });
    await meter({ "alice@example.com": 5000 });
    expect(body(await handleCheck(jwtEvent({ email: "alice@example.com" }), deps()))).toMatchObject({
      allowed: true,
      mode: "alert",
      reason: "over_limit_alert_only",
    });
  });

  it("warns below the limit from 80 %", async () => {
    await store.putLimit({ scope: "default", id: "default", monthlyTokens: 10_000, monthlyMode: "block", dailyMode: "block" });
    await meter({ "alice@example.com": 8_200 });
    const r = body(await handleCheck(jwtEvent({ email: "alice@example.com" }), deps()));
    expect(r).toMatchObject({ allowed: true, reason: "within_quota", mode: "block" });
    expect(r.alerts.map((a: { threshold: number }) => a.threshold)).toEqual([80]);
  });

  it("enforces on the higher of the two records", async () => {
    await store.putLimit({ scope: "default", id: "default", monthlyTokens: 10_000, monthlyMode: "block", dailyMode: "alert" });
    const w = windowOf(NOON - 10 * 60_000) - 1;
    const h = harness(store, [
      new ScriptedSource("tel").set(w, { "m@example.com": { [SONNET]: { output: 10 } } }),
      new ScriptedSource("srv").set(w, { "m@example.com": { [SONNET]: { output: 12_000 } } }),
    ]);
    await runAggregation(h.deps);
    const r = body(await handleCheck(jwtEvent({ email: "m@example.com" }), deps()));
    expect(r).toMatchObject({ allowed: false, reason: "monthly_tokens_exceeded" });
    expect(r.usage.records).toEqual({
      telemetry: { monthly: { tokens: 10, costUsd: 0.00015 }, daily: { tokens: 10, costUsd: 0.00015 } },
      invocationLogs: { monthly: { tokens: 12_000, costUsd: 0.18 }, daily: { tokens: 12_000, costUsd: 0.18 } },
    });
  });

  it("uses group limits from the claims and remembers the groups for the aggregation", async () => {
    await store.putLimit({ scope: "default", id: "default", monthlyTokens: 1_000_000, monthlyMode: "block", dailyMode: "alert" });
    await store.putLimit({ scope: "group", id: "interns", monthlyTokens: 1000, monthlyMode: "block", dailyMode: "alert" });
    await meter({ "ivy@example.com": 2000 });
    const r = body(await handleCheck(jwtEvent({ email: "ivy@example.com", groups: "[interns]" }), deps()));
    expect(r).toMatchObject({ allowed: false, policy: { scope: "group", ids: ["interns"] } });
    expect(await store.groupsOf(["ivy@example.com"])).toEqual(new Map([["ivy@example.com", ["interns"]]]));
    // The next aggregation now applies the group limit server-side too.
    expect((await meter({})).blocked).toEqual(["ivy@example.com"]);
  });

  it("honours a temporary unblock until it expires", async () => {
    await store.putLimit({ scope: "default", id: "default", dailyTokens: 100, monthlyMode: "alert", dailyMode: "block" });
    await meter({ "alice@example.com": 500 });
    await store.putUnblock({
      email: "alice@example.com",
      until: new Date(NOON + 60_000).toISOString(),
      by: "root@example.com",
      reason: "demo",
      at: new Date(NOON).toISOString(),
    });
    expect(body(await handleCheck(jwtEvent({ email: "alice@example.com" }), deps()))).toMatchObject({
      allowed: true,
      reason: "unblocked",
      unblockedUntil: new Date(NOON + 60_000).toISOString(),
    });
    const later = body(await handleCheck(jwtEvent({ email: "alice@example.com" }), deps({ now: () => NOON + 120_000 })));
    expect(later).toMatchObject({ allowed: false, reason: "daily_tokens_exceeded" });
    expect(later.message).toContain("00:00 UTC");
  });

  it("refuses a token without an email claim (or allows it when configured), never guessing", async () => {
    expect(body(await handleCheck(jwtEvent({ sub: "x" }), deps()))).toMatchObject({ allowed: false, reason: "missing_identity" });
    const allow = deps({ config: { ...deps().config, missingIdentity: "allow" } });
    expect(body(await handleCheck(jwtEvent({ sub: "x" }), allow))).toMatchObject({ allowed: true, reason: "missing_identity" });
  });

  it("answers 503 when the state cannot be read, so the helper applies its fail mode", async () => {
    const broken = new QuotaStore(db.client, "no-such-limits", "no-such-usage");
    const log = memoryLogger();
    const r = await handleCheck(jwtEvent({ email: "alice@example.com" }), deps({ store: broken, log }));
    expect(r.statusCode).toBe(503);
    expect(body(r)).toEqual({ error: "quota_unavailable", message: expect.any(String) });
    expect(log.lines.at(-1)).toMatchObject({ level: "error", user: "alice@example.com" });
  });

  it("never logs the bearer token", async () => {
    const log = memoryLogger();
    await handleCheck(
      { ...jwtEvent({ email: "alice@example.com" }), headers: { authorization: "Bearer eyJsecret" } } as never,
      deps({ log }),
    );
    expect(JSON.stringify(log.lines)).not.toContain("eyJsecret");
  });
});
