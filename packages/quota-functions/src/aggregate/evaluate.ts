/**
 * Step 2, evaluate: every user with usage this month or today, against their limits (user > groups >
 * default), enforcing on the higher record. The stage mode caps every record: an alert stage never
 * blocks, whatever mode a record carries.
 */
import { capMode, evaluate, resolveLimits, type Evaluation } from "../limits.js";
import { periodId } from "../periods.js";
import { emptyUsage, type UsageRecord } from "../store.js";
import { periodUsage } from "../usage.js";
import { inShard } from "./shard.js";
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

export async function evaluateUsers(d: AggregateDeps, now: number): Promise<Evaluated> {
  const monthId = periodId("monthly", now);
  const dayId = periodId("daily", now);
  // The day's counters live in the month records: one pass over the month's index reads both.
  const [{ month: allMonth, day: allDay }, limits] = await Promise.all([d.store.usageOfMonthAndDay(monthId, dayId), d.store.allLimits()]);
  // A shard evaluates (and so alerts and blocks) only its own users.
  const monthRecs = d.shard ? allMonth.filter((r) => inShard(d.shard, r.email)) : allMonth;
  const dayRecs = d.shard ? allDay.filter((r) => inShard(d.shard, r.email)) : allDay;
  const months = new Map(monthRecs.map((r) => [r.email, r]));
  const days = new Map(dayRecs.map((r) => [r.email, r]));
  const users = [...new Set([...months.keys(), ...days.keys()])].sort();
  const groups = limits.group.size > 0 ? await d.store.groupsOf(users) : new Map<string, string[]>();
  const evaluations = new Map<string, UserEvaluation>();
  for (const email of users) {
    const month = months.get(email) ?? emptyUsage(email, monthId);
    const day = days.get(email) ?? emptyUsage(email, dayId);
    const eff = capMode(resolveLimits(email, groups.get(email) ?? [], limits), d.stageMode ?? "block");
    evaluations.set(email, { month, day, ev: evaluate(eff, periodUsage(month, day, d.enforceOn), d.thresholds) });
  }
  return { monthRecs, dayRecs, users, evaluations };
}
