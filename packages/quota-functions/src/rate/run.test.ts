import { gzipSync } from "node:zlib";
import { parseQuotaCheckAnswer } from "@ccb/contracts";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.js";
import type { InvocationRecord } from "../sources/invocation-logs.js";
import type { QuotaStore } from "../store.js";
import { useQuotaTables } from "../testing/quota-tables.js";
import { withRateLimit } from "../check/handler.js";
import type { CheckResponse } from "../check/evaluate.js";
import { cooldownOf } from "./counters.js";
import { recordsOf } from "./handler.js";
import { resolveRateLimit, runRateBatch, type RateDeps } from "./run.js";

const ROLE = "ccb-prod-bedrock-users";
const T0 = Date.UTC(2026, 10, 26, 12, 0, 5);
let store: QuotaStore;
useQuotaTables("rate", (t) => ({ store } = t));

const call = (email: string, at: number, tokens: number): InvocationRecord => ({
  timestamp: new Date(at).toISOString(),
  identity: { arn: `arn:aws:sts::111111111111:assumed-role/${ROLE}/${email}` },
  modelId: "anthropic.claude-sonnet-4-5-20250929-v1:0",
  input: { inputTokenCount: tokens },
  output: { outputTokenCount: 0 },
});

function deps(clock: { now: number }, mode: "alert" | "block" = "block") {
  const alerts: string[] = [];
  const denies: string[][] = [];
  const d: RateDeps = {
    doc: store.doc,
    usageTable: store.usageTable,
    defaults: { tokensPerMinute: 10_000, requestsPerMinute: 20, cooldownMinutes: 10 },
    roleName: ROLE,
    mode,
    limitsOf: (email) => store.limitsFor(email, []),
    groupsOf: async () => [],
    notify: async (subject) => void alerts.push(subject),
    applyDenies: async (emails) => void denies.push([...emails]),
    now: () => clock.now,
    log: memoryLogger(),
  };
  return { d, alerts, denies };
}

