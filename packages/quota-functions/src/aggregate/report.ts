/** Step 5, report: drift between the two records of usage, and the run's counts as CloudWatch metrics. */
import { QUOTA_METRICS } from "@ccb/contracts";
import { monthKey } from "../periods.js";
import type { UsageRecord } from "../store.js";
import { driftPercent, measures } from "../usage.js";
import type { AggregateDeps, AggregateSummary } from "./types.js";

/** Users whose two records disagree this month, with the tokens each record holds. */
export function drift(
  d: AggregateDeps,
  monthRecs: readonly UsageRecord[],
  now: number,
): { driftUsers: number; driftTokens: number; telTokens: number; srvTokens: number } {
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
      d.log.warn("usage records disagree", {
        user: r.email,
        month: monthKey(now),
        telemetryTokens: t,
        invocationLogTokens: s,
        driftPercent: p,
      });
    }
  }
  return { driftUsers, driftTokens, telTokens, srvTokens };
}

export async function report(
  d: AggregateDeps,
  s: AggregateSummary,
  tokens: { driftTokens: number; telTokens: number; srvTokens: number },
): Promise<void> {
  await d.putMetrics([
    { name: QUOTA_METRICS.usersEvaluated, value: s.users, unit: "Count" },
    { name: QUOTA_METRICS.alertsSent, value: s.alertsSent, unit: "Count" },
    { name: QUOTA_METRICS.blockedUsers, value: s.blocked.length, unit: "Count" },
    { name: QUOTA_METRICS.blockPolicyOverflowUsers, value: s.blockOverflow.length, unit: "Count" },
    { name: QUOTA_METRICS.usersWithUsageDrift, value: s.driftUsers, unit: "Count" },
    { name: QUOTA_METRICS.usageDriftTokens, value: tokens.driftTokens, unit: "Count" },
    { name: QUOTA_METRICS.telemetryTokens, value: tokens.telTokens, unit: "Count" },
    { name: QUOTA_METRICS.invocationLogTokens, value: tokens.srvTokens, unit: "Count" },
    { name: QUOTA_METRICS.unpricedTokens, value: s.unpricedTokens, unit: "Count" },
    { name: QUOTA_METRICS.unattributedInvocations, value: s.unattributedInvocations, unit: "Count" },
    { name: QUOTA_METRICS.unknownSessionUsers, value: s.unknownSessionUsers, unit: "Count" },
    { name: QUOTA_METRICS.sourceErrors, value: s.sourceErrors.length, unit: "Count" },
  ]);
}
