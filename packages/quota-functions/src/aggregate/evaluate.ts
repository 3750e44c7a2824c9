/**
 * Step 2, evaluate: every user with usage this month or today, against their limits (user > groups >
 * default), enforcing on the higher record. The stage mode caps every record: an alert stage never
 * blocks, whatever mode a record carries.
 */
import { capMode, evaluate, resolveLimits, type Evaluation } from "../limits.js";
import { periodId } from "../periods.js";
import { emptyUsage, usageFromItem, type UsageRecord } from "../store.js";
import { periodUsage } from "../usage.js";
import type { MonthRecords } from "./month-records.js";
import type { AggregateDeps } from "./types.js";

export interface UserEvaluation {
  readonly month: UsageRecord;
  readonly day: UsageRecord;
  readonly ev: Evaluation;
}

export interface Evaluated {
  readonly monthRecs: readonly UsageRecord[];
  readonly dayRecs: readonly UsageRecord[];
  readonly users: readonly string[];
  readonly evaluations: Map<string, UserEvaluation>;
}

/** Every user of the run's buckets with a record this month (read, or written by this run's meter). */
export async function evaluateUsers(
  d: AggregateDeps,
  now: number,
  records: MonthRecords,
  profiles: ReadonlyMap<string, readonly string[]>,
): Promise<Evaluated> {
  const monthId = periodId("monthly", now);
  const dayId = periodId("daily", now);
  // The day's counters live in the month records: one pass over the month reads both.
  const [items, limits] = await Promise.all([records.of(monthId), d.store.allLimits()]);
  const monthRecs: UsageRecord[] = [];
  const dayRecs: UsageRecord[] = [];
  for (const item of items.values()) {
    monthRecs.push(usageFromItem(item));
    if (item.day === dayId.slice(2)) dayRecs.push(usageFromItem(item, dayId));
  }
  monthRecs.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  const days = new Map(dayRecs.map((r) => [r.email, r]));
  const users = monthRecs.map((r) => r.email);
  const evaluations = new Map<string, UserEvaluation>();
  for (const month of monthRecs) {
    const email = month.email;
    const day = days.get(email) ?? emptyUsage(email, dayId);
    const eff = capMode(resolveLimits(email, profiles.get(email) ?? [], limits), d.stageMode ?? "block");
    evaluations.set(email, { month, day, ev: evaluate(eff, periodUsage(month, day, d.enforceOn), d.thresholds) });
  }
  return { monthRecs, dayRecs, users, evaluations };
}
