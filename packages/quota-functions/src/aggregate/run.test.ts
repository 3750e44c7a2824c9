import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import type { LocalDynamo } from "../testing/dynalite.js";
import { useQuotaTables } from "../testing/quota-tables.js";
import { harness, ScriptedSource } from "../testing/fakes.js";
import { QuotaStore } from "../store.js";
import { windowOf, WINDOW_MS } from "../periods.js";
import { LeaseBusyError, runAggregation } from "./run.js";
import type { LimitRecord } from "../limits.js";
import { sendAlerts } from "./alert.js";
import { evaluateUsers } from "./evaluate.js";
import { MonthRecords } from "./month-records.js";
import { bucketsOf } from "./shard.js";

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const SONNET_PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOON = Date.UTC(2026, 10, 26, 12, 0, 0);
/** The newest window a run at `now` may read with a 10-minute settle delay. */
const settled = (now: number) => windowOf(now - 10 * 60_000) - 1;

let db: LocalDynamo;
let store: QuotaStore;
useQuotaTables("run", (t) => ({ db, store } = t));

const limit = (r: Partial<LimitRecord> & Pick<LimitRecord, "scope" | "id">): LimitRecord => ({
  monthlyMode: "alert",
  dailyMode: "alert",
  ...r,
});

describe("metering", () => {
  it("adds both records of usage to the month and the day, with cost including cache tokens", async () => {
    const w = settled(NOON);
    const tel = new ScriptedSource("tel").set(w, {
      "alice@example.com": { "claude-sonnet-4-5-20250929": { input: 1000, output: 500, cacheRead: 100_000, cacheWrite: 2000 } },
    });
    const srv = new ScriptedSource("srv").set(
      w,
      { "alice@example.com": { [SONNET_PROFILE]: { input: 1000, output: 500, cacheRead: 100_000, cacheWrite: 2000 } } },
      { "alice@example.com": "Alice@Example.com" },
    );
    const h = harness(store, [tel, srv]);
    const s = await runAggregation(h.deps);
    expect(s.windows).toEqual({ tel: [w], srv: [w] });
    expect(s.applied).toBe(2); // one window of each source, written together in one update
    const st = await store.userState("alice@example.com", "M#2026-11", "D#2026-11-26");
    // 1000×3 + 500×15 + 100000×0.3 + 2000×3.75 = 3000 + 7500 + 30000 + 7500 micro-USD
    expect(st.month.srv).toEqual({ input: 1000, output: 500, cacheRead: 100_000, cacheWrite: 2000, costMicros: 48_000 });
    expect(st.month.tel.costMicros).toBe(48_000);
    expect(st.day.srv.costMicros).toBe(48_000);
    expect(st.month.sessions).toEqual(["Alice@Example.com"]);
  });

  it("prices unknown models at the default price and reports their tokens", async () => {
    const w = settled(NOON);
    const srv = new ScriptedSource("srv").set(w, {
      "bob@example.com": { "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc123": { input: 1000 } },
    });
    const h = harness(store, [srv]);
    const s = await runAggregation(h.deps);
    expect(s.unpricedTokens).toBe(1000);
    expect((await store.userState("bob@example.com", "M#2026-11", "D#2026-11-26")).month.srv.costMicros).toBe(15_000);
  });

  it("counts a window once under retries, overlapping runs and a crash before the watermark moved", async () => {
    const w = settled(NOON);
    const srv = new ScriptedSource("srv").set(w, {
      "alice@example.com": { [SONNET]: { output: 1000 } },
      "bob@example.com": { [SONNET]: { output: 10 } },
    });
    const h = harness(store, [srv]);
    // Overlapping runs: one holds the users' buckets, the others change nothing and say why.
    const overlapping = await Promise.allSettled([runAggregation(h.deps), runAggregation(h.deps), runAggregation(h.deps)]);
    expect(overlapping.some((r) => r.status === "fulfilled")).toBe(true);
    for (const r of overlapping) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(LeaseBusyError);
    await runAggregation(h.deps); // a retry of the same invocation
    // A crash after applying but before the watermark: move the watermark back and run again.
    await store.doc.send(
      new (await import("@aws-sdk/lib-dynamodb")).DeleteCommand({ TableName: store.usageTable, Key: { pk: "STATE", sk: "WATERMARK#srv" } }),
    );
    const again = await runAggregation(h.deps);
    expect(again.applied).toBe(0);
    expect(again.duplicates).toBe(2);
    const st = await store.userState("alice@example.com", "M#2026-11", "D#2026-11-26");
    expect(st.month.srv.output).toBe(1000);
    expect(st.day.srv.output).toBe(1000);
  });

  it("a crashed run's bucket leases hold the users until they expire; the next run then takes over and counts each window once", async () => {
    const w = settled(NOON);
    const srv = new ScriptedSource("srv").set(w, { "alice@example.com": { [SONNET]: { output: 1000 } } });
    const h = harness(store, [srv]);
    // A run that died (a timeout, out of memory) without giving back its leases: bucket 5 until 12:05.
    const until = NOON + 5 * 60_000;
    await store.doc.send(
      new (await import("@aws-sdk/lib-dynamodb")).PutCommand({
        TableName: store.usageTable,
        Item: { pk: "STATE", sk: "LEASE#b05", owner: "test/crashed", until },
      }),
    );
    await expect(runAggregation(h.deps)).rejects.toThrow(/user bucket 5 is being aggregated by another run/);
    // Nothing was metered and no lease of the refused run is left behind.
    expect((await store.userState("alice@example.com", "M#2026-11", "D#2026-11-26")).month.srv.output).toBe(0);
    const leases = await store.doc.send(
      new (await import("@aws-sdk/lib-dynamodb")).QueryCommand({
        TableName: store.usageTable,
        KeyConditionExpression: "pk = :s AND begins_with(sk, :l)",
        ExpressionAttributeValues: { ":s": "STATE", ":l": "LEASE#" },
      }),
    );
    expect(leases.Items?.map((i) => i.owner)).toEqual(["test/crashed"]);
    h.clock.now = until + 1;
    const s = await runAggregation(h.deps);
    expect(s.applied).toBe(1);
    expect((await store.userState("alice@example.com", "M#2026-11", "D#2026-11-26")).month.srv.output).toBe(1000);
  });

  it("applies a lagging source's windows on their own when the other source already has them", async () => {
    const w = settled(NOON);
    const tel = new ScriptedSource("tel")
      .set(w - 1, { "alice@example.com": { [SONNET]: { input: 10 } } })
      .set(w, { "alice@example.com": { [SONNET]: { input: 20 } } });
    const srv = new ScriptedSource("srv")
      .set(w - 1, { "alice@example.com": { [SONNET]: { input: 11 } } })
      .set(w, { "alice@example.com": { [SONNET]: { input: 21 } } });
    await store.advanceWatermark("tel", w - 2, "x");
    await store.advanceWatermark("srv", w - 2, "x");
    tel.failOn = w;
    const h = harness(store, [tel, srv]);
    expect((await runAggregation(h.deps)).windows).toEqual({ tel: [w - 1], srv: [w - 1, w] });
    tel.failOn = undefined;
    const next = await runAggregation(h.deps);
    expect(next.windows).toEqual({ tel: [w], srv: [] });
    const st = await store.userState("alice@example.com", "M#2026-11", "D#2026-11-26");
    expect([st.month.tel.input, st.month.srv.input, st.day.tel.input, st.day.srv.input]).toEqual([30, 32, 30, 32]);
  });

  it("catches up every window after its watermark in order, and a failing source resumes where it stopped", async () => {
    const w = settled(NOON);
    const srv = new ScriptedSource("srv");
    for (let i = 0; i < 4; i++) srv.set(w - 3 + i, { "alice@example.com": { [SONNET]: { input: 100 } } });
    await store.advanceWatermark("srv", w - 4, "x");
    srv.failOn = w - 1;
    const h = harness(store, [srv]);
    const first = await runAggregation(h.deps);
    expect(first.sourceErrors).toEqual(["srv"]);
    expect(first.windows.srv).toEqual([w - 3, w - 2]);
    expect(await store.watermark("srv")).toBe(w - 2);
    srv.failOn = undefined;
    const second = await runAggregation(h.deps);
    expect(second.windows.srv).toEqual([w - 1, w]);
    expect((await store.userState("alice@example.com", "M#2026-11", "D#2026-11-26")).month.srv.input).toBe(400);
  });

  it("skips windows beyond the backlog cap with an error log instead of running for hours", async () => {
    const w = settled(NOON);
    await store.advanceWatermark("srv", w - 200, "x");
    const srv = new ScriptedSource("srv");
    const h = harness(store, [srv], { maxBacklogWindows: 3 });
    const s = await runAggregation(h.deps);
    expect(s.windows.srv).toEqual([w - 2, w - 1, w]);
    expect(h.log.lines.some((l) => l.level === "error" && String(l.msg).includes("backlog"))).toBe(true);
  });
});

