/**
 * One aggregation run (every 15 minutes), in five steps, each in its own module:
 *
 *   meter → evaluate → alert → enforce → report
 *
 * 1. meter.ts: every settled window of each record of usage, exactly once per user and window.
 * 2. evaluate.ts: every user with usage this month or today against their limits (capped by the stage mode).
 * 3. alert.ts: one email per user, period, limit and threshold jump.
 * 4. enforce.ts: the blocked users become the deny policies on the user role.
 * 5. report.ts: drift between the two records, counts, as CloudWatch metrics and structured logs.
 *
 * Steps 1–3 and finding the blocked users run per shard (`runShard`: all users, or one shard's in a
 * worker, see dispatch.ts) while the run holds the leases of the shard's user buckets (lease.ts);
 * writing the deny policies and reporting run once over every shard's result (`finishRun`).
 */
import { randomUUID } from "node:crypto";
import { dayKey } from "../periods.js";
import { sendAlerts } from "./alert.js";
import { applyBlocks, blockedUsers } from "./enforce.js";
import { evaluateUsers } from "./evaluate.js";
import { takeLeases } from "./lease.js";
import { attribution, meter } from "./meter.js";
import { MonthRecords } from "./month-records.js";
import { bucketsOf } from "./shard.js";
import { drift, report } from "./report.js";
import type { AggregateDeps, AggregateSummary, ShardResult } from "./types.js";

export { priceWindow } from "./meter.js";
export { LeaseBusyError } from "./lease.js";
export type { AggregateDeps, AggregateSummary, MetricDatum, Notification, ShardResult } from "./types.js";

/** How long a run may hold its buckets when the caller does not say (tests, the benchmark, the CLI). */
const DEFAULT_LEASE_MS = 15 * 60_000;

/**
 * Meters, evaluates and alerts the users of `d.shard` (everyone when absent), and finds who to block.
 * Throws `LeaseBusyError`, having changed nothing, when another run holds some of the shard's buckets.
 */
export async function runShard(d: AggregateDeps): Promise<ShardResult> {
  const now = d.now();
  const buckets = bucketsOf(d.shard);
  const leases = await takeLeases(d.store, buckets, `${d.stage}/${randomUUID()}`, now, now + (d.leaseMs ?? DEFAULT_LEASE_MS));
  try {
    return await runHeld(d, now, buckets, () => leases.assertHeld(d.now()));
  } finally {
    await leases.release();
  }
}

async function runHeld(d: AggregateDeps, now: number, buckets: readonly number[], guard: () => void): Promise<ShardResult> {
  const iso = new Date(now).toISOString();
  // Step durations for the summary log (operations, not tests: never asserted).
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (step: string) => {
    const t = performance.now();
    timings[step] = Math.round(t - mark);
    mark = t;
  };
  const records = new MonthRecords(d.store, buckets, d.concurrency);
  const metered = await meter(d, now, iso, records, guard);
  lap("meterMs");
  const profiles = await d.store.profilesOf(buckets, d.concurrency);
  const attributed = attribution(d, metered.srvUsers, profiles);
  const { monthRecs, users, evaluations } = await evaluateUsers(d, now, records, profiles);
  lap("evaluateMs");
  const alertsSent = await sendAlerts(d, evaluations, iso);
  lap("alertMs");
  const { blocked, entries } = await blockedUsers(d, evaluations, now);
  lap("blockedMs");
  const { driftUsers, ...tokens } = drift(d, monthRecs, now);
  return {
    shard: d.shard ?? { index: 0, count: 1 },
    windows: metered.windows,
    watermarks: metered.watermarks,
    applied: metered.applied,
    duplicates: metered.duplicates,
    users: users.length,
    alertsSent,
    blocked,
    blockEntries: entries,
    driftUsers,
    tokens,
    unpricedTokens: metered.unpricedTokens,
    unattributedInvocations: attributed.unattributedInvocations,
    unknownSessionUsers: attributed.unknownSessionUsers.length,
    sourceErrors: metered.sourceErrors,
    timings,
  };
}

const sum = (results: readonly ShardResult[], f: (r: ShardResult) => number) => results.reduce((a, r) => a + f(r), 0);

/**
 * Writes the deny policies from every shard's blocked users and publishes the run's metrics. With a
 * failed shard (`failedShards`) the policies are left as they are: written from a part of the users,
 * they would lift the blocks of the missing shard's users.
 */
export async function finishRun(
  d: AggregateDeps,
  results: readonly ShardResult[],
  failedShards: readonly number[] = [],
): Promise<AggregateSummary> {
  const now = d.now();
  const mark = performance.now();
  const blocked = results.flatMap((r) => r.blocked).sort();
  let blockOverflow: string[] = [];
  if (failedShards.length === 0)
    blockOverflow = await applyBlocks(
      d,
      results.flatMap((r) => r.blockEntries),
    );
  else if (d.blockPolicies) d.log.error("deny policies left unchanged: a shard failed", { failedShards });
  const windows: Record<string, number[]> = {};
  for (const r of results)
    for (const [s, ws] of Object.entries(r.windows)) windows[s] = [...new Set([...(windows[s] ?? []), ...ws])].sort((a, b) => a - b);
  const summary: AggregateSummary = {
    windows,
    applied: sum(results, (r) => r.applied),
    duplicates: sum(results, (r) => r.duplicates),
    users: sum(results, (r) => r.users),
    alertsSent: sum(results, (r) => r.alertsSent),
    blocked,
    blockOverflow,
    driftUsers: sum(results, (r) => r.driftUsers),
    unpricedTokens: sum(results, (r) => r.unpricedTokens),
    unattributedInvocations: sum(results, (r) => r.unattributedInvocations),
    unknownSessionUsers: sum(results, (r) => r.unknownSessionUsers),
    sourceErrors: [...new Set([...results.flatMap((r) => r.sourceErrors), ...failedShards.map((i) => `shard-${i}`)])].sort(),
  };
  await report(d, summary, {
    driftTokens: sum(results, (r) => r.tokens.driftTokens),
    telTokens: sum(results, (r) => r.tokens.telTokens),
    srvTokens: sum(results, (r) => r.tokens.srvTokens),
  });
  const timings =
    results.length === 1 ? { ...results[0]!.timings } : { slowestShardMs: Math.max(...results.map((r) => sumValues(r.timings))) };
  d.log.info("aggregation done", {
    ...summary,
    blocked: blocked.length,
    blockOverflow: blockOverflow.length,
    shards: results.length + failedShards.length,
    day: dayKey(now),
    timings: { ...timings, enforceAndReportMs: Math.round(performance.now() - mark) },
  });
  return summary;
}

const sumValues = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** One run over every user in this invocation (no fan-out). */
export async function runAggregation(d: AggregateDeps): Promise<AggregateSummary> {
  return finishRun(d, [await runShard(d)]);
}
