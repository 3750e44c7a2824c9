/**
 * The check API's decision, pure: who is calling (from validated JWT claims or the IAM caller), which
 * limits apply, and whether new credentials may be issued. The response is the contract the credential
 * helper reads (packages/credential-helper/src/quota.ts, docs/quotas.md "Check API").
 */
import type { QuotaCheckResponse } from "@ccb/contracts";
import { looksLikeEmail, normaliseEmail, parseAssumedRoleArn } from "../identity.js";
import { capMode, evaluate, reasonOf, resolveLimits, type LimitKey, type Mode } from "../limits.js";
import type { AllLimits, UnblockRecord, UsageRecord } from "../store.js";
import { measures, periodUsage, type EnforceOn } from "../usage.js";

export interface ClaimsConfig {
  /** Claim with the user's email (`email`). */
  readonly emailClaim: string;
  /** Claims with group membership, tried in order (`groups`, `cognito:groups`). */
  readonly groupsClaims: readonly string[];
  /** Claim whose value becomes the group `department:<value>`. */
  readonly departmentClaim?: string;
  /**
   * IAM callers: only sessions of roles starting with this (`AWSReservedSSO_<permission set>_`) name a
   * user. IdC sets their session name to the user name; any other role's caller picks its own.
   */
  readonly iamRolePrefix?: string;
}

export type Caller =
  | { readonly kind: "jwt"; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly kind: "iam"; readonly userArn: string }
  | { readonly kind: "none" };

/** The HTTP API (payload 2.0) request context → caller. IAM callers are under `authorizer.iam`, not `identity`. */
export function callerOf(event: {
  requestContext?: { authorizer?: { jwt?: { claims?: Record<string, unknown> }; iam?: { userArn?: string } } };
}): Caller {
  const a = event.requestContext?.authorizer;
  if (a?.jwt?.claims) return { kind: "jwt", claims: a.jwt.claims };
  if (a?.iam?.userArn) return { kind: "iam", userArn: a.iam.userArn };
  return { kind: "none" };
}

/**
 * A claim as a list. API Gateway's JWT authorizer flattens array claims into a string such as
 * `[dev ops]`; IdPs also send JSON arrays as strings or comma-separated lists.
 */
