/**
 * The month records of a run's buckets: read once per month (strongly consistent queries, one per
 * bucket), added to in memory, and written back in batches after each window while the run holds the
 * buckets' leases (lease.ts).
 */
import { applyWindowToItem, type UsageItem, type WindowUsage } from "../apply-window.js";
import { periodId } from "../periods.js";
import { monthRecordKey, type QuotaStore, type SourceId } from "../store.js";

export class MonthRecords {
  private readonly months = new Map<string, Map<string, UsageItem>>();
  private readonly dirty = new Set<UsageItem>();

  constructor(
    private readonly store: QuotaStore,
    private readonly buckets: readonly number[],
    private readonly concurrency: number,
  ) {}

  /** Every record of `month` (`M#2026-11`) in the run's buckets, by email, as it is in memory now. */
  async of(month: string): Promise<ReadonlyMap<string, UsageItem>> {
    return this.load(month);
  }

  /** Adds one window to a user's record (created when absent); returns the sources applied. */
  async apply(a: WindowUsage): Promise<SourceId[]> {
    const month = periodId("monthly", a.at);
    const records = await this.load(month);
    const item = records.get(a.email) ?? { ...monthRecordKey(month, a.email), period: month };
    const done = applyWindowToItem(item, a);
    if (done.length > 0) {
      records.set(a.email, item);
      this.dirty.add(item);
    }
    return done;
  }

  /** Writes the changed records back; `guard` runs before each request (the lease check). */
  async flush(guard: () => void): Promise<number> {
    const items = [...this.dirty];
    await this.store.putMonthItems(items, this.concurrency, guard);
    this.dirty.clear();
    return items.length;
  }

  private async load(month: string): Promise<Map<string, UsageItem>> {
    let records = this.months.get(month);
    if (!records) {
      const items = await this.store.monthItems(month, this.buckets, this.concurrency);
      records = new Map(items.map((i) => [String(i.sk), i]));
      this.months.set(month, records);
    }
    return records;
  }
}
