/**
 * Limits and their evaluation, pure. A limit record (default, group or user) may set any of four
 * limits; absent or 0 means "no limit" for that measure (0 never alerts, so it cannot spam). Each
 * record has an enforcement mode for monthly limits and one for daily limits.
 *
 * Precedence: the user's own record wins as a whole; else the user's groups, combined field by field
 * with the most restrictive value (lowest limit, `block` over `alert`); else the default record;
 * else no limit at all.
 */
import { isQuotaMode, parseQuotaDefaultLimits, type QuotaDefaultLimits } from "@ccb/contracts";
import type { PeriodKind } from "./periods.js";

export type Mode = "alert" | "block";
export type Scope = "default" | "group" | "user";
export type LimitKey = "monthlyTokens" | "dailyTokens" | "monthlyCostUsd" | "dailyCostUsd";
export const LIMIT_KEYS: readonly LimitKey[] = ["monthlyTokens", "dailyTokens", "monthlyCostUsd", "dailyCostUsd"];

export interface LimitRecord {
  readonly scope: Scope;
  /** `default`, a group name, or a lower-case email. */
  readonly id: string;
  readonly monthlyTokens?: number;
  readonly dailyTokens?: number;
  readonly monthlyCostUsd?: number;
  readonly dailyCostUsd?: number;
  readonly monthlyMode: Mode;
  readonly dailyMode: Mode;
  /** Per-developer rate limits (rate/): tokens and model calls per minute. */
  readonly tokensPerMinute?: number;
  readonly requestsPerMinute?: number;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
  readonly note?: string;
}

export interface EffectiveLimits {
  readonly source: { readonly scope: Scope; readonly ids: readonly string[] } | undefined;
  readonly limits: Readonly<Partial<Record<LimitKey, number>>>;
  readonly monthlyMode: Mode;
  readonly dailyMode: Mode;
}

export const periodOfLimit = (k: LimitKey): PeriodKind => (k.startsWith("monthly") ? "monthly" : "daily");

const active = (v: number | undefined): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

function limitsOf(r: LimitRecord): Partial<Record<LimitKey, number>> {
  const out: Partial<Record<LimitKey, number>> = {};
  for (const k of LIMIT_KEYS) if (active(r[k])) out[k] = r[k];
  return out;
}

/** Resolves the limits that apply to a user with the given groups. */
export function resolveLimits(
  email: string,
  groups: readonly string[],
  records: { user: ReadonlyMap<string, LimitRecord>; group: ReadonlyMap<string, LimitRecord>; default?: LimitRecord },
): EffectiveLimits {
  const own = records.user.get(email);
  if (own)
    return { source: { scope: "user", ids: [own.id] }, limits: limitsOf(own), monthlyMode: own.monthlyMode, dailyMode: own.dailyMode };
  const matched = [...new Set(groups)].map((g) => records.group.get(g)).filter((r): r is LimitRecord => r !== undefined);
  if (matched.length > 0) {
    const limits: Partial<Record<LimitKey, number>> = {};
    for (const r of matched) {
      for (const [k, v] of Object.entries(limitsOf(r)) as [LimitKey, number][])
        limits[k] = limits[k] === undefined ? v : Math.min(limits[k]!, v);
    }
    return {
      source: { scope: "group", ids: matched.map((r) => r.id).sort() },
      limits,
      monthlyMode: matched.some((r) => r.monthlyMode === "block") ? "block" : "alert",
      dailyMode: matched.some((r) => r.dailyMode === "block") ? "block" : "alert",
    };
  }
  if (records.default) {
    const d = records.default;
    return { source: { scope: "default", ids: ["default"] }, limits: limitsOf(d), monthlyMode: d.monthlyMode, dailyMode: d.dailyMode };
  }
  return { source: undefined, limits: {}, monthlyMode: "alert", dailyMode: "alert" };
}

/**
 * The stage's mode caps every record: in an alert-only stage (`quotas.mode: alert`) nobody is refused,
 * whatever mode a group or user record carries, so a record written with `--mode block` cannot turn
 * the pilot into a blocking stage. A blocking stage keeps each record's own mode.
 */
export function capMode(limits: EffectiveLimits, stageMode: Mode): EffectiveLimits {
  return stageMode === "block" ? limits : { ...limits, monthlyMode: "alert", dailyMode: "alert" };
}

/** Usage measured against limits: tokens and USD for the month and the day. */
export interface PeriodUsage {
  readonly monthlyTokens: number;
  readonly dailyTokens: number;
  readonly monthlyCostUsd: number;
  readonly dailyCostUsd: number;
}

export interface LimitStatus {
  readonly limit: LimitKey;
  readonly period: PeriodKind;
  readonly used: number;
  readonly max: number;
  readonly percent: number;
  readonly mode: Mode;
  /** Highest threshold reached (e.g. 90), or undefined below the lowest. */
  readonly threshold?: number;
}

export interface Evaluation {
  readonly statuses: readonly LimitStatus[];
  /** Limits at or over 100 % whose mode is block. */
  readonly blocking: readonly LimitStatus[];
  readonly mode: Mode;
}

/** Evaluates usage against limits; thresholds are percentages in ascending order (e.g. 80, 90, 100). */
export function evaluate(limits: EffectiveLimits, usage: PeriodUsage, thresholds: readonly number[]): Evaluation {
  const statuses: LimitStatus[] = [];
  for (const k of LIMIT_KEYS) {
    const max = limits.limits[k];
    if (!active(max)) continue;
    const used = usage[k];
    const percent = Math.round((used / max) * 10000) / 100;
    const period = periodOfLimit(k);
    const reached = thresholds.filter((t) => percent >= t);
    statuses.push({
      limit: k,
      period,
      used,
      max,
      percent,
      mode: period === "monthly" ? limits.monthlyMode : limits.dailyMode,
      ...(reached.length ? { threshold: Math.max(...reached) } : {}),
    });
  }
  const blocking = statuses.filter((s) => s.mode === "block" && s.used >= s.max);
  const mode: Mode = statuses.some((s) => s.mode === "block")
    ? "block"
    : limits.monthlyMode === "block" || limits.dailyMode === "block"
      ? "block"
      : "alert";
  return { statuses, blocking, mode };
}

/** The reason code of a blocking status, e.g. `monthly_cost_exceeded`. */
export function reasonOf(s: LimitStatus): string {
  const what = s.limit.endsWith("CostUsd") ? "cost" : "tokens";
  return `${s.period === "monthly" ? "monthly" : "daily"}_${what}_exceeded`;
}

/** A limit mode (`alert` | `block`): the contract's own check (@ccb/contracts). */
export const isMode: (v: unknown) => v is Mode = isQuotaMode;

/** The stage's default limit (the `DEFAULT_LIMITS` shape in @ccb/contracts) as the record limit resolution works with. */
export function defaultLimitRecord(d: QuotaDefaultLimits): LimitRecord {
  return { scope: "default", id: "default", updatedBy: "stage config (stage.quotas.defaults)", ...d } as unknown as LimitRecord;
}

/**
 * The stage's default limit from `DEFAULT_LIMITS` (JSON written by the QuotaService component, the
 * shape in @ccb/contracts): `{"monthlyCostUsd":200,"dailyCostUsd":40,"monthlyMode":"alert","dailyMode":"alert"}`.
 */
export function parseDefaultLimit(json: string): LimitRecord {
  return defaultLimitRecord(parseQuotaDefaultLimits(json));
}