describe("per-developer rate limits", () => {
  it("a burst past the limit is denied within one batch, alerted once per cool-down, and released after it", async () => {
    const clock = { now: T0 + 30_000 };
    const { d, alerts, denies } = deps(clock);
    // 25 calls of 1 000 tokens in one minute: past both the 10 000 tokens and the 20 calls per minute.
    const burst = Array.from({ length: 25 }, (_, i) => call("runaway@example.com", T0 + i * 1000, 1000));
    const calm = [call("calm@example.com", T0, 500)];
    const first = await runRateBatch(d, [...burst, ...calm]);
    expect(first.started).toEqual(["runaway@example.com"]);
    expect(denies.at(-1)).toEqual(["runaway@example.com"]);
    expect(await cooldownOf(store.doc, store.usageTable, "runaway@example.com", clock.now)).toBe(clock.now + 600_000);

    // More of the same burst (and a redelivery) during the cool-down: still denied, no second alert.
    clock.now += 60_000;
    await runRateBatch(
      d,
      burst.map((r) => ({ ...r, timestamp: new Date(Date.parse(r.timestamp!) + 60_000).toISOString() })),
    );
    expect(alerts).toEqual(["Claude Code rate limit: runaway@example.com"]);
    expect(denies.at(-1)).toEqual(["runaway@example.com"]);

    // A sweep (no events) before the end keeps the deny; after it, the deny lifts.
    clock.now = T0 + 30_000 + 600_000 - 1;
    expect((await runRateBatch(d, [])).denied).toEqual(["runaway@example.com"]);
    clock.now = T0 + 30_000 + 600_000;
    expect((await runRateBatch(d, [])).denied).toEqual([]);
    expect(denies.at(-1)).toEqual([]);
    expect(await cooldownOf(store.doc, store.usageTable, "runaway@example.com", clock.now)).toBeUndefined();
  });

  it("usage under the limit, other roles and sessions that are not emails never start a cool-down", async () => {
    const clock = { now: T0 };
    const { d, alerts } = deps(clock);
    const other = {
      ...call("x@example.com", T0, 50_000),
      identity: { arn: "arn:aws:sts::111111111111:assumed-role/other-role/x@example.com" },
    };
    const renamed = call("not-an-email", T0, 50_000);
    const r = await runRateBatch(d, [call("ok@example.com", T0, 9_000), other, renamed]);
    expect(r.started).toEqual([]);
    expect(alerts).toEqual([]);
  });

  it("an alert stage records and alerts the cool-down but denies nobody", async () => {
    const clock = { now: T0 };
    const { d, alerts, denies } = deps(clock, "alert");
    await runRateBatch(d, [call("runaway@example.com", T0, 20_000)]);
    expect(alerts).toHaveLength(1);
    expect(denies.at(-1)).toEqual([]);
  });

  it("limits resolve user record first, then the most generous group, then the stage default", () => {
    const rec = (scope: "user" | "group", id: string, tpm?: number) => ({
      scope,
      id,
      monthlyMode: "alert" as const,
      dailyMode: "alert" as const,
      ...(tpm ? { tokensPerMinute: tpm } : {}),
    });
    const limits = {
      user: new Map([["a@example.com", rec("user", "a@example.com", 5)]]),
      group: new Map([
        ["g1", rec("group", "g1", 50)],
        ["g2", rec("group", "g2", 70)],
      ]),
    };
    const defaults = { tokensPerMinute: 100, requestsPerMinute: 10, cooldownMinutes: 10 };
    expect(resolveRateLimit("a@example.com", ["g1"], limits, defaults)).toEqual({ tokensPerMinute: 5, requestsPerMinute: 10 });
    expect(resolveRateLimit("b@example.com", ["g1", "g2"], limits, defaults)).toEqual({ tokensPerMinute: 70, requestsPerMinute: 10 });
    expect(resolveRateLimit("c@example.com", [], limits, defaults)).toEqual({ tokensPerMinute: 100, requestsPerMinute: 10 });
  });

  it("the check API answers rate_limited with the end of the cool-down (block stages only), and the helper's parser keeps it", async () => {
    const clock = { now: T0 };
    const { d } = deps(clock);
    await runRateBatch(d, [call("runaway@example.com", T0, 20_000)]);
    const state = await store.userState("runaway@example.com", "M#2026-11", "D#2026-11-26");
    expect(state.rateLimitedUntil).toBe(T0 + 600_000);
    const allowed = {
      allowed: true,
      mode: "block",
      reason: "within_limits",
      message: "",
      alerts: [],
      usage: {},
      policy: null,
    } as unknown as CheckResponse;
    const res = withRateLimit(allowed, state.rateLimitedUntil, "block", clock.now);
    expect(res).toMatchObject({ allowed: false, reason: "rate_limited", rateLimitedUntil: new Date(T0 + 600_000).toISOString() });
    expect(parseQuotaCheckAnswer(JSON.parse(JSON.stringify(res)))?.rateLimitedUntil).toBe(new Date(T0 + 600_000).toISOString());
    expect(withRateLimit(allowed, state.rateLimitedUntil, "alert", clock.now)).toBe(allowed);
    expect(withRateLimit(allowed, state.rateLimitedUntil, "block", T0 + 600_000)).toBe(allowed);
  });

  it("reads invocation-log records from a Logs subscription batch and ignores control messages", () => {
    const enc = (o: unknown) => ({ awslogs: { data: gzipSync(Buffer.from(JSON.stringify(o))).toString("base64") } });
    const rec = call("a@example.com", T0, 10);
    expect(recordsOf(enc({ messageType: "DATA_MESSAGE", logEvents: [{ message: JSON.stringify(rec) }, { message: "not json" }] }))).toEqual(
      [rec],
    );
    expect(recordsOf(enc({ messageType: "CONTROL_MESSAGE", logEvents: [{ message: "CWL CONTROL MESSAGE" }] }))).toEqual([]);
    expect(recordsOf({})).toEqual([]);
  });
});
