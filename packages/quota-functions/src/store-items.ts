import { QUOTA_PROFILE_PARTITION_PREFIX } from "@ccb/contracts";
import { isMode, type LimitRecord, type Mode, type Scope } from "./limits.js";
import { zeroCounts, type TokenCounts } from "./pricing.js";

/** Item shapes of the quota tables and their mapping to records (the key schema is in store.ts). */

/** The two records of usage: client telemetry and Bedrock invocation logs (server). */
export type SourceId = "tel" | "srv";
export const SOURCES: readonly SourceId[] = ["tel", "srv"];

export interface SourceUsage extends TokenCounts {
  costMicros: number;
}

export interface UsageRecord {
  readonly email: string;
  readonly period: string;
  readonly tel: SourceUsage;
  readonly srv: SourceUsage;
  /** Role session names seen in invocation logs (as the user's IdP spells the email). */
  readonly sessions: readonly string[];
  /** Alert keys (`<limit>#<threshold>`) already sent for this period. */
  readonly alerted?: readonly string[];
  readonly updatedAt?: string;
}

export interface UnblockRecord {
  readonly email: string;
  readonly until: string;
  readonly by: string;
  readonly reason: string;
  readonly at: string;
}

export const FIELDS: Record<keyof SourceUsage, string> = {
  input: "in",
  output: "out",
  cacheRead: "cr",
  cacheWrite: "cw",
  costMicros: "cost",
};

export const userPk = (email: string) => `USER#${email}`;

/**
 * Users are spread over a fixed number of buckets by a stable hash of their key. A month's records and
 * the profiles live in one partition per bucket, so the aggregation reads a shard's users with a few
 * strongly consistent queries (no index, no per-user read), and a shard is a set of buckets.
 */
export const USAGE_BUCKETS = 64;

/**
 * A stable 32-bit FNV-1a hash of the lower-cased user key (UTF-8), mod `USAGE_BUCKETS`. Stable across
 * runs, processes and Node versions (no seed), so a user always lands in the same bucket.
 */
export function bucketOf(email: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(email.toLowerCase(), "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % USAGE_BUCKETS;
}

const bucketTag = (b: number) => `b${String(b).padStart(2, "0")}`;

/** Partition of one bucket's records of a month: `M#2026-11#b07`. */
export const monthPartition = (month: string, bucket: number) => `${month}#${bucketTag(bucket)}`;

/** Key of a user's month record (`M#2026-11#b07` / email). */
export const monthRecordKey = (month: string, email: string) => ({ pk: monthPartition(month, bucketOf(email)), sk: email });

/** Partition of one bucket's profiles: `PROFILE#b07`. */
export const profilePartition = (bucket: number) => `${QUOTA_PROFILE_PARTITION_PREFIX}${bucketTag(bucket)}`;

/** Key of a user's temporary unblock: `UNBLOCK#b07` / email (the aggregation reads a bucket's in one query). */
export const unblockKey = (email: string) => ({ pk: unblockPartition(bucketOf(email)), sk: email });
export const unblockPartition = (bucket: number) => `UNBLOCK#${bucketTag(bucket)}`;

/** Key of a user's profile (groups last seen by the check API). */
export const profileKey = (email: string) => ({ pk: profilePartition(bucketOf(email)), sk: email });

/** Attribute of a counter: `tel_in` (month) or `tel_day_in` (the record's current day). */
export const field = (s: SourceId, short: string, day: boolean) => `${s}_${day ? "day_" : ""}${short}`;
/** `D#2026-11-26` → `M#2026-11`. */
export const monthOfDay = (dayPeriod: string): string => `M#${dayPeriod.slice(2, 9)}`;

function readSource(item: Record<string, unknown>, s: SourceId, day: boolean): SourceUsage {
  const out: SourceUsage = { ...zeroCounts(), costMicros: 0 };
  for (const [k, short] of Object.entries(FIELDS) as [keyof SourceUsage, string][]) out[k] = Number(item[field(s, short, day)] ?? 0);
  return out;
}

export const list = (v: unknown): string[] => (v instanceof Set ? [...(v as Set<string>)] : Array.isArray(v) ? (v as string[]) : []);

/**
 * A month record as the month's usage, or (`day` = `D#2026-11-26`) as that day's usage: zero when the
 * record's current day is another one (the user has not been active that day).
 */
export function usageFromItem(item: Record<string, unknown>, day?: string): UsageRecord {
  const email = String(item.email ?? item.sk);
  if (day && item.day !== day.slice(2)) return emptyUsage(email, day);
  const sessions = list(item.sessions);
  const all = list(item.alerted);
  const alerted = day
    ? all.filter((k) => k.startsWith(`${day}#`)).map((k) => k.slice(day.length + 1))
    : all.filter((k) => !k.startsWith("D#"));
  return {
    email,
    period: day ?? String(item.period),
    tel: readSource(item, "tel", day !== undefined),
    srv: readSource(item, "srv", day !== undefined),
    sessions: sessions.sort(),
    ...(alerted.length ? { alerted: alerted.sort() } : {}),
    ...(typeof item.updatedAt === "string" ? { updatedAt: item.updatedAt } : {}),
  };
}

export function emptyUsage(email: string, period: string): UsageRecord {
  return { email, period, tel: { ...zeroCounts(), costMicros: 0 }, srv: { ...zeroCounts(), costMicros: 0 }, sessions: [] };
}

export function limitFromItem(item: Record<string, unknown>): LimitRecord {
  const num = (k: string) => (typeof item[k] === "number" ? (item[k] as number) : undefined);
  const mode = (k: string): Mode => (isMode(item[k]) ? (item[k] as Mode) : "alert");
  const r: Record<string, unknown> = {
    scope: item.scope as Scope,
    id: String(item.id),
    monthlyMode: mode("monthlyMode"),
    dailyMode: mode("dailyMode"),
  };
  for (const k of ["monthlyTokens", "dailyTokens", "monthlyCostUsd", "dailyCostUsd", "tokensPerMinute", "requestsPerMinute"])
    if (num(k) !== undefined) r[k] = num(k);
  for (const k of ["updatedAt", "updatedBy", "note"]) if (typeof item[k] === "string") r[k] = item[k];
  return r as unknown as LimitRecord;
}

export interface AllLimits {
  readonly user: Map<string, LimitRecord>;
  readonly group: Map<string, LimitRecord>;
  readonly default?: LimitRecord;
}

/** Alert keys live on the month record; a day's keys carry the day (`D#2026-11-26#dailyTokens#80`). */
export function alertSlot(period: string, key: string): { month: string; stored: string } {
  return period.startsWith("D#") ? { month: monthOfDay(period), stored: `${period}#${key}` } : { month: period, stored: key };
}

export function unblockFromItem(email: string, i: Record<string, unknown>): UnblockRecord {
  return { email, until: String(i.until), by: String(i.by ?? ""), reason: String(i.reason ?? ""), at: String(i.at ?? "") };
}
