/**
 * The dispatcher: when one function's time budget is not enough for every user, the scheduled run
 * invokes a worker once per shard (all at once; the worker's reserved concurrency is the shard count),
 * then writes the deny policies and the metrics from all their results. Each worker is `runShard` over
 * its buckets' users, holding their leases, so overlapping dispatches cannot double-count, and the
 * alert claim keeps them from double-alerting (see shard.ts, lease.ts).
 */
import { finishRun } from "./run.js";
import type { ShardSpec } from "./shard.js";
import type { AggregateDeps, AggregateSummary, ShardResult } from "./types.js";

/** Runs one shard somewhere (a Lambda invocation in production, in-process in tests and the benchmark). */
export type InvokeShard = (shard: ShardSpec) => Promise<ShardResult>;

export async function dispatchAggregation(d: AggregateDeps, count: number, invoke: InvokeShard): Promise<AggregateSummary> {
  const shards = Array.from({ length: count }, (_, index) => ({ index, count }));
  const settled = await Promise.allSettled(shards.map((s) => invoke(s)));
  const results: ShardResult[] = [];
  const failed: number[] = [];
  settled.forEach((r, i) => {
    if (r.status === "fulfilled") results.push(r.value);
    else {
      failed.push(i);
      d.log.error("shard worker failed; its users resume next run", { shard: i, shards: count, error: r.reason as Error });
    }
  });
  await advanceUnshardedWatermarks(d, results, failed.length === 0);
  return finishRun(d, results, failed);
}

/**
 * Keeps each source's unsharded watermark at the slowest shard, so that a shard starting without its
 * own watermark (a new shard count) resumes where every user is already metered, skipping nothing.
 */
async function advanceUnshardedWatermarks(d: AggregateDeps, results: readonly ShardResult[], complete: boolean): Promise<void> {
  if (!complete) return;
  const iso = new Date(d.now()).toISOString();
  for (const source of d.sources) {
    const marks = results.map((r) => r.watermarks[source.id]);
    if (marks.some((m) => m === undefined)) continue;
    await d.store.advanceWatermark(source.id, Math.min(...(marks as number[])), iso);
  }
}
