/** Step 5, report: drift between the two records of usage, and the run's counts as CloudWatch metrics. */
import { monthKey } from "../periods.js";
import type { UsageRecord } from "../store.js";
import { driftPercent, measures } from "../usage.js";
import type { AggregateDeps, AggregateSummary } from "./types.js";

/** Users whose two records disagree this month, with the tokens each record holds. */
export function drift(d: AggregateDeps, monthRecs: readonly UsageRecord[], now: number): { driftUsers: number; driftTokens: number; telTokens: number; srvTokens: number } {
  let driftUsers = 0;
  let driftTokens = 0;
  let telTokens = 0;
  let srvTokens = 0;
  const bothSources = d.sources.some((s) => s.id === "tel") && d.sources.some((s) => s.id === "srv");
  for (const r of monthRecs) {
    const t = measures(r.tel).tokens;
    const s = measures(r.srv).tokens;
    telTokens += t;
    srvTokens += s;
    if (!bothSources) continue;
    driftTokens += Math.max(0, s - t);
    const p = driftPercent(r, d.drift.minTokens);
    if (p > d.drift.thresholdPercent) {
      driftUsers++;
      d.log.warn("usage records disagree", { user: r.email, month: monthKey(now), telemetryTokens: t, invocationLogTokens: s, driftPercent: p });
    }
  }
  return { driftUsers, driftTokens, telTokens, srvTokens };
}

export async function report(d: AggregateDeps, s: AggregateSummary, tokens: { driftTokens: number; telTokens: number; srvTokens: number }): Promise<void> {
  await d.putMetrics([
    { name: "UsersEvaluated", value: s.users, unit: "Count" },
    { name: "AlertsSent", value: s.alertsSent, unit: "Count" },
    { name: "BlockedUsers", value: s.blocked.length, unit: "Count" },
    { name: "BlockPolicyOverflowUsers", value: s.blockOverflow.length, unit: "Count" },
    { name: "UsersWithUsageDrift", value: s.driftUsers, unit: "Count" },
    { name: "UsageDriftTokens", value: tokens.driftTokens, unit: "Count" },
    { name: "TelemetryTokens", value: tokens.telTokens, unit: "Count" },
    { name: "InvocationLogTokens", value: tokens.srvTokens, unit: "Count" },
    { name: "UnpricedTokens", value: s.unpricedTokens, unit: "Count" },
    { name: "UnattributedInvocations", value: s.unattributedInvocations, unit: "Count" },
    { name: "UnknownSessionUsers", value: s.unknownSessionUsers, unit: "Count" },
    { name: "SourceErrors", value: s.sourceErrors.length, unit: "Count" },
  ]);
}
