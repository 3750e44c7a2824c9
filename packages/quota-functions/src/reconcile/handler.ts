/** Lambda entry of the daily reconciliation (EventBridge schedule); all logic is in `runReconciliation`. */
import { AthenaClient } from "@aws-sdk/client-athena";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { EnvError, QUOTA_ENV, QUOTA_METRIC_STAGE_DIMENSION, RECONCILE_ENV, requireVar, type Env } from "@ccb/contracts";
import { createLogger } from "../log.js";
import { runReconciliation } from "./run.js";

function nonNegative(env: Env, key: string): number {
  const n = Number(requireVar(env, key, "QuotaService"));
  if (!Number.isFinite(n) || n < 0) throw new EnvError(`${key} must be a number ≥ 0`);
  return n;
}

export async function handler(): Promise<{ maxAbsDriftPct: number; drifting: number }> {
  const env = process.env;
  const stage = requireVar(env, QUOTA_ENV.stage, "QuotaService");
  const namespace = requireVar(env, QUOTA_ENV.metricsNamespace, "QuotaService");
  const cw = new CloudWatchClient({});
  return runReconciliation({
    athena: new AthenaClient({}),
    workgroup: requireVar(env, RECONCILE_ENV.workgroup, "QuotaService"),
    thresholdPercent: nonNegative(env, RECONCILE_ENV.thresholdPercent),
    minUsd: nonNegative(env, RECONCILE_ENV.minUsd),
    // CUR rows for a day keep arriving for about a day after it.
    settleDays: 2,
    putMetric: async (name, value) => {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: [
            { MetricName: name, Value: value, Unit: "Percent", Dimensions: [{ Name: QUOTA_METRIC_STAGE_DIMENSION, Value: stage }] },
          ],
        }),
      );
    },
    log: createLogger("quota-reconcile"),
    now: Date.now,
  });
}