describe("periods (UTC)", () => {
  it("splits usage at the month boundary and evaluates only the current month and day", async () => {
    const lastNov = windowOf(Date.UTC(2026, 10, 30, 23, 45));
    const firstDec = windowOf(Date.UTC(2026, 11, 1, 0, 0));
    const srv = new ScriptedSource("srv")
      .set(lastNov, { "alice@example.com": { [SONNET]: { output: 70_000 } } })
      .set(firstDec, { "alice@example.com": { [SONNET]: { output: 5_000 } } });
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 50_000, monthlyMode: "block" }));
    await store.advanceWatermark("srv", lastNov - 1, "x");
    const h = harness(store, [srv]);
    h.clock.now = Date.UTC(2026, 11, 1, 0, 0) + 10 * 60_000; // only the Nov window has settled
    const nov = await runAggregation(h.deps);
    expect(nov.windows.srv).toEqual([lastNov]);
    // Still evaluated in December: November's 70k does not count.
    expect(nov.blocked).toEqual([]);
    expect((await store.usageOfPeriod("M#2026-11")).map((r) => r.srv.output)).toEqual([70_000]);
    expect((await store.usageOfPeriod("D#2026-11-30")).map((r) => r.srv.output)).toEqual([70_000]); // November's record's current day
    h.clock.now = Date.UTC(2026, 11, 1, 0, 30);
    await runAggregation(h.deps);
    expect((await store.usageOfPeriod("M#2026-12")).map((r) => r.srv.output)).toEqual([5_000]);
  });

  it("lifts a block when the month rolls over (the deny policy is emptied)", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 1000, monthlyMode: "block" }));
    const w = windowOf(Date.UTC(2026, 10, 30, 23, 30));
    const srv = new ScriptedSource("srv").set(w, { "alice@example.com": { [SONNET]: { output: 2000 } } });
    const h = harness(store, [srv]);
    h.clock.now = Date.UTC(2026, 10, 30, 23, 57);
    const before = await runAggregation(h.deps);
    expect(before.blocked).toEqual(["alice@example.com"]);
    expect(JSON.stringify(h.policies.at(-1))).toContain("*:alice@example.com");
    h.clock.now = Date.UTC(2026, 11, 1, 0, 12);
    const after = await runAggregation(h.deps);
    expect(after.blocked).toEqual([]);
    expect(JSON.stringify(h.policies.at(-1))).not.toContain("alice");
  });

  it("restarts the day's counters at midnight, and a source lagging across midnight adds to the month only", async () => {
    const late = windowOf(Date.UTC(2026, 10, 26, 23, 45));
    const early = windowOf(Date.UTC(2026, 10, 27, 0, 0));
    const tel = new ScriptedSource("tel").set(late, { "alice@example.com": { [SONNET]: { input: 7 } } });
    const srv = new ScriptedSource("srv")
      .set(late, { "alice@example.com": { [SONNET]: { input: 100 } } })
      .set(early, { "alice@example.com": { [SONNET]: { input: 5 } } });
    await store.advanceWatermark("tel", late - 1, "x");
    await store.advanceWatermark("srv", late - 1, "x");
    tel.failOn = late; // telemetry lags behind midnight
    const h = harness(store, [tel, srv]);
    h.clock.now = Date.UTC(2026, 10, 27, 0, 30);
    await runAggregation(h.deps);
    let st = await store.userState("alice@example.com", "M#2026-11", "D#2026-11-27");
    expect([st.month.srv.input, st.day.srv.input]).toEqual([105, 5]);
    expect((await store.userState("alice@example.com", "M#2026-11", "D#2026-11-26")).day.srv.input).toBe(0); // yesterday is gone from the record
    tel.failOn = undefined;
    await runAggregation(h.deps);
    st = await store.userState("alice@example.com", "M#2026-11", "D#2026-11-27");
    expect([st.month.tel.input, st.day.tel.input, st.day.srv.input]).toEqual([7, 0, 5]);
  });

  it("a daily block ends at 00:00 UTC while the month keeps counting", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", dailyTokens: 1000, dailyMode: "block", monthlyTokens: 1_000_000 }));
    const w = windowOf(Date.UTC(2026, 10, 26, 23, 0));
    const srv = new ScriptedSource("srv").set(w, { "alice@example.com": { [SONNET]: { output: 1500 } } });
    const h = harness(store, [srv]);
    h.clock.now = Date.UTC(2026, 10, 26, 23, 30);
    expect((await runAggregation(h.deps)).blocked).toEqual(["alice@example.com"]);
    h.clock.now = Date.UTC(2026, 10, 27, 0, 30);
    const next = await runAggregation(h.deps);
    expect(next.blocked).toEqual([]);
    expect(next.users).toBe(1); // still evaluated (month usage), but today is empty
  });
});

