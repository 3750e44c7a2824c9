import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { sessionNameOf } from "../identity.js";
import type { LimitRecord } from "../limits.js";
import { windowOf } from "../periods.js";
import { QuotaStore } from "../store.js";
import type { LocalDynamo } from "../testing/dynalite.js";
import { useQuotaTables } from "../testing/quota-tables.js";
import { harness, ScriptedSource } from "../testing/fakes.js";
import { dispatchAggregation, type InvokeShard } from "./dispatch.js";
import { runShard } from "./run.js";
import { inShard, parseShard, shardOf } from "./shard.js";
import type { AggregateDeps } from "./types.js";

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOON = Date.UTC(2026, 10, 26, 12, 0, 0);
const settled = (now: number) => windowOf(now - 10 * 60_000) - 1;
const limit = (r: Partial<LimitRecord> & Pick<LimitRecord, "scope" | "id">): LimitRecord => ({
  monthlyMode: "alert",
  dailyMode: "alert",
  ...r,
});

describe("shard split", () => {
  // Keys of every shape the aggregation sees: mixed case, plus-addressing, non-ASCII, long.
  const keys = Array.from({ length: 20_000 }, (_, i) => {
    const r = (i * 2654435761) >>> 0;
    const local = ["dev", "Dev.Ops", "zoë", "a+b", "x".repeat(1 + (r % 40))][r % 5]!;
    return `${local}${i}@${["example.com", "Example.ORG", "例え.jp"][i % 3]}`;
  });

  it.each([1, 2, 3, 7, 8, 16, 64])("puts every user key in exactly one of %i shards, stably and whatever the case", (count) => {
    const sizes = new Array<number>(count).fill(0);
    for (const key of keys) {
      const owners = Array.from({ length: count }, (_, index) => index).filter((index) => inShard({ index, count }, key));
      expect(owners).toEqual([shardOf(key, count)]);
      expect(shardOf(key.toUpperCase(), count)).toBe(owners[0]);
      sizes[owners[0]!]!++;
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(keys.length);
    // Evenly enough that no shard is the run's long pole: within 25 % of an equal share (20 000 keys).
    const share = keys.length / count;
    for (const n of sizes) expect(Math.abs(n - share) / share).toBeLessThan(count <= 16 ? 0.1 : 0.25);
  });

  it("refuses a shard request outside 0..count-1 or a count outside 1..64", () => {
    expect(parseShard({ index: 3, count: 8 })).toEqual({ index: 3, count: 8 });
    for (const bad of [{ index: 8, count: 8 }, { index: -1, count: 2 }, { index: 0, count: 65 }, { index: 0.5, count: 2 }, {}, null])
      expect(() => parseShard(bad)).toThrow(/shard\./);
  });
});

let db: LocalDynamo;
let store: QuotaStore;
useQuotaTables("dispatch", (t) => ({ db, store } = t));

/** Each shard as its own invocation: own client, network jitter, and the result through JSON as Lambda returns it. */
function inProcessWorkers(deps: AggregateDeps, jitter = true): InvokeShard {
  return async (shard) => {
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    if (jitter)
      client.middlewareStack.add(
        (next) => async (args) => {
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          return next(args);
        },
        { step: "initialize", name: "networkJitter" },
      );
    const own = new QuotaStore(client, store.limitsTable, store.usageTable);
    try {
      return JSON.parse(JSON.stringify(await runShard({ ...deps, store: own, shard })));
    } finally {
      client.destroy();
    }
  };
}

const users = Array.from({ length: 120 }, (_, i) => `dev${i}@example.com`);
const monthOutput = async (email: string) => (await store.userState(email, "M#2026-11", "D#2026-11-26")).month.srv.output;

describe("dispatch", () => {
  it("two overlapping dispatches of 4 shards meter every user once and send one email per user and limit", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 10_000, monthlyMode: "block", dailyTokens: 10_000 }));
    // Every user jumps from nothing past 80, 90 and 100 % of both limits in one window.
    const src = new ScriptedSource("srv").set(settled(NOON), Object.fromEntries(users.map((u) => [u, { [SONNET]: { output: 12_000 } }])));
    const a = harness(store, [src], { concurrency: 8 });
    const b = harness(store, [src], { concurrency: 8 });
    const [ra, rb] = await Promise.all([
      dispatchAggregation(a.deps, 4, inProcessWorkers(a.deps)),
      dispatchAggregation(b.deps, 4, inProcessWorkers(b.deps)),
    ]);
    // Each shard's buckets were held by one of the two workers at a time: every user is metered once.
    expect(ra.applied + rb.applied).toBe(users.length);
    for (const u of users) expect(await monthOutput(u)).toBe(12_000);
    const sent = [...a.sent, ...b.sent];
    const perUserLimit = new Map<string, number>();
    for (const n of sent)
      perUserLimit.set(
        `${n.attributes.user}|${n.attributes.limit}`,
        (perUserLimit.get(`${n.attributes.user}|${n.attributes.limit}`) ?? 0) + 1,
      );
    expect(perUserLimit.size).toBe(users.length * 2);
    expect([...perUserLimit.values()].every((c) => c === 1)).toBe(true);
    expect(ra.alertsSent + rb.alertsSent).toBe(users.length * 2);
    // A dispatch with every shard done writes the deny policies once, from all four shards; one that
    // had a shard refused (its buckets held by the other) leaves them alone and says which.
    for (const [h, r] of [
      [a, ra],
      [b, rb],
    ] as const) {
      const refused = r.sourceErrors.filter((e) => e.startsWith("shard-"));
      if (refused.length === 0) {
        expect(r.blocked).toEqual([...users].sort());
        expect(h.policies).toHaveLength(1);
        for (const u of users) expect(JSON.stringify(h.policies[0])).toContain(sessionNameOf(u));
      } else {
        expect(h.policies).toHaveLength(0);
        expect(h.log.lines.some((l) => l.msg === "shard worker failed; its users resume next run")).toBe(true);
      }
      // One metrics batch per dispatch.
      expect(h.metrics).toHaveLength(1);
    }
    // The next dispatch finds nothing new, and blocks everyone from all four shards.
    const c = harness(store, [src], { concurrency: 8 });
    const rc = await dispatchAggregation(c.deps, 4, inProcessWorkers(c.deps));
    expect(rc.applied).toBe(0);
    expect(rc.sourceErrors).toEqual([]);
    expect(rc.blocked).toEqual([...users].sort());
    expect(c.sent).toHaveLength(0);
    expect(await store.watermark("srv")).toBe(settled(NOON));
  }, 120_000); // three dispatches × 4 shards × 120 users on the emulator: slow on a loaded machine, never timed

  it("a failed shard leaves the deny policies and the unsharded watermark alone and fails the run; the next dispatch catches up", async () => {
    await store.putLimit(limit({ scope: "default", id: "default", monthlyTokens: 10_000, monthlyMode: "block" }));
    const src = new ScriptedSource("srv").set(settled(NOON), Object.fromEntries(users.map((u) => [u, { [SONNET]: { output: 12_000 } }])));
    const h = harness(store, [src]);
    const workers = inProcessWorkers(h.deps, false);
    const failing: InvokeShard = async (s) => (s.index === 1 ? Promise.reject(new Error("Task timed out")) : workers(s));
    const first = await dispatchAggregation(h.deps, 3, failing);
    expect(first.sourceErrors).toEqual(["shard-1"]);
    expect(h.policies).toHaveLength(0);
    expect(await store.watermark("srv")).toBeUndefined();
    const missed = users.filter((u) => shardOf(u, 3) === 1);
    expect(missed.length).toBeGreaterThan(0);
    for (const u of missed) expect(await monthOutput(u)).toBe(0);
    const second = await dispatchAggregation(h.deps, 3, workers);
    expect(second.sourceErrors).toEqual([]);
    expect(second.applied).toBe(missed.length); // only the failed shard's users were still due
    for (const u of users) expect(await monthOutput(u)).toBe(12_000);
    expect(h.policies).toHaveLength(1);
    expect(second.blocked).toHaveLength(users.length);
  }, 120_000);

  it("changing the shard count (1 → 4 → 3) neither skips nor repeats a window", async () => {
    const w = settled(NOON);
    const src = new ScriptedSource("srv");
    for (const k of [0, 1, 2]) src.set(w + k, Object.fromEntries(users.map((u) => [u, { [SONNET]: { output: 10 ** k } }])));
    const h = harness(store, [src]);
    const at = (k: number) => (h.clock.now = NOON + k * 15 * 60_000);
    at(0);
    await dispatchAggregation(h.deps, 1, inProcessWorkers(h.deps, false));
    at(1);
    await dispatchAggregation(h.deps, 4, inProcessWorkers(h.deps, false));
    at(2);
    const last = await dispatchAggregation(h.deps, 3, inProcessWorkers(h.deps, false));
    expect(last.windows).toEqual({ srv: [w + 2] });
    for (const u of users) expect(await monthOutput(u)).toBe(111);
    expect(await store.watermark("srv")).toBe(w + 2);
  }, 120_000);
});
