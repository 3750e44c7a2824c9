/**
 * Step 3, alert: at each threshold, once per user, period and limit: the highest threshold reached is
 * claimed with one conditional write on the period record (which also marks the lower ones) before SNS
 * is called, so overlapping runs send one email per jump; a failed send releases the claim.
 */
import type { LimitStatus } from "../limits.js";
import { usageExpiry } from "../periods.js";
import { pool, type QuotaStore, type UsageRecord } from "../store.js";
import type { UserEvaluation } from "./evaluate.js";
import type { AggregateDeps } from "./types.js";

/** Sends the alerts due; returns how many were sent. */
export async function sendAlerts(d: AggregateDeps, evaluations: ReadonlyMap<string, UserEvaluation>, iso: string): Promise<number> {
  const jobs: Array<{ email: string; status: LimitStatus; record: UsageRecord; alerted: Set<string> }> = [];
  for (const [email, { month, day, ev }] of evaluations) {
    for (const s of ev.statuses) {
      if (s.threshold === undefined) continue;
      const record = s.period === "monthly" ? month : day;
      jobs.push({ email, status: s, record, alerted: new Set(record.alerted ?? []) });
    }
  }
  const history: AlertHistory[] = [];
  const sent = await pool(jobs, d.concurrency, (job) => alertOnce(d, job, iso, history));
  // The history is written after the emails, in batches: lost if the run dies in between, which only
  // shortens `quota show` (the claim on the month record is what keeps an alert from being sent twice).
  await d.store.recordAlerts(history, d.concurrency);
  return sent.reduce((a, b) => a + b, 0);
}

type AlertHistory = Parameters<QuotaStore["recordAlerts"]>[0][number];

const LABEL: Record<string, string> = {
  monthlyTokens: "monthly tokens",
  dailyTokens: "daily tokens",
  monthlyCostUsd: "monthly spend (USD)",
  dailyCostUsd: "daily spend (USD)",
};
const LEVEL = (t: number) => (t >= 100 ? "EXCEEDED" : t >= 90 ? "CRITICAL" : "WARNING");

/**
 * Claims the highest reached threshold of one limit in one conditional write that also marks the lower
 * ones, and sends one notification for it. Two overlapping runs that see the same jump race for the
 * same key, so exactly one of them sends; there are no per-threshold claims a pair of runs could split.
 * Returns 1 if sent.
 */
async function alertOnce(
  d: AggregateDeps,
  job: { email: string; status: LimitStatus; record: UsageRecord; alerted: Set<string> },
  iso: string,
  history: AlertHistory[],
): Promise<number> {
  const { email, status: s, record } = job;
  const reached = d.thresholds.filter((t) => s.percent >= t);
  const top = reached.length ? Math.max(...reached) : undefined;
  if (top === undefined || job.alerted.has(`${s.limit}#${top}`)) return 0;
  const added = await d.store.claimAlerts(
    email,
    record.period,
    `${s.limit}#${top}`,
    reached.map((t) => `${s.limit}#${t}`),
  );
  if (added === undefined) return 0;
  const claimed = added.map((k) => Number(k.slice(k.lastIndexOf("#") + 1)));
  const fmt = (v: number) => (s.limit.endsWith("CostUsd") ? `$${v.toFixed(2)}` : Math.round(v).toLocaleString("en-US"));
  const subject = `Claude Code ${LEVEL(top)} ${top}% ${LABEL[s.limit]} (${d.stage})`.slice(0, 100);
  const message = [
    `${email} has used ${s.percent}% of their ${LABEL[s.limit]} limit for ${record.period.slice(2)} (UTC).`,
    `Used: ${fmt(s.used)} of ${fmt(s.max)}. Enforcement: ${s.mode}${s.used < s.max ? "." : s.mode === "block" ? " — new credentials are refused and Bedrock calls are denied until the period resets or an admin unblocks." : " — alert only: credentials are not refused."}`,
    "",
    JSON.stringify({
      user: email,
      stage: d.stage,
      period: record.period,
      limit: s.limit,
      threshold: top,
      percent: s.percent,
      used: s.used,
      max: s.max,
      mode: s.mode,
    }),
  ].join("\n");
  try {
    await d.notify({ subject, message, attributes: { user: email, limit: s.limit, threshold: String(top), mode: s.mode } });
  } catch (e) {
    // Only the keys this claim added: a lower threshold sent by an earlier run stays sent.
    for (const t of claimed) await d.store.releaseAlert(email, record.period, `${s.limit}#${t}`).catch(() => undefined);
    d.log.error("alert not sent; released for the next run", { user: email, limit: s.limit, threshold: top, error: e as Error });
    return 0;
  }
  history.push({
    email,
    key: `${record.period}#${s.limit}#${top}`,
    fields: { sentAt: iso, percent: s.percent, used: s.used, max: s.max, mode: s.mode },
    expiresAt: usageExpiry(s.period, Date.parse(iso), 35),
  });
  d.log.info("alert sent", { user: email, limit: s.limit, threshold: top, percent: s.percent });
  return 1;
}
