/**
 * `quota reconcile`: runs the reconciliation named queries in Athena and prints, per developer and
 * per team and day, the estimate, the billed cost and the drift; exits 1 when a settled day drifts
 * beyond --threshold, so a scheduled job or CI step can fail on it.
 */
import { readFileSync } from "node:fs";
import type { AthenaClient } from "@aws-sdk/client-athena";
import { RECONCILIATION_QUERY_NAMES } from "@ccb/contracts";
import { runNamedQuery } from "../reconcile/athena.js";
import { judge, openFrom, reportTable, toReconRows, type ReconRow, type Subject } from "../reconcile/report.js";
import { CliError, table, type Flags } from "./common.js";

export interface ReconcileDeps {
  readonly athena: AthenaClient;
  readonly workgroup: string;
  readonly out: (line: string) => void;
  readonly now: () => number;
  /** Poll interval; tests shorten it. */
  readonly pollMs?: number;
}

function numberFlag(v: Flags, name: string, fallback: number, min: number): number {
  const raw = v[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || !Number.isFinite(n) || n < min) throw new CliError(`--${name} "${String(raw)}" must be a number ≥ ${min}`);
  return n;
}

/** The workgroup from --workgroup, CCB_ATHENA_WORKGROUP or the stack outputs (`analyticsWorkgroup`). */
export function resolveWorkgroup(v: Flags, env: NodeJS.ProcessEnv): string {
  if (typeof v.workgroup === "string") return v.workgroup;
  if (env.CCB_ATHENA_WORKGROUP) return env.CCB_ATHENA_WORKGROUP;
  if (typeof v.outputs === "string") {
    try {
      const o = JSON.parse(readFileSync(v.outputs, "utf8")) as Record<string, unknown>;
      if (typeof o.analyticsWorkgroup === "string") return o.analyticsWorkgroup;
    } catch (e) {
      throw new CliError(`--outputs ${v.outputs}: ${(e as Error).message}`);
    }
  }
  throw new CliError(
    "which Athena workgroup? pass --workgroup, set CCB_ATHENA_WORKGROUP, or --outputs with the stack's analyticsWorkgroup",
  );
}

export async function reconcile(d: ReconcileDeps, v: Flags, json: boolean): Promise<number> {
  const threshold = numberFlag(v, "threshold", 10, 0);
  const minUsd = numberFlag(v, "min-usd", 1, 0);
  const settleDays = numberFlag(v, "settle-days", 2, 0);
  const by = typeof v.by === "string" ? v.by : "both";
  if (!["developer", "team", "both"].includes(by)) throw new CliError(`--by "${by}": developer, team or both`);
  const subjects: Subject[] = by === "both" ? ["developer", "team"] : [by as Subject];
  const rows: ReconRow[] = [];
  for (const s of subjects) {
    const result = await runNamedQuery(d.athena, RECONCILIATION_QUERY_NAMES[s], { workgroup: d.workgroup, pollMs: d.pollMs ?? 1000 });
    rows.push(...toReconRows(s, result));
  }
  const j = judge(rows, { thresholdPercent: threshold, minUsd, openFrom: openFrom(d.now(), settleDays) });
  if (json) d.out(JSON.stringify({ thresholdPercent: threshold, maxAbsDriftPct: j.maxAbsDriftPct, drifting: j.drifting, rows: j.rows }));
  else {
    if (j.rows.length) table(reportTable(j), d.out);
    else d.out("no estimate or billed cost in the window");
    d.out(
      j.drifting
        ? `${j.drifting} developer/team day(s) drift beyond ±${threshold}% (largest ${j.maxAbsDriftPct.toFixed(1)}%)`
        : `no settled day drifts beyond ±${threshold}% (largest ${j.maxAbsDriftPct.toFixed(1)}%)`,
    );
  }
  return j.drifting ? 1 : 0;
}
