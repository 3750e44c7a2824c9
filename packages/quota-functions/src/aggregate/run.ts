/**
 * One aggregation run (every 15 minutes):
 *
 * 1. Meter: for each record of usage (telemetry, invocation logs), read every settled window after
 *    the source's watermark, price it per model, and add it to each user's month and day records,
 *    exactly once per window (conditional on the record's last applied window). Then advance the
 *    watermark. A failing source stops where it is and is retried by the next run.
 * 2. Evaluate: every user with usage this month or today, against their limits (user > groups >
 *    default), enforcing on the higher record. Alerts at the thresholds, once per user, period, limit
 *    and threshold (a conditional update on the period record claims it before SNS is called).
 * 3. Enforce: the set of blocked users (over a blocking limit, no active unblock) becomes the deny
 *    policies on the user role; an empty set empties them (period rollover, unblock).
 * 4. Report: drift between the two records, counts, as CloudWatch metrics and structured logs.
 */
import { QUOTA_METRICS } from "@ccb/contracts";
import { sessionNameOf } from "../identity.js";
import { evaluate, resolveLimits, type Evaluation, type LimitStatus } from "../limits.js";
import type { Logger } from "../log.js";
import { dayKey, monthKey, periodId, usageExpiry, windowOf, windowStart } from "../periods.js";
import { addCounts, costMicros, priceOf, zeroCounts, type PricingTable } from "../pricing.js";
import type { UsageSource, UserWindowUsage } from "../sources/types.js";
import { emptyUsage, pool, type QuotaStore, type SourceId, type SourceUsage, type UsageRecord } from "../store.js";
import { driftPercent, measures, periodUsage, type EnforceOn } from "../usage.js";
import { packBlockPolicies, SESSION_NAME_KEY, type BlockKey, type PolicyDoc } from "../block-policy.js";

export interface Notification {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly unit: "Count" | "None";
}

export interface AggregateDeps {
  readonly store: QuotaStore;
  readonly sources: readonly UsageSource[];
  readonly pricing: PricingTable;
  /** Ascending percentages, e.g. [80, 90, 100]. */
  readonly thresholds: readonly number[];
  readonly enforceOn: EnforceOn;
  readonly notify: (n: Notification) => Promise<void>;
  readonly putMetrics: (data: readonly MetricDatum[]) => Promise<void>;
  /** Server-side block; absent when the stage does not block at the IAM layer. */
  readonly blockPolicies?: { readonly slots: number; readonly key?: BlockKey; readonly apply: (docs: readonly PolicyDoc[]) => Promise<string[]> };
  readonly drift: { readonly thresholdPercent: number; readonly minTokens: number };
  /** How long after a window's end its data is complete enough to read. */
  readonly settleMs: number;
  /** At most this many windows per source per run; older gaps are skipped with an error log. */
  readonly maxBacklogWindows: number;
  readonly concurrency: number;
  readonly usageRetentionDays: number;
  readonly stage: string;
  readonly log: Logger;
  readonly now: () => number;
}

