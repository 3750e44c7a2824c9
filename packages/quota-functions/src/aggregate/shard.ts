/**
 * Fan-out by user-hash shard. Beyond what one function can do in a run, the scheduled function becomes a
 * dispatcher that invokes a worker once per shard; each worker meters, evaluates and alerts only the users
 * whose key hashes to its shard. Shards partition the buckets (and so the users); a run holds the lease of
 * each bucket it covers (lease.ts), so two overlapping runs, whatever their shard counts, never write the
 * same user's records at once, and the alert claim stays one conditional write per user and period.
 */
import { bucketOf, USAGE_BUCKETS } from "../store-items.js";

/** One worker's share: users with `shardOf(email, count) === index`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** A shard is a set of buckets, so there are at most as many shards as buckets. */
export const MAX_SHARDS = USAGE_BUCKETS;

/**
 * The shard of a user: their bucket (store-items.ts) mod `count`. Stable across runs and processes, so
 * a user always lands in the same shard for a given count, and a shard reads whole buckets.
 */
export function shardOf(email: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shard count must be a positive integer, got ${count}`);
  return bucketOf(email) % count;
}

/** The buckets a run covers (all of them without a shard). */
export const bucketsOf = (shard: ShardSpec | undefined): number[] =>
  Array.from({ length: USAGE_BUCKETS }, (_, b) => b).filter((b) => !shard || b % shard.count === shard.index);

/** True when the run covers `email` (an unsharded run covers everyone). */
export const inShard = (shard: ShardSpec | undefined, email: string): boolean =>
  !shard || shard.count === 1 || shardOf(email, shard.count) === shard.index;

/** Suffix of a shard's watermark keys; the unsharded run keeps the plain `WATERMARK#<source>`. */
export const watermarkScope = (shard: ShardSpec | undefined): string =>
  !shard || shard.count === 1 ? "" : `#shard-${shard.index}-of-${shard.count}`;

/** Validates a shard request (the worker's event), so a bad payload fails before touching any record. */
export function parseShard(v: unknown): ShardSpec {
  const o = (v ?? {}) as { index?: unknown; count?: unknown };
  const { index, count } = o;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_SHARDS)
    throw new Error(`shard.count must be an integer from 1 to ${MAX_SHARDS}`);
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= count)
    throw new Error(`shard.index must be an integer from 0 to ${count - 1}`);
  return { index, count };
}
