/**
 * Bucket leases: the month records are read, added to in memory and written back in batches (one
 * request for 25 users instead of a conditional write per user), which is only safe while no other run
 * writes the same records. Before reading a bucket a run takes its lease, a conditional write on
 * `STATE / LEASE#b07` that succeeds only when the lease is free, expired or already this run's. A run
 * that finds a bucket held gives back what it took and stops (`LeaseBusyError`): the holder meters those
 * users, and the next scheduled run catches up from the watermarks.
 *
 * The lease lasts as long as the run can live (the Lambda's remaining time, which the service enforces
 * by stopping the function) plus a margin for clock skew, so a run never writes after its lease ended;
 * the writer also checks the time before each write step (`assertHeld`). A crashed run's leases expire
 * and the next run takes them: the per-source last applied window in each record makes the resumed run
 * skip what the crashed one already wrote.
 */
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { pool, type QuotaStore } from "../store.js";

export class LeaseBusyError extends Error {
  override readonly name = "LeaseBusyError";
}

/** Margin for clock skew between runs and for the write in flight when the time check passed. */
export const LEASE_MARGIN_MS = 60_000;

const leaseKey = (bucket: number) => ({ pk: "STATE", sk: `LEASE#b${String(bucket).padStart(2, "0")}` });

export interface Leases {
  readonly owner: string;
  readonly until: number;
  /** Throws when the lease is about to end: the caller must not start another write. */
  assertHeld(now: number): void;
  release(): Promise<void>;
}

/**
 * Takes the leases of `buckets` for `owner` until `until` (epoch ms), one after the other in ascending
 * order, or throws `LeaseBusyError` at the first one held by another run, after giving back the ones it
 * took. The fixed order means two contending runs cannot each hold a part the other needs and both give
 * up: the one that reaches the lowest contested bucket first goes on.
 */
export async function takeLeases(
  store: QuotaStore,
  buckets: readonly number[],
  owner: string,
  now: number,
  until: number,
): Promise<Leases> {
  const taken: number[] = [];
  const release = async () => {
    await pool(taken, 8, (bucket) =>
      store.doc
        .send(
          new DeleteCommand({
            TableName: store.usageTable,
            Key: leaseKey(bucket),
            ConditionExpression: "#o = :o",
            ExpressionAttributeNames: { "#o": "owner" },
            ExpressionAttributeValues: { ":o": owner },
          }),
        )
        // Taken over after expiry: it is not ours to delete any more.
        .catch((e: Error) => {
          if (e.name !== "ConditionalCheckFailedException") throw e;
        }),
    );
  };
  for (const bucket of [...buckets].sort((a, b) => a - b)) {
    try {
      await store.doc.send(
        new UpdateCommand({
          TableName: store.usageTable,
          Key: leaseKey(bucket),
          UpdateExpression: "SET #o = :o, #u = :u",
          ConditionExpression: "attribute_not_exists(#u) OR #u < :now OR #o = :o",
          ExpressionAttributeNames: { "#o": "owner", "#u": "until" },
          ExpressionAttributeValues: { ":o": owner, ":u": until, ":now": now },
        }),
      );
      taken.push(bucket);
    } catch (e) {
      if ((e as Error).name !== "ConditionalCheckFailedException") {
        await release();
        throw e;
      }
      await release();
      throw new LeaseBusyError(
        `user bucket ${bucket} is being aggregated by another run; this run changed nothing and the next one catches up`,
      );
    }
  }
  return {
    owner,
    until,
    assertHeld(t: number) {
      if (t >= until - LEASE_MARGIN_MS)
        throw new Error(`the bucket leases end at ${new Date(until).toISOString()}: stopping before a write that could outlive them`);
    },
    release,
  };
}
