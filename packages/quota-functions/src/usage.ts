/**
 * From the two records of usage to the numbers limits are checked against. `max` (the default)
 * enforces on the higher of client telemetry and invocation logs, measure by measure, so neither a
 * stopped client nor a lagging log delivery lets a user through.
 */
import type { PeriodUsage } from "./limits.js";
import { microsToUsd, totalTokens } from "./pricing.js";
import type { SourceUsage, UsageRecord } from "./store.js";

export type EnforceOn = "max" | "telemetry" | "invocation-logs";

export function isEnforceOn(v: unknown): v is EnforceOn {
  return v === "max" || v === "telemetry" || v === "invocation-logs";
}

function pick(enforceOn: EnforceOn, tel: number, srv: number): number {
  return enforceOn === "telemetry" ? tel : enforceOn === "invocation-logs" ? srv : Math.max(tel, srv);
}

export function measures(s: SourceUsage): { tokens: number; costUsd: number } {
  return { tokens: totalTokens(s), costUsd: microsToUsd(s.costMicros) };
}

export function periodUsage(month: UsageRecord, day: UsageRecord, enforceOn: EnforceOn): PeriodUsage {
  const mt = measures(month.tel);
  const ms = measures(month.srv);
  const dt = measures(day.tel);
  const ds = measures(day.srv);
  return {
    monthlyTokens: pick(enforceOn, mt.tokens, ms.tokens),
    monthlyCostUsd: pick(enforceOn, mt.costUsd, ms.costUsd),
    dailyTokens: pick(enforceOn, dt.tokens, ds.tokens),
    dailyCostUsd: pick(enforceOn, dt.costUsd, ds.costUsd),
  };
}

/** Relative drift between the two records in percent of the larger (0 when both are below `minTokens`). */
export function driftPercent(r: UsageRecord, minTokens: number): number {
  const tel = totalTokens(r.tel);
  const srv = totalTokens(r.srv);
  const larger = Math.max(tel, srv);
  if (larger < minTokens || larger === 0) return 0;
  return Math.round((Math.abs(srv - tel) / larger) * 10000) / 100;
}