export function claimList(v: unknown): string[] {
  if (Array.isArray(v))
    return v
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  if (typeof v !== "string") return [];
  const t = v.trim();
  if (t.startsWith("[") && t.endsWith("]")) {
    try {
      const parsed = JSON.parse(t) as unknown;
      if (Array.isArray(parsed))
        return parsed
          .map(String)
          .map((s) => s.trim())
          .filter(Boolean);
    } catch {
      return t
        .slice(1, -1)
        .split(/[\s,]+/)
        .filter(Boolean);
    }
  }
  return t
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface Identity {
  readonly email: string;
  readonly groups: readonly string[];
}

/** Identity from the caller, or undefined when it names no email (never from headers the client sets). */
export function identityOf(caller: Caller, cfg: ClaimsConfig): Identity | undefined {
  if (caller.kind === "jwt") {
    const raw = caller.claims[cfg.emailClaim];
    if (typeof raw !== "string" || !looksLikeEmail(raw.trim())) return undefined;
    const groups = new Set<string>();
    for (const c of cfg.groupsClaims) for (const g of claimList(caller.claims[c])) groups.add(g);
    const dept = cfg.departmentClaim ? caller.claims[cfg.departmentClaim] : undefined;
    if (typeof dept === "string" && dept.trim()) groups.add(`department:${dept.trim()}`);
    return { email: normaliseEmail(raw), groups: [...groups].sort() };
  }
  if (caller.kind === "iam") {
    const who = parseAssumedRoleArn(caller.userArn);
    if (!who || !looksLikeEmail(who.session)) return undefined;
    if (cfg.iamRolePrefix && !who.role.startsWith(cfg.iamRolePrefix)) return undefined;
    return { email: normaliseEmail(who.session), groups: [] };
  }
  return undefined;
}

export interface CheckAlert {
  readonly limit: LimitKey;
  readonly period: "monthly" | "daily";
  readonly percent: number;
  /** Highest threshold reached; kept for the helper, which prints `message`. */
  readonly threshold: number;
  readonly message: string;
}

/** The check API's response (the contract in @ccb/contracts), with this service's own field types. */
export interface CheckResponse extends QuotaCheckResponse {
  readonly mode: Mode;
  readonly alerts: readonly CheckAlert[];
}

const LABEL: Record<LimitKey, string> = {
  monthlyTokens: "monthly tokens",
  dailyTokens: "daily tokens",
  monthlyCostUsd: "monthly spend",
  dailyCostUsd: "daily spend",
};

export function decide(a: {
  identity: Identity;
  storedGroups?: readonly string[];
  limits: AllLimits;
  month: UsageRecord;
  day: UsageRecord;
  unblock?: UnblockRecord;
  thresholds: readonly number[];
  enforceOn: EnforceOn;
  /** The stage's mode: an alert stage never refuses (absent: each record's own mode). */
  stageMode?: Mode;
  now: number;
}): CheckResponse {
  const groups = a.identity.groups.length ? a.identity.groups : (a.storedGroups ?? []);
  const eff = capMode(resolveLimits(a.identity.email, groups, a.limits), a.stageMode ?? "block");
  const use = periodUsage(a.month, a.day, a.enforceOn);
  const ev = evaluate(eff, use, a.thresholds);
  const alerts: CheckAlert[] = ev.statuses
    .filter((s) => s.threshold !== undefined)
    .map((s) => ({
      limit: s.limit,
      period: s.period,
      percent: s.percent,
      threshold: s.threshold!,
      message: `${s.percent}% of your ${s.period === "monthly" ? "monthly" : "daily (UTC)"} ${LABEL[s.limit].split(" ")[1]} limit used`,
    }));
  const usage = {
    month: a.month.period.slice(2),
    day: a.day.period.slice(2),
    timeZone: "UTC",
    enforceOn: a.enforceOn,
    ...use,
    limits: eff.limits,
    records: {
      telemetry: { monthly: measures(a.month.tel), daily: measures(a.day.tel) },
      invocationLogs: { monthly: measures(a.month.srv), daily: measures(a.day.srv) },
    },
  };
  const policy = eff.source ? { scope: eff.source.scope, ids: eff.source.ids } : null;
  const base = { mode: ev.mode, alerts, usage, policy };
  if (!eff.source || ev.statuses.length === 0)
    return { ...base, allowed: true, reason: "no_limit", message: "No usage limit applies to you." };
  const blocking = ev.blocking[0];
  if (blocking) {
    const unblocked = a.unblock && Date.parse(a.unblock.until) > a.now;
    if (unblocked)
      return {
        ...base,
        allowed: true,
        reason: "unblocked",
        message: `Over your ${LABEL[blocking.limit]} limit, temporarily unblocked until ${a.unblock!.until}.`,
        unblockedUntil: a.unblock!.until,
      };
    const reset = blocking.period === "daily" ? "at 00:00 UTC" : "on the 1st of next month (UTC)";
    return {
      ...base,
      allowed: false,
      reason: reasonOf(blocking),
      message: `You have used ${blocking.percent}% of your ${LABEL[blocking.limit]} limit. Access resets ${reset}; ask your administrator for a temporary unblock.`,
    };
  }
  const over = ev.statuses.find((s) => s.used >= s.max);
  if (over)
    return {
      ...base,
      allowed: true,
      reason: "over_limit_alert_only",
      message: `Over your ${LABEL[over.limit]} limit (alert only; your administrator has been notified).`,
    };
  return { ...base, allowed: true, reason: "within_quota", message: "Within your usage limits." };
}
