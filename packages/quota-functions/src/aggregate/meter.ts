/**
 * Step 1, meter: for each record of usage (telemetry, invocation logs), read every settled window after
 * the source's watermark, price it per model, and add it to each user's month and day records, exactly
 * once per window (the record keeps each source's last applied window). The records change in memory;
 * after each window the changed ones are written back, then the watermarks advance. A failing source stops where it
 * is and is retried by the next run. Only users with usage are written: an idle user costs nothing.
 */
import { usageExpiry, windowOf, windowStart } from "../periods.js";
import { addCounts, costMicros, priceOf, zeroCounts, type PricingTable } from "../pricing.js";
import type { UsageSource, UserWindowUsage } from "../sources/types.js";
import type { SourceId, SourceUsage } from "../store.js";
import type { MonthRecords } from "./month-records.js";
import { inShard, watermarkScope } from "./shard.js";
import type { AggregateDeps } from "./types.js";

export interface MeterResult {
  readonly windows: Record<string, number[]>;
  readonly sourceErrors: string[];
  readonly applied: number;
  readonly duplicates: number;
  readonly unpricedTokens: number;
  /** Users the invocation logs attributed usage to in this run (by session name). */
  readonly srvUsers: Set<string>;
  /** Each source's watermark (of this shard) after the run; absent when never set. */
  readonly watermarks: Partial<Record<SourceId, number>>;
}

/** Prices one user's window: usage by kind and its cost, plus tokens priced only by the default. */
export function priceWindow(u: UserWindowUsage, pricing: PricingTable): { usage: SourceUsage; unpriced: number } {
  const usage: SourceUsage = { ...zeroCounts(), costMicros: 0 };
  let unpriced = 0;
  for (const [model, counts] of u.models) {
    const { price, source } = priceOf(pricing, model);
    addCounts(usage, counts);
    usage.costMicros += costMicros(price, counts);
    if (source === "default") unpriced += counts.input + counts.output + counts.cacheRead + counts.cacheWrite;
  }
  return { usage, unpriced };
}

/** The first window each source still has to read (capped to the backlog limit); failing sources are left out. */
async function firstWindows(d: AggregateDeps, lastSettled: number, sourceErrors: string[]): Promise<Map<UsageSource, number>> {
  const pending = new Map<UsageSource, number>();
  for (const source of d.sources) {
    try {
      // A shard without its own watermark yet (first sharded run, or a new shard count) starts from the
      // unsharded one, which the dispatcher keeps at the slowest shard: no window is skipped.
      const scope = watermarkScope(d.shard);
      const wm = (await d.store.watermark(source.id, scope)) ?? (scope ? await d.store.watermark(source.id) : undefined);
      let first = wm === undefined ? lastSettled : wm + 1;
      if (lastSettled - first + 1 > d.maxBacklogWindows) {
        const skipTo = lastSettled - d.maxBacklogWindows + 1;
        d.log.error("usage backlog too long; skipping the oldest windows", {
          source: source.id,
          from: new Date(windowStart(first)).toISOString(),
          to: new Date(windowStart(skipTo)).toISOString(),
          skipped: skipTo - first,
        });
        first = skipTo;
      }
      pending.set(source, first);
    } catch (e) {
      sourceErrors.push(source.id);
      d.log.error("reading a watermark failed; the source resumes next run", { source: source.id, error: e as Error });
    }
  }
  return pending;
}

/** Reads window `w` of every pending source; a failing source leaves `pending` and resumes next run. */
async function readWindow(d: AggregateDeps, w: number, pending: Map<UsageSource, number>, sourceErrors: string[]) {
  const reads: Array<{ source: UsageSource; data: Map<string, UserWindowUsage> }> = [];
  for (const [source, first] of pending) {
    if (w < first) continue;
    try {
      reads.push({ source, data: await source.read(w) });
    } catch (e) {
      pending.delete(source);
      sourceErrors.push(source.id);
      d.log.error("reading a usage source failed; it resumes from its watermark next run", {
        source: source.id,
        window: w,
        error: e as Error,
      });
    }
  }
  return reads;
}

