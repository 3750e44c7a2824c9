/**
 * Benchmark: one aggregation run over N users who already have a month of usage, on the local
 * DynamoDB (dynalite, in memory), for N = 1 000, 10 000 and 100 000. Each run meters one new 15-minute
 * window from both records for every user, evaluates every user against default and group limits,
 * claims alerts and packs the deny policies. Reported as wall time per run and as the growth ratio per
 * 10× users (linear ≈ 10; the goal is ≤ 11× and ≤ 60 s for 100 000 here). Nothing is asserted in tests.
 *
 * Every size runs through the dispatcher with the same shard count (BENCH_SHARDS, default 4, 1 = no
 * fan-out): the shard workers run concurrently in this process, each with its own DynamoDB client,
 * standing in for the parallel Lambda invocations of a deployed dispatcher. All of them share the one
 * emulator process.
 *
 *   npm run bench -w @ccb/quota-functions     (or: cd packages/quota-functions && npm run bench)
 *   BENCH_USERS=1000,10000 BENCH_CONCURRENCY=64 BENCH_SHARDS=4 npm run bench     (sizes, writes in flight per shard, shards)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { dispatchAggregation } from "../src/aggregate/dispatch.js";
import { runShard } from "../src/aggregate/run.js";
import { periodId, usageExpiry, windowOf } from "../src/periods.js";
import { createQuotaTables, startLocalDynamo } from "../src/testing/dynalite.js";
import { harness, ScriptedSource } from "../src/testing/fakes.js";
import { monthRecordKey, pool, profileKey, QuotaStore } from "../src/store.js";

const NOW = Date.UTC(2026, 11, 28, 12, 0, 0); // late in the month: a full month of usage behind
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
/** CPU seconds (user + system) a process has used, from /proc (Linux; 0 elsewhere). */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
const email = (i: number) => `developer.${String(i).padStart(5, "0")}@example.com`;

async function seed(store: QuotaStore, users: number): Promise<void> {
  await store.putLimit({
    scope: "default",
    id: "default",
    monthlyCostUsd: 300,
    dailyCostUsd: 60,
    monthlyMode: "block",
    dailyMode: "alert",
  });
  await store.putLimit({ scope: "group", id: "interns", monthlyCostUsd: 50, monthlyMode: "block", dailyMode: "block" });
  const month = periodId("monthly", NOW);
  const day = periodId("daily", NOW);
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < users; i++) {
    // Spend spread from $5 to ~$400 for the month, so some users are past 80/90/100 %.
    const cost = Math.round((5 + ((i * 7919) % 400)) * 1_000_000);
    const tokens = cost / 3;
    const counters = (p: string, scale: number) => ({
      [`${p}_in`]: Math.round(tokens * 0.1 * scale),
      [`${p}_out`]: Math.round(tokens * 0.05 * scale),
      [`${p}_cr`]: Math.round(tokens * 0.8 * scale),
      [`${p}_cw`]: Math.round(tokens * 0.05 * scale),
      [`${p}_cost`]: Math.round(cost * scale),
    });
    const lw = windowOf(NOW) - 10;
    // Alerts already sent in earlier runs for thresholds the seeded usage has crossed (interns excepted:
    // their group limit applies from this run on, so their alerts are new).
    const limitUsd = 300;
    const alerted = i % 10 === 0 ? [] : [80, 90, 100].filter((t) => cost / 1e6 >= (limitUsd * t) / 100).map((t) => `monthlyCostUsd#${t}`);
    const today = Object.fromEntries(
      Object.entries({ ...counters("tel", 0.03), ...counters("srv", 0.031) }).map(([k, v]) => [k.replace("_", "_day_"), v]),
    );
    items.push({
      ...monthRecordKey(month, email(i)),
      period: month,
      email: email(i),
      ...counters("tel", 0.97),
      ...counters("srv", 1),
      ...today,
      day: day.slice(2),
      tel_lw: lw,
      srv_lw: lw,
      sessions: new Set([email(i)]),
      ...(alerted.length ? { alerted: new Set(alerted) } : {}),
      expiresAt: usageExpiry("monthly", NOW),
    });
    if (i % 10 === 0) items.push({ ...profileKey(email(i)), groups: ["interns"], seenAt: new Date(NOW).toISOString() });
  }
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await pool(batches, 16, async (b) => {
    let pending = b.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length) {
      const r = await store.doc.send(new BatchWriteCommand({ RequestItems: { [store.usageTable]: pending } }));
      pending = (r.UnprocessedItems?.[store.usageTable] ?? []) as typeof pending;
    }
  });
}

