/**
 * The daily reconciliation: run both reconciliation queries, judge the settled days, and publish the
 * largest |drift| as a metric the billed-drift alarm compares with the stage's threshold.
 */
import type { AthenaClient } from "@aws-sdk/client-athena";
import { RECONCILIATION_QUERY_NAMES } from "@ccb/contracts";
import type { Logger } from "../log.js";
import { runNamedQuery } from "./athena.js";
import { judge, openFrom, toReconRows, type Judgement, type Subject } from "./report.js";

export interface ReconcileRunDeps {
  readonly athena: AthenaClient;
  readonly workgroup: string;
  readonly thresholdPercent: number;
  readonly minUsd: number;
  readonly settleDays: number;
  readonly putMetric: (name: "BilledDriftPercentMax", value: number) => Promise<void>;
  readonly log: Logger;
  readonly now: () => number;
  readonly pollMs?: number;
}

export async function runReconciliation(d: ReconcileRunDeps): Promise<Omit<Judgement, "rows">> {
  const rows = [];
  for (const by of ["developer", "team"] as Subject[])
    rows.push(
      ...toReconRows(
        by,
        await runNamedQuery(d.athena, RECONCILIATION_QUERY_NAMES[by], { workgroup: d.workgroup, pollMs: d.pollMs ?? 2000 }),
      ),
    );
  const j = judge(rows, { thresholdPercent: d.thresholdPercent, minUsd: d.minUsd, openFrom: openFrom(d.now(), d.settleDays) });
  await d.putMetric("BilledDriftPercentMax", j.maxAbsDriftPct);
  for (const r of j.rows.filter((x) => x.verdict === "drift"))
    d.log.warn("estimate and bill disagree", {
      by: r.by,
      who: r.who,
      day: r.day,
      estimateUsd: r.estimateUsd,
      billedUsd: r.billedUsd,
      driftPct: r.driftPct,
    });
  d.log.info("reconciled", { rows: j.rows.length, drifting: j.drifting, maxAbsDriftPct: j.maxAbsDriftPct });
  return { maxAbsDriftPct: j.maxAbsDriftPct, drifting: j.drifting };
}
