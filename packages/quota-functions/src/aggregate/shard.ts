/**
 * Fan-out by user-hash shard. Beyond what one function can do in a run, the scheduled function becomes a
 * dispatcher that invokes a worker once per shard; each worker meters, evaluates and alerts only the users
 * whose key hashes to its shard. Shards partition the users, so the exactly-once proofs stay per user
 * (the conditional window write and the single alert claim on the user's period record): two overlapping
 * dispatches only race on the same records, as two overlapping unsharded runs do.
 */

/** One worker's share: users with `shardOf(email, count) === index`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

export const MAX_SHARDS = 64;

/**
 * A stable 32-bit FNV-1a hash of the lower-cased user key (UTF-8), mod `count`. Stable across runs,
 * processes and Node versions (no seed), so a user always lands in the same shard for a given count.
 */
export function shardOf(email: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shard count must be a positive integer, got ${count}`);
  if (count === 1) return 0;
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(email.toLowerCase(), "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

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
