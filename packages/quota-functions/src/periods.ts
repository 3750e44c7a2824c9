/**
 * Periods and aggregation windows. Everything is UTC: a "day" is a UTC calendar day and a "month" a
 * UTC calendar month, whatever the user's time zone, so every Lambda, the check API and the admin CLI
 * agree on which period a token belongs to. Windows are 15-minute slices aligned on the epoch; day and
 * month boundaries are multiples of 15 minutes in UTC, so each window lies in exactly one day and month.
 */

export const WINDOW_MS = 15 * 60 * 1000;

/** Window number: `floor(epoch ms / 15 min)`. */
export function windowOf(ms: number): number {
  return Math.floor(ms / WINDOW_MS);
}

export function windowStart(w: number): number {
  return w * WINDOW_MS;
}

export function windowEnd(w: number): number {
  return (w + 1) * WINDOW_MS;
}

/** `2026-11` */
export function monthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** `2026-11-26` */
export function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Period id as stored (`M#2026-11`, `D#2026-11-26`). */
export type PeriodKind = "monthly" | "daily";
export function periodId(kind: PeriodKind, ms: number): string {
  return kind === "monthly" ? `M#${monthKey(ms)}` : `D#${dayKey(ms)}`;
}

/** Start of the UTC month after the one containing `ms`. */
export function nextMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Start of the UTC day after the one containing `ms`. */
export function nextDayStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** End (exclusive) of the period containing `ms`. */
export function periodEnd(kind: PeriodKind, ms: number): number {
  return kind === "monthly" ? nextMonthStart(ms) : nextDayStart(ms);
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * When DynamoDB may delete a record (epoch seconds). Usage is kept after its period for history:
 * months for `keepMonthsDays` (default 400, so a year of `quota usage --month` works), days for 35.
 */
export function usageExpiry(kind: PeriodKind, ms: number, keepMonthsDays = 400): number {
  const keep = kind === "monthly" ? keepMonthsDays : 35;
  return Math.floor((periodEnd(kind, ms) + keep * DAY_MS) / 1000);
}

/** Parses `24h`, `7d`, `90m`; `until-reset` is resolved by the caller. Returns milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,4})([mhd])$/.exec(text.trim());
  if (!m) throw new Error(`duration "${text}" must look like 90m, 24h or 7d`);
  const n = Number(m[1]);
  const unit = m[2] === "m" ? 60_000 : m[2] === "h" ? 3_600_000 : DAY_MS;
  return n * unit;
}
