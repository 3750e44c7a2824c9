/**
 * One aggregation run (every 15 minutes), in five steps, each in its own module:
 *
 *   meter → evaluate → alert → enforce → report
 *
 * 1. meter.ts: every settled window of each record of usage, exactly once per user and window.
 * 2. evaluate.ts: every user with usage this month or today against their limits (capped by the stage mode).
 * 3. alert.ts: one email per user, period, limit and threshold jump.
 * 4. enforce.ts: the blocked users become the deny policies on the user role.
 * 5. report.ts: drift between the two records, counts, as CloudWatch metrics and structured logs.
 */
import { dayKey } from "../periods.js";
import { sendAlerts } from "./alert.js";
import { enforce } from "./enforce.js";
import { evaluateUsers } from "./evaluate.js";
import { attribution, meter } from "./meter.js";
import { drift, report } from "./report.js";
import type { AggregateDeps, AggregateSummary } from "./types.js";

export { priceWindow } from "./meter.js";
export type { AggregateDeps, AggregateSummary, MetricDatum, Notification } from "./types.js";

export async function runAggregation(d: AggregateDeps): Promise<AggregateSummary> {
  const now = d.now();
  const iso = new Date(now).toISOString();
  // Step durations for the summary log (operations, not tests: never asserted).
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (step: string) => {
    const t = performance.now();
    timings[step] = Math.round(t - mark);
    mark = t;
  };

  const metered = await meter(d, now, iso);
  const attributed = await attribution(d, metered.srvUsers);
  lap("meterMs");
  const { monthRecs, users, evaluations } = await evaluateUsers(d, now);
  lap("evaluateMs");
  const alertsSent = await sendAlerts(d, evaluations, iso);
  lap("alertMs");
  const { blocked, blockOverflow } = await enforce(d, evaluations, now);
  lap("enforceMs");
  const { driftUsers, ...tokens } = drift(d, monthRecs, now);
  const summary: AggregateSummary = {
    windows: metered.windows,
    applied: metered.applied,
    duplicates: metered.duplicates,
    users: users.length,
    alertsSent,
    blocked,
    blockOverflow,
    driftUsers,
    unpricedTokens: metered.unpricedTokens,
    unattributedInvocations: attributed.unattributedInvocations,
    unknownSessionUsers: attributed.unknownSessionUsers.length,
    sourceErrors: metered.sourceErrors,
  };
  await report(d, summary, tokens);
  lap("reportMs");
  d.log.info("aggregation done", { ...summary, blocked: blocked.length, blockOverflow: blockOverflow.length, day: dayKey(now), timings });
  return summary;
}