async function once(
  users: number,
  n: number,
): Promise<{
  users: number;
  seconds: number;
  cpuSeconds: { functions: number; emulator: number };
  alertsSent: number;
  blocked: number;
  applied: number;
  timings: unknown;
}> {
  const db = await startLocalDynamo({ separateProcess: process.env.BENCH_DYNALITE !== "inline" });
  try {
    const store = new QuotaStore(db.client, `bench-limits-${n}`, `bench-usage-${n}`);
    await createQuotaTables(db.client, store.limitsTable, store.usageTable);
    await seed(store, users);
    const w = windowOf(NOW - 10 * 60_000) - 1;
    const window = Object.fromEntries(
      Array.from({ length: users }, (_, i) => [
        email(i),
        { [SONNET]: { input: 2000, output: 1500, cacheRead: 40_000, cacheWrite: 1000 }, [HAIKU]: { input: 500, output: 200 } },
      ]),
    );
    const tel = new ScriptedSource("tel").set(w, window);
    const srv = new ScriptedSource("srv").set(w, window, Object.fromEntries(Object.keys(window).map((e) => [e, e])));
    const h = harness(store, [tel, srv], { slots: 8, concurrency: CONCURRENCY });
    h.clock.now = NOW;
    // One client per shard worker, as each Lambda invocation has its own.
    const clients = Array.from(
      { length: SHARDS },
      () =>
        new DynamoDBClient({ endpoint: db.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
    );
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const emulatorCpu0 = cpuSecondsOf(db.pid);
    // Each shard's step durations (meter, evaluate, alert, blocked), to see where the time goes.
    const shardTimings: Array<Record<string, number>> = [];
    const s = await dispatchAggregation(h.deps, SHARDS, async (shard) => {
      const r = await runShard({ ...h.deps, store: new QuotaStore(clients[shard.index]!, store.limitsTable, store.usageTable), shard });
      shardTimings[shard.index] = r.timings;
      return r;
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    // CPU seconds are what a loaded machine does not inflate much: the run's own (functions and SDK)
    // and the emulator's, side by side with the wall time.
    const cpuSeconds = {
      functions: Math.round((cpu.user + cpu.system) / 1e4) / 100,
      emulator: Math.round((cpuSecondsOf(db.pid) - emulatorCpu0) * 100) / 100,
    };
    for (const c of clients) c.destroy();
    if (s.users !== users || s.applied !== users * 2)
      throw new Error(
        `bench run evaluated ${s.users} users and applied ${s.applied} updates; expected ${users} and ${users * 2}: ${JSON.stringify(
          h.log.lines.filter((l) => l.level === "error"),
        )}`,
      );
    const timings = { run: h.log.lines.find((l) => l.msg === "aggregation done")?.timings, shards: shardTimings };
    return { users, seconds, cpuSeconds, alertsSent: s.alertsSent, blocked: s.blocked.length, applied: s.applied, timings };
  } finally {
    await db.close();
  }
}

const SIZES = (process.env.BENCH_USERS ?? "1000,10000,100000").split(",").map(Number);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);
const runs: Awaited<ReturnType<typeof once>>[] = [];
for (const [i, users] of SIZES.entries()) {
  runs.push(await once(users, i + 1));
  console.error(`${users} users: ${runs.at(-1)!.seconds.toFixed(1)} s`); // progress; the result is the JSON on stdout
}
const growth = runs.slice(1).map((r, i) => {
  const prev = runs[i]!;
  return {
    from: prev.users,
    to: r.users,
    users: r.users / prev.users,
    time: Math.round((r.seconds / prev.seconds) * 100) / 100,
    perUserMs: Math.round((r.seconds / r.users) * 1e5) / 100,
  };
});
const largest = runs.at(-1)!;
const result = {
  benchmark: "quota aggregation run (one window, both records, month of prior usage) on dynalite",
  node: process.version,
  concurrency: CONCURRENCY,
  shards: SHARDS,
  fanOut:
    SHARDS > 1
      ? `${SHARDS} shard workers per run, run concurrently in this process (each with its own client) against one dynalite process, standing in for parallel Lambda invocations`
      : "none (one run covers every user)",
  runs,
  growth,
  goal: {
    users: 100_000,
    seconds: 60,
    maxGrowthPer10x: 11,
    met: largest.users === 100_000 && largest.seconds <= 60 && growth.every((g) => g.time <= (11 * g.users) / 10),
  },
};
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/aggregate.json", JSON.stringify(result, null, 2));
console.log(JSON.stringify(result, null, 2));