describe("alerts", () => {
  async function runWith(h: ReturnType<typeof harness>, src: ScriptedSource, at: number, usage: Record<string, number>) {
    h.clock.now = at;
    src.set(settled(at), Object.fromEntries(Object.entries(usage).map(([e, out]) => [e, { [SONNET]: { output: out } }])));
    return runAggregation(h.deps);
  }

  it("sends each threshold once per user and period; a jump sends only the highest", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 10_000 }));
    const src = new ScriptedSource("srv");
    const h = harness(store, [src]);
    await runWith(h, src, NOON, { "alice@example.com": 8_500, "bob@example.com": 12_000 });
    expect(h.sent.map((s) => s.subject)).toEqual(
      expect.arrayContaining(["Claude Code WARNING 80% monthly tokens (test)", "Claude Code EXCEEDED 100% monthly tokens (test)"]),
    );
    expect(h.sent).toHaveLength(2);
    await runWith(h, src, NOON + WINDOW_MS, { "alice@example.com": 100 }); // 86 %: nothing new
    expect(h.sent).toHaveLength(2);
    await runWith(h, src, NOON + 2 * WINDOW_MS, { "alice@example.com": 500 }); // 91 %
    expect(h.sent.at(-1)!.subject).toContain("CRITICAL 90%");
    expect(h.sent.at(-1)!.attributes).toEqual({ user: "alice@example.com", limit: "monthlyTokens", threshold: "90", mode: "alert" });
    await runWith(h, src, NOON + 3 * WINDOW_MS, { "bob@example.com": 1 });
    expect(h.sent).toHaveLength(3); // bob's 80 and 90 were claimed with his 100 % alert
    const history = await store.alertsOf("bob@example.com");
    expect(history.map((a) => a.sk)).toEqual(["ALERT#M#2026-11#monthlyTokens#100"]);
  });

  it("overlapping runs send one alert", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyCostUsd: 1 }));
    const src = new ScriptedSource("srv").set(settled(NOON), { "alice@example.com": { [SONNET]: { output: 100_000 } } }); // $1.50
    const h = harness(store, [src]);
    const runs = await Promise.allSettled([runAggregation(h.deps), runAggregation(h.deps), runAggregation(h.deps), runAggregation(h.deps)]);
    for (const r of runs) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(LeaseBusyError);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]!.subject).toBe("Claude Code EXCEEDED 100% monthly spend (USD) (test)");
    expect(h.sent[0]!.message).toContain("Used: $1.50 of $1.00");
  });

  it("overlapping alert steps (a run past its lease and the run that took over) over many users crossing several thresholds at once send exactly one alert per user and limit", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 10_000, dailyTokens: 10_000 }));
    const users = Array.from({ length: 40 }, (_, i) => `dev${i}@example.com`);
    // Every user jumps from nothing past 80, 90 and 100 % of both limits in one window.
    const src = new ScriptedSource("srv").set(settled(NOON), Object.fromEntries(users.map((u) => [u, { [SONNET]: { output: 12_000 } }])));
    const h = harness(store, [src], { concurrency: 16 });
    // Metering first, so that the racing runs below all see the same jump.
    await store.putLimit(limit({ scope: "default", id: "default" }));
    await runAggregation(h.deps);
    expect(h.sent).toHaveLength(0);
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 10_000, dailyTokens: 10_000 }));
    // Each racing run is its own invocation with its own client, and the network between it and
    // DynamoDB has jitter (0–10 ms per write), so the runs' claims on one user interleave.
    const racing = Array.from({ length: 4 }, () => {
      const client = new DynamoDBClient({
        endpoint: db.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      const own = new QuotaStore(client, store.limitsTable, store.usageTable);
      client.middlewareStack.add(
        (next) => async (args) => {
          await new Promise((r) => setTimeout(r, Math.random() * 10));
          return next(args);
        },
        { step: "initialize", name: "networkJitter" },
      );
      return harness(own, [], { concurrency: 16 });
    });
    // The leases keep whole runs apart; what can still overlap is the alert step of a run that
    // outlived its lease and the one that took over. The claim is the proof there: race four of them.
    const alertStep = async (r: (typeof racing)[number]) => {
      const records = new MonthRecords(r.deps.store, bucketsOf(undefined), 16);
      const { evaluations } = await evaluateUsers(r.deps, NOON, records, new Map());
      return sendAlerts(r.deps, evaluations, new Date(NOON).toISOString());
    };
    const counts = await Promise.all(racing.map(alertStep));
    const sent = racing.flatMap((r) => r.sent);
    expect(counts.reduce((a, n) => a + n, 0)).toBe(users.length * 2);
    const perUserLimit = new Map<string, number>();
    for (const n of sent)
      perUserLimit.set(
        `${n.attributes.user}|${n.attributes.limit}`,
        (perUserLimit.get(`${n.attributes.user}|${n.attributes.limit}`) ?? 0) + 1,
      );
    expect(perUserLimit.size).toBe(users.length * 2);
    expect([...perUserLimit.values()].every((c) => c === 1)).toBe(true);
    expect(new Set(sent.map((n) => n.attributes.threshold))).toEqual(new Set(["100"]));
  }, 90_000); // 4 racing runs × 40 users × 2 limits on the emulator: slow on a loaded machine, never timed

  it("a run that overtakes another in the middle of its claim does not send a second email for the same jump", async () => {
    await store.putLimit(limit({ scope: "default", id: "default" }));
    const src = new ScriptedSource("srv").set(settled(NOON), { "alice@example.com": { [SONNET]: { output: 12_000 } } });
    await runAggregation(harness(store, [src]).deps); // metered; no limit yet
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 10_000 })); // 120 %: past 80, 90 and 100 at once
    const client = () =>
      new DynamoDBClient({ endpoint: db.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    // Run A's network stalls right after its first alert write, until run B has finished.
    const slow = client();
    let firstClaim!: () => void;
    const claimed = new Promise<void>((r) => (firstClaim = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let stalled = false;
    slow.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const input = args.input as { UpdateExpression?: string };
        if (!stalled && input.UpdateExpression?.includes("alerted")) {
          stalled = true;
          firstClaim();
          await gate;
        }
        return out;
      },
      { step: "initialize", name: "stallAfterFirstClaim" },
    );
    // Run A's lease ends a moment after it starts (as when it outlives its invocation), so run B,
    // a minute later, takes the buckets over while A is still in its alert step.
    const a = harness(new QuotaStore(slow, store.limitsTable, store.usageTable), [], { leaseMs: 1 });
    const b = harness(new QuotaStore(client(), store.limitsTable, store.usageTable), []);
    b.clock.now = a.clock.now + 60_000;
    const runA = runAggregation(a.deps);
    await claimed;
    await runAggregation(b.deps);
    release();
    await runA;
    expect([...a.sent, ...b.sent].map((n) => n.subject)).toEqual(["Claude Code EXCEEDED 100% monthly tokens (test)"]);
  });

  it("releases the claim when SNS fails, so the next run sends it", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 1000 }));
    const src = new ScriptedSource("srv").set(settled(NOON), { "alice@example.com": { [SONNET]: { output: 900 } } });
    let fail = true;
    const h = harness(store, [src], { failNotify: () => fail });
    expect((await runAggregation(h.deps)).alertsSent).toBe(0);
    fail = false;
    expect((await runAggregation(h.deps)).alertsSent).toBe(1);
    expect((await runAggregation(h.deps)).alertsSent).toBe(0);
  });

  it("never alerts on a limit of 0 or on a day without usage", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 0, dailyTokens: 100, monthlyCostUsd: 0 }));
    const w = windowOf(Date.UTC(2026, 10, 25, 12, 0));
    const src = new ScriptedSource("srv").set(w, { "alice@example.com": { [SONNET]: { output: 90 } } });
    const h = harness(store, [src]);
    h.clock.now = Date.UTC(2026, 10, 25, 12, 30);
    await runAggregation(h.deps);
    expect(h.sent.map((s) => s.subject)).toEqual(["Claude Code CRITICAL 90% daily tokens (test)"]);
    // The next days: alice is idle. Her month record exists, but today's does not: no daily alert again.
    for (const day of [26, 27, 28]) {
      h.clock.now = Date.UTC(2026, 10, day, 12, 0);
      await runAggregation(h.deps);
    }
    expect(h.sent).toHaveLength(1);
  });
});

