/**
 * The reconciliation report: per developer or team and day, the estimate beside the billed cost and
 * the drift in percent ((estimate - billed) / billed), judged against a threshold. Days still open
 * for billing (CUR lags a day or more) are shown but not judged, and days where both sides are below
 * a few dollars are noise, not drift.
 */
import type { Row } from "./athena.js";

export type Subject = "developer" | "team";

export interface ReconRow {
  readonly by: Subject;
  readonly day: string;
  readonly who: string;
  readonly estimateUsd: number;
  readonly billedUsd: number;
  /** `null` when nothing was billed (the drift of an unbilled estimate is undefined). */
  readonly driftPct: number | null;
}

export interface Judged extends ReconRow {
  readonly verdict: "ok" | "drift" | "open" | "small";
  /** |drift| as judged; an estimate with no bill at all counts as 100 %. */
  readonly absDriftPct: number;
}

export interface Judgement {
  readonly rows: Judged[];
  readonly maxAbsDriftPct: number;
  readonly drifting: number;
}

const num = (s: string | undefined) => (s === undefined || s === "" ? undefined : Number(s));

export function toReconRows(by: Subject, rows: readonly Row[]): ReconRow[] {
  return rows.map((r) => {
    const estimateUsd = num(r.estimate_usd) ?? 0;
    const billedUsd = num(r.billed_usd) ?? 0;
    const d = num(r.drift_pct);
    return {
      by,
      day: r.usage_day ?? "",
      who: r[by] ?? "(none)",
      estimateUsd,
      billedUsd,
      driftPct: d !== undefined && Number.isFinite(d) ? d : null,
    };
  });
}

export interface JudgeOptions {
  readonly thresholdPercent: number;
  readonly minUsd: number;
  /** Days on or after this date (YYYY-MM-DD) are still being billed. */
  readonly openFrom: string;
}

export function judge(rows: readonly ReconRow[], o: JudgeOptions): Judgement {
  let max = 0;
  let drifting = 0;
  const judged = rows.map((r): Judged => {
    const abs = r.driftPct === null ? (r.estimateUsd > 0 ? 100 : 0) : Math.abs(r.driftPct);
    let verdict: Judged["verdict"];
    if (r.day >= o.openFrom) verdict = "open";
    else if (Math.max(r.estimateUsd, r.billedUsd) < o.minUsd) verdict = "small";
    else verdict = abs > o.thresholdPercent ? "drift" : "ok";
    if (verdict === "drift") drifting++;
    if (verdict === "drift" || verdict === "ok") max = Math.max(max, abs);
    return { ...r, verdict, absDriftPct: abs };
  });
  return { rows: judged, maxAbsDriftPct: max, drifting };
}

/** The first day still open for billing, `settleDays` before `now` (UTC). */
export function openFrom(now: number, settleDays: number): string {
  return new Date(now - settleDays * 86_400_000).toISOString().slice(0, 10);
}

const usd = (n: number) => `$${n.toFixed(2)}`;

export function formatDrift(r: Judged): string {
  if (r.driftPct === null) return r.estimateUsd > 0 ? "no bill" : "-";
  return `${r.driftPct > 0 ? "+" : ""}${r.driftPct.toFixed(1)}%`;
}

/** Table rows (header first) for the CLI. */
export function reportTable(j: Judgement): string[][] {
  const mark = { drift: "DRIFT", ok: "", open: "open", small: "small" } as const;
  return [
    ["DAY", "BY", "WHO", "ESTIMATE", "BILLED", "DRIFT", ""],
    ...j.rows.map((r) => [r.day, r.by, r.who, usd(r.estimateUsd), usd(r.billedUsd), formatDrift(r), mark[r.verdict]]),
  ];
}