export interface AggregateSummary {
  readonly windows: Record<string, number[]>;
  readonly applied: number;
  readonly duplicates: number;
  readonly users: number;
  readonly alertsSent: number;
  readonly blocked: string[];
  readonly blockOverflow: string[];
  readonly driftUsers: number;
  readonly unpricedTokens: number;
  /** Invocation-log records of the user role whose session name is not an email (renamed sessions). */
  readonly unattributedInvocations: number;
  /** Users the invocation logs attributed usage to in this run who never asked the check API (no profile). */
  readonly unknownSessionUsers: number;
  readonly sourceErrors: string[];
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

export async function runAggregation(d: AggregateDeps): Promise<AggregateSummary> {
  const now = d.now();
  const iso = new Date(now).toISOString();
  // Phase durations for the summary log (operations, not tests: never asserted).
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (phase: string) => {
    const t = performance.now();
    timings[phase] = Math.round(t - mark);
    mark = t;
  };
  const windows: Record<string, number[]> = {};
  const sourceErrors: string[] = [];
  let applied = 0;
  let duplicates = 0;
  let unpricedTokens = 0;

  // 1. Meter. Windows are applied in ascending order; the sources pending for a window are written
  // together (one update per user and window), each still conditioned on its own last window.
  const lastSettled = windowOf(now - d.settleMs) - 1;
  const pending = new Map<UsageSource, number>();
  for (const source of d.sources) {
    windows[source.id] = [];
    try {
      const wm = await d.store.watermark(source.id);
      let first = wm === undefined ? lastSettled : wm + 1;
      if (lastSettled - first + 1 > d.maxBacklogWindows) {
        const skipTo = lastSettled - d.maxBacklogWindows + 1;
        d.log.error("usage backlog too long; skipping the oldest windows", { source: source.id, from: new Date(windowStart(first)).toISOString(), to: new Date(windowStart(skipTo)).toISOString(), skipped: skipTo - first });
        first = skipTo;
      }
      pending.set(source, first);
    } catch (e) {
      sourceErrors.push(source.id);
      d.log.error("reading a watermark failed; the source resumes next run", { source: source.id, error: e as Error });
    }
  }
  // Users the invocation logs attributed usage to in this run (by session name, see below).
  const srvUsers = new Set<string>();
  const firstWindow = Math.min(...pending.values());
  for (let w = firstWindow; w <= lastSettled && pending.size > 0; w++) {
    const reads: Array<{ source: UsageSource; data: Map<string, UserWindowUsage> }> = [];
    for (const [source, first] of pending) {
      if (w < first) continue;
      try {
        reads.push({ source, data: await source.read(w) });
      } catch (e) {
        pending.delete(source);
        sourceErrors.push(source.id);
        d.log.error("reading a usage source failed; it resumes from its watermark next run", { source: source.id, window: w, error: e as Error });
      }
    }
    const byUser = new Map<string, Array<{ source: SourceId; u: UserWindowUsage }>>();
    for (const { source, data } of reads) {
      for (const [email, u] of data) byUser.set(email, [...(byUser.get(email) ?? []), { source: source.id, u }]);
      if (source.id === "srv") for (const email of data.keys()) srvUsers.add(email);
    }
    const at = windowStart(w);
    const results = await pool([...byUser.entries()], d.concurrency, async ([email, list]) => {
      const priced = list.map(({ source, u }) => ({ source, ...priceWindow(u, d.pricing), sessions: [...u.sessions] }));
      const done = await d.store.applyWindow({ email, at, window: w, sources: priced.map((p) => ({ source: p.source, usage: p.usage, sessions: p.sessions })), expiresAt: usageExpiry("monthly", at, d.usageRetentionDays), now: iso });
      return { applied: done.length, dup: priced.length - done.length, unpriced: priced.filter((p) => done.includes(p.source)).reduce((a, p) => a + p.unpriced, 0) };
    });
    for (const r of results) {
      applied += r.applied;
      duplicates += r.dup;
      unpricedTokens += r.unpriced;
    }
    for (const { source } of reads) {
      if (!pending.has(source)) continue;
      await d.store.advanceWatermark(source.id, w, iso);
      windows[source.id]!.push(w);
    }
  }

  // Records no user can be charged for: a session renamed away from the email (see the sources).
  const unattributedInvocations = d.sources.reduce((a, s) => a + (s.takeUnattributed?.() ?? 0), 0);
  if (unattributedInvocations > 0) d.log.warn("model invocations by the user role under a session name that is not an email were not metered", { records: unattributedInvocations });
  // Session names that look like an email but belong to nobody who ever asked GET /check (the helper
  // always does, and the check API remembers each caller for 90 days): a session minted outside the
  // helper under an invented name, whose usage is charged to a user that does not exist.
  let unknownSessionUsers: string[] = [];
  if (srvUsers.size > 0) {
    try {
      const known = await d.store.groupsOf([...srvUsers]);
      unknownSessionUsers = [...srvUsers].filter((email) => !known.has(email)).sort();
    } catch (e) {
      d.log.warn("could not look up which metered users are known", { error: e as Error });
    }
  }
  if (unknownSessionUsers.length > 0) d.log.warn("invocation logs attribute usage to session names of users who never asked the check API", { users: unknownSessionUsers.slice(0, 50), count: unknownSessionUsers.length });

  lap("meterMs");

  // 2. Evaluate.
  const monthId = periodId("monthly", now);
  const dayId = periodId("daily", now);
  const [monthRecs, dayRecs, limits] = await Promise.all([d.store.usageOfPeriod(monthId), d.store.usageOfPeriod(dayId), d.store.allLimits()]);
  const months = new Map(monthRecs.map((r) => [r.email, r]));
  const days = new Map(dayRecs.map((r) => [r.email, r]));
  const users = [...new Set([...months.keys(), ...days.keys()])].sort();
  const groups = limits.group.size > 0 ? await d.store.groupsOf(users) : new Map<string, string[]>();

  const evaluations = new Map<string, { month: UsageRecord; day: UsageRecord; ev: Evaluation }>();
  for (const email of users) {
    const month = months.get(email) ?? emptyUsage(email, monthId);
    const day = days.get(email) ?? emptyUsage(email, dayId);
    const eff = resolveLimits(email, groups.get(email) ?? [], limits);
    evaluations.set(email, { month, day, ev: evaluate(eff, periodUsage(month, day, d.enforceOn), d.thresholds) });
  }

  lap("evaluateMs");

  // Alerts.
  const alertJobs: Array<{ email: string; status: LimitStatus; record: UsageRecord; alerted: Set<string> }> = [];
  const alertedOf = await alertedSets(d.store, [...monthRecs, ...dayRecs]);
  for (const [email, { month, day, ev }] of evaluations) {
    for (const s of ev.statuses) {
      if (s.threshold === undefined) continue;
      const record = s.period === "monthly" ? month : day;
      alertJobs.push({ email, status: s, record, alerted: alertedOf.get(`${email}|${record.period}`) ?? new Set() });
    }
  }
  const sent = await pool(alertJobs, d.concurrency, (job) => alertOnce(d, job, iso));
  const alertsSent = sent.reduce((a, b) => a + b, 0);

  lap("alertMs");

  // 3. Enforce.
  const overLimit = [...evaluations].filter(([, e]) => e.ev.blocking.length > 0).map(([email]) => email);
  const unblocks = await d.store.unblocksOf(overLimit);
  const blocked = overLimit.filter((email) => {
    const u = unblocks.get(email);
    return !(u && Date.parse(u.until) > now);
  });
  let blockOverflow: string[] = [];
  if (d.blockPolicies) {
    const key = d.blockPolicies.key ?? SESSION_NAME_KEY;
    // Session names: the helper's derivation of the email plus every spelling seen in the invocation logs.
    const entries =
      key.kind === "principal-tag"
        ? blocked
        : blocked.flatMap((email) => {
            const e = evaluations.get(email)!;
            return [sessionNameOf(email), ...e.month.sessions, ...e.day.sessions];
          });
    const packed = packBlockPolicies(entries, d.blockPolicies.slots, undefined, key);
    blockOverflow = packed.overflow;
    if (blockOverflow.length) d.log.error("blocked users exceed the block policies' capacity; add policies (quotas.enforcement.blockPolicyCount)", { overflow: blockOverflow.length });
    await d.blockPolicies.apply(packed.documents);
  }
  for (const email of blocked) d.log.warn("user blocked", { user: email, reasons: evaluations.get(email)!.ev.blocking.map((s) => `${s.limit}:${s.percent}%`) });

  lap("enforceMs");

  // 4. Report.
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
  const summary: AggregateSummary = { windows, applied, duplicates, users: users.length, alertsSent, blocked, blockOverflow, driftUsers, unpricedTokens, unattributedInvocations, unknownSessionUsers: unknownSessionUsers.length, sourceErrors };
  await d.putMetrics([
    { name: QUOTA_METRICS.usersEvaluated, value: users.length, unit: "Count" },
    { name: QUOTA_METRICS.alertsSent, value: alertsSent, unit: "Count" },
    { name: QUOTA_METRICS.blockedUsers, value: blocked.length, unit: "Count" },
    { name: QUOTA_METRICS.blockPolicyOverflowUsers, value: blockOverflow.length, unit: "Count" },
    { name: QUOTA_METRICS.usersWithUsageDrift, value: driftUsers, unit: "Count" },
    { name: QUOTA_METRICS.usageDriftTokens, value: driftTokens, unit: "Count" },
    { name: QUOTA_METRICS.telemetryTokens, value: telTokens, unit: "Count" },
    { name: QUOTA_METRICS.invocationLogTokens, value: srvTokens, unit: "Count" },
    { name: QUOTA_METRICS.unpricedTokens, value: unpricedTokens, unit: "Count" },
    { name: QUOTA_METRICS.unattributedInvocations, value: unattributedInvocations, unit: "Count" },
    { name: QUOTA_METRICS.unknownSessionUsers, value: unknownSessionUsers.length, unit: "Count" },
    { name: QUOTA_METRICS.sourceErrors, value: sourceErrors.length, unit: "Count" },
  ]);
  lap("reportMs");
  d.log.info("aggregation done", { ...summary, blocked: blocked.length, blockOverflow: blockOverflow.length, day: dayKey(now), timings });
  return summary;
}

async function alertedSets(_store: QuotaStore, records: readonly UsageRecord[]): Promise<Map<string, Set<string>>> {
  return new Map(records.map((r) => [`${r.email}|${r.period}`, new Set(r.alerted ?? [])]));
}

const LABEL: Record<string, string> = { monthlyTokens: "monthly tokens", dailyTokens: "daily tokens", monthlyCostUsd: "monthly spend (USD)", dailyCostUsd: "daily spend (USD)" };
const LEVEL = (t: number) => (t >= 100 ? "EXCEEDED" : t >= 90 ? "CRITICAL" : "WARNING");

/** Claims every newly reached threshold of one limit; sends one notification for the highest. Returns 1 if sent. */
async function alertOnce(d: AggregateDeps, job: { email: string; status: LimitStatus; record: UsageRecord; alerted: Set<string> }, iso: string): Promise<number> {
  const { email, status: s, record } = job;
  const reached = d.thresholds.filter((t) => s.percent >= t && !job.alerted.has(`${s.limit}#${t}`));
  if (reached.length === 0) return 0;
  const claimed: number[] = [];
  for (const t of reached) if (await d.store.claimAlert(email, record.period, `${s.limit}#${t}`)) claimed.push(t);
  if (claimed.length === 0) return 0;
  const top = Math.max(...claimed);
  const fmt = (v: number) => (s.limit.endsWith("CostUsd") ? `$${v.toFixed(2)}` : Math.round(v).toLocaleString("en-US"));
  const subject = `Claude Code ${LEVEL(top)} ${top}% ${LABEL[s.limit]} (${d.stage})`.slice(0, 100);
  const message = [
    `${email} has used ${s.percent}% of their ${LABEL[s.limit]} limit for ${record.period.slice(2)} (UTC).`,
    `Used: ${fmt(s.used)} of ${fmt(s.max)}. Enforcement: ${s.mode}${s.mode === "block" && s.used >= s.max ? " — new credentials are refused and Bedrock calls are denied until the period resets or an admin unblocks." : "."}`,
    "",
    JSON.stringify({ user: email, stage: d.stage, period: record.period, limit: s.limit, threshold: top, percent: s.percent, used: s.used, max: s.max, mode: s.mode }),
  ].join("\n");
  try {
    await d.notify({ subject, message, attributes: { user: email, limit: s.limit, threshold: String(top), mode: s.mode } });
  } catch (e) {
    for (const t of claimed) await d.store.releaseAlert(email, record.period, `${s.limit}#${t}`).catch(() => undefined);
    d.log.error("alert not sent; released for the next run", { user: email, limit: s.limit, threshold: top, error: e as Error });
    return 0;
  }
  await d.store.recordAlert(email, `${record.period}#${s.limit}#${top}`, { sentAt: iso, percent: s.percent, used: s.used, max: s.max, mode: s.mode }, usageExpiry(s.period, Date.parse(iso), 35));
  d.log.info("alert sent", { user: email, limit: s.limit, threshold: top, percent: s.percent });
  return 1;
}
