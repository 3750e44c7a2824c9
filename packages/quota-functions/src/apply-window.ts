import { dayKey } from "./periods.js";
import { field, FIELDS, list, SOURCES, type SourceId, type SourceUsage } from "./store-items.js";

/** One window of one user's usage, per source. */
export interface WindowUsage {
  readonly email: string;
  readonly at: number;
  readonly window: number;
  readonly sources: ReadonlyArray<{ readonly source: SourceId; readonly usage: SourceUsage; readonly sessions?: readonly string[] }>;
  readonly expiresAt: number;
  readonly now: string;
}

/** A month record as stored (store.ts documents the attributes). */
export type UsageItem = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/**
 * Adds one window's usage of one or more sources to a user's month record (month and day counters),
 * in memory, exactly once per source: a source whose last applied window (`<source>_lw`) is this window
 * or a later one is skipped (a retry, or a run that resumes after a crash). The day's counters restart
 * when the first window of a new day arrives, so an idle user's yesterday never counts as today; a
 * window of an earlier day than the record's (a lagging source) adds to the month only. Returns the
 * sources applied. The caller writes the record back while it holds the lease of the user's bucket
 * (lease.ts), which is what makes the read-add-write safe.
 */
export function applyWindowToItem(item: UsageItem, a: WindowUsage): SourceId[] {
  const sources = a.sources.filter((s) => {
    const last = item[`${s.source}_lw`];
    return !(typeof last === "number" && last >= a.window);
  });
  if (sources.length === 0) return [];
  const day = dayKey(a.at);
  const seen = typeof item.day === "string" ? item.day : undefined;
  const mode = seen === undefined || seen < day ? "new-day" : seen > day ? "old-day" : "same-day";
  if (mode === "new-day") {
    for (const s of SOURCES) for (const short of Object.values(FIELDS)) delete item[field(s, short, true)];
    item.day = day;
  }
  const sessions = new Set(list(item.sessions));
  for (const src of sources) {
    const s = src.source;
    item[`${s}_lw`] = a.window;
    for (const [k, short] of Object.entries(FIELDS) as [keyof SourceUsage, string][]) {
      const v = src.usage[k];
      item[field(s, short, false)] = num(item[field(s, short, false)]) + v;
      if (mode !== "old-day") item[field(s, short, true)] = num(item[field(s, short, true)]) + v;
    }
    for (const x of src.sessions ?? []) sessions.add(x);
  }
  if (sessions.size > 0) item.sessions = sessions;
  item.email = a.email;
  item.expiresAt = a.expiresAt;
  item.updatedAt = a.now;
  return sources.map((s) => s.source);
}