/** Adds one window to every user with usage in it (in memory). */
async function applyUsers(
  d: AggregateDeps,
  records: MonthRecords,
  w: number,
  byUser: Map<string, Array<{ source: SourceId; u: UserWindowUsage }>>,
  iso: string,
) {
  const at = windowStart(w);
  const expiresAt = usageExpiry("monthly", at, d.usageRetentionDays);
  const out = { applied: 0, dup: 0, unpriced: 0 };
  for (const [email, list] of byUser) {
    const priced = list.map(({ source, u }) => ({ source, ...priceWindow(u, d.pricing), sessions: [...u.sessions] }));
    const done = await records.apply({ email, at, window: w, sources: priced, expiresAt, now: iso });
    out.applied += done.length;
    out.dup += priced.length - done.length;
    out.unpriced += priced.filter((p) => done.includes(p.source)).reduce((a, p) => a + p.unpriced, 0);
  }
  return out;
}

/**
 * Windows are applied in ascending order; the sources pending for a window are applied together, each
 * still skipped where the record already has that window. A window's records are written before its
 * watermark moves, so a run that fails in between leaves the window to the next run, which skips what
 * was written.
 */
export async function meter(d: AggregateDeps, now: number, iso: string, records: MonthRecords, guard: () => void): Promise<MeterResult> {
  const windows: Record<string, number[]> = Object.fromEntries(d.sources.map((s) => [s.id, []]));
  const sourceErrors: string[] = [];
  let applied = 0;
  let duplicates = 0;
  let unpricedTokens = 0;
  const lastSettled = windowOf(now - d.settleMs) - 1;
  const pending = await firstWindows(d, lastSettled, sourceErrors);
  // Where each source stands before this run (a source already up to date applies no window).
  const watermarks: Partial<Record<SourceId, number>> = {};
  for (const [source, first] of pending) watermarks[source.id] = first - 1;
  const srvUsers = new Set<string>();
  const firstWindow = Math.min(...pending.values());
  for (let w = firstWindow; w <= lastSettled && pending.size > 0; w++) {
    const reads = await readWindow(d, w, pending, sourceErrors);
    const byUser = new Map<string, Array<{ source: SourceId; u: UserWindowUsage }>>();
    for (const { source, data } of reads) {
      for (const [email, u] of data) {
        // Each shard reads the whole window and applies only its own users.
        if (!inShard(d.shard, email)) continue;
        byUser.set(email, [...(byUser.get(email) ?? []), { source: source.id, u }]);
        if (source.id === "srv") srvUsers.add(email);
      }
    }
    const r = await applyUsers(d, records, w, byUser, iso);
    applied += r.applied;
    duplicates += r.dup;
    unpricedTokens += r.unpriced;
    // Written window by window, so a long backlog is worked off over several runs even if one of
    // them runs out of time (a run usually has one new window: one write per active user).
    await records.flush(guard);
    for (const { source } of reads) {
      if (!pending.has(source)) continue;
      await d.store.advanceWatermark(source.id, w, iso, watermarkScope(d.shard));
      windows[source.id]!.push(w);
      watermarks[source.id] = Math.max(w, watermarks[source.id] ?? w);
    }
  }
  return { windows, sourceErrors, applied, duplicates, unpricedTokens, srvUsers, watermarks };
}

/**
 * Records no user can be charged for: a session renamed away from the email, and session names that
 * look like an email but belong to nobody who ever asked GET /check (the helper always does, and the
 * check API remembers each caller for 90 days): a session minted outside the helper under an invented
 * name, whose usage is charged to a user that does not exist.
 */
export function attribution(
  d: AggregateDeps,
  srvUsers: ReadonlySet<string>,
  profiles: ReadonlyMap<string, readonly string[]>,
): { unattributedInvocations: number; unknownSessionUsers: string[] } {
  const taken = d.sources.reduce((a, s) => a + (s.takeUnattributed?.() ?? 0), 0);
  // Every shard reads the whole window: only the first counts the records nobody can be charged for.
  const unattributedInvocations = !d.shard || d.shard.index === 0 ? taken : 0;
  if (unattributedInvocations > 0)
    d.log.warn("model invocations by the user role under a session name that is not an email were not metered", {
      records: unattributedInvocations,
    });
  const unknownSessionUsers = [...srvUsers].filter((email) => !profiles.has(email)).sort();
  if (unknownSessionUsers.length > 0)
    d.log.warn("invocation logs attribute usage to session names of users who never asked the check API", {
      users: unknownSessionUsers.slice(0, 50),
      count: unknownSessionUsers.length,
    });
  return { unattributedInvocations, unknownSessionUsers };
}