describe("limits precedence and enforcement", () => {
  it("user record beats groups, groups beat default, the most restrictive group wins", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 1000, monthlyMode: "block" }));
    await store.putLimit(limit({ scope: "group", id: "ml", monthlyTokens: 50_000, monthlyMode: "alert" }));
    await store.putLimit(limit({ scope: "group", id: "interns", monthlyTokens: 3000, monthlyMode: "block" }));
    await store.putLimit(limit({ scope: "user", id: "carol@example.com", monthlyTokens: 100_000, monthlyMode: "block" }));
    const now = new Date(NOON).toISOString();
    await store.putProfile("alice@example.com", ["ml"], now, 9e9);
    await store.putProfile("bob@example.com", ["ml", "interns"], now, 9e9);
    await store.putProfile("carol@example.com", ["interns"], now, 9e9);
    const src = new ScriptedSource("srv").set(settled(NOON), {
      "alice@example.com": { [SONNET]: { output: 4000 } }, // ml: 50k alert → fine
      "bob@example.com": { [SONNET]: { output: 4000 } }, // interns (3k, block) is stricter → blocked
      "carol@example.com": { [SONNET]: { output: 4000 } }, // own 100k → fine despite interns
      "dave@example.com": { [SONNET]: { output: 4000 } }, // default 1k block → blocked
    });
    const h = harness(store, [src]);
    const s = await runAggregation(h.deps);
    expect(s.blocked).toEqual(["bob@example.com", "dave@example.com"]);
  });

  it("enforces on the higher record and reports drift when the client under-reports", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 10_000, monthlyMode: "block" }));
    const w = settled(NOON);
    const tel = new ScriptedSource("tel").set(w, {
      "mallory@example.com": { [SONNET]: { output: 100 } },
      "alice@example.com": { [SONNET]: { output: 5000 } },
    });
    const srv = new ScriptedSource("srv").set(
      w,
      { "mallory@example.com": { [SONNET]: { output: 20_000 } }, "alice@example.com": { [SONNET]: { output: 5100 } } },
      { "mallory@example.com": "mallory@example.com" },
    );
    const h = harness(store, [tel, srv]);
    const s = await runAggregation(h.deps);
    expect(s.blocked).toEqual(["mallory@example.com"]);
    expect(s.driftUsers).toBe(1);
    const m = Object.fromEntries(h.metrics.at(-1)!.map((d) => [d.name, d.value]));
    expect(m).toMatchObject({
      UsersWithUsageDrift: 1,
      UsageDriftTokens: 19_900 + 100,
      TelemetryTokens: 5100,
      InvocationLogTokens: 25_100,
      BlockedUsers: 1,
    });
    expect(h.log.lines.find((l) => l.msg === "usage records disagree")).toMatchObject({ user: "mallory@example.com", driftPercent: 99.5 });
  });

  it("publishes the renamed-session count (invocation-log records not attributable to a user) as UnattributedInvocations", async () => {
    const w = settled(NOON);
    const srv = new ScriptedSource("srv")
      .set(w - 1, { "alice@example.com": { [SONNET]: { output: 10 } } })
      .set(w, { "alice@example.com": { [SONNET]: { output: 10 } } });
    srv.unattributedIn.set(w - 1, 2).set(w, 3);
    await store.advanceWatermark("srv", w - 2, new Date(NOON).toISOString());
    const h = harness(store, [srv]);
    const s = await runAggregation(h.deps);
    expect(s.windows.srv).toEqual([w - 1, w]);
    expect(s.unattributedInvocations).toBe(5);
    expect(Object.fromEntries(h.metrics.at(-1)!.map((d) => [d.name, d.value]))).toMatchObject({ UnattributedInvocations: 5 });
    expect(
      h.log.lines.find((l) => String(l.msg).startsWith("model invocations by the user role under a session name that is not an email")),
    ).toMatchObject({ records: 5 });
    // The next run reads no new window: nothing new to report, the metric goes back to 0.
    await runAggregation(h.deps);
    expect(Object.fromEntries(h.metrics.at(-1)!.map((d) => [d.name, d.value]))).toMatchObject({ UnattributedInvocations: 0 });
  });

  it("publishes UnknownSessionUsers: invocation-log users (by session name) who never asked the check API", async () => {
    const w = settled(NOON);
    await store.putProfile("alice@example.com", [], new Date(NOON).toISOString(), 9e9);
    const srv = new ScriptedSource("srv").set(w, {
      "alice@example.com": { [SONNET]: { output: 10 } },
      "made-up@example.com": { [SONNET]: { output: 10 } },
    });
    const tel = new ScriptedSource("tel").set(w, { "bob@example.com": { [SONNET]: { output: 10 } } }); // telemetry is not by session name
    const h = harness(store, [tel, srv]);
    const s = await runAggregation(h.deps);
    expect(s.unknownSessionUsers).toBe(1);
    expect(Object.fromEntries(h.metrics.at(-1)!.map((d) => [d.name, d.value]))).toMatchObject({ UnknownSessionUsers: 1 });
    expect(
      h.log.lines.find((l) => String(l.msg).startsWith("invocation logs attribute usage to session names of users who never asked")),
    ).toMatchObject({ users: ["made-up@example.com"], count: 1 });
  });

  it("an alert-only stage never blocks: a record with mode block only alerts, and the 100 % email says credentials are not refused", async () => {
    await store.putLimit(limit({ scope: "user", id: "alice@example.com", monthlyCostUsd: 1, monthlyMode: "block", dailyMode: "block" }));
    const src = new ScriptedSource("srv").set(settled(NOON), { "alice@example.com": { [SONNET]: { output: 100_000 } } }); // $1.50
    const h = harness(store, [src], { stageMode: "alert" });
    const s = await runAggregation(h.deps);
    expect(s.blocked).toEqual([]);
    expect(h.policies.at(-1)!.every((p) => !JSON.stringify(p).includes("alice@example.com"))).toBe(true);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]!.attributes.mode).toBe("alert");
    expect(h.sent[0]!.message).toContain("alert only: credentials are not refused");
    expect(h.sent[0]!.message).not.toContain("refused and");
  });

  it("a temporary unblock lifts the deny until it expires", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 1000, monthlyMode: "block" }));
    const src = new ScriptedSource("srv").set(
      settled(NOON),
      { "alice@example.com": { [SONNET]: { output: 5000 } } },
      { "alice@example.com": "Alice@Example.com" },
    );
    const h = harness(store, [src]);
    expect((await runAggregation(h.deps)).blocked).toEqual(["alice@example.com"]);
    const denied = h.policies.at(-1)![0]!.Statement[0]!.Condition.StringLike!["aws:userid"];
    expect(denied).toEqual(["*:Alice@Example.com", "*:alice@example.com"]);
    await store.putUnblock({
      email: "alice@example.com",
      until: new Date(NOON + 3600_000).toISOString(),
      by: "admin@example.com",
      reason: "release",
      at: new Date(NOON).toISOString(),
    });
    expect((await runAggregation(h.deps)).blocked).toEqual([]);
    expect(JSON.stringify(h.policies.at(-1))).not.toContain("lice");
    h.clock.now = NOON + 3600_000 + 1;
    expect((await runAggregation(h.deps)).blocked).toEqual(["alice@example.com"]);
  });
});
