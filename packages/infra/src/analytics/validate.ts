import { isLogRetention, LOG_RETENTION_DAYS } from "../storage/retention";
import { findModel } from "../inference/models";
import type { AnalyticsPipelineArgs } from "./args";
import { NAME_PREFIX } from "../naming/patterns";

/** Athena's smallest bytes-scanned cutoff per query (10 MB). */
export const MIN_BYTES_SCANNED_CUTOFF = 10_485_760;

const wholeIn = (v: unknown, lo: number, hi: number) => typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;

/** Problems with the args, each naming the arg and the fix; empty when valid. */
export function validateAnalyticsPipelineArgs(a: AnalyticsPipelineArgs): string[] {
  const p: string[] = [];
  if (!NAME_PREFIX.test(a.namePrefix)) p.push("`namePrefix` must be 2–20 lower-case letters, digits and dashes, starting with a letter");
  if (!wholeIn(a.dataRetentionDays, 1, 36_500)) p.push("`dataRetentionDays` must be a whole number of days from 1 to 36500");
  if (a.resultsRetentionDays !== undefined && !wholeIn(a.resultsRetentionDays, 1, 365))
    p.push("`resultsRetentionDays` must be a whole number of days from 1 to 365");
  if (
    a.bytesScannedCutoffPerQuery !== undefined &&
    !(Number.isInteger(a.bytesScannedCutoffPerQuery) && a.bytesScannedCutoffPerQuery >= MIN_BYTES_SCANNED_CUTOFF)
  ) {
    p.push(`\`bytesScannedCutoffPerQuery\` must be a whole number of bytes ≥ ${MIN_BYTES_SCANNED_CUTOFF} (10 MB, Athena's minimum)`);
  }
  if (a.bufferIntervalSeconds !== undefined && !wholeIn(a.bufferIntervalSeconds, 60, 900))
    p.push("`bufferIntervalSeconds` must be a whole number from 60 to 900");
  if (a.deliveryLogRetentionDays !== undefined && !isLogRetention(a.deliveryLogRetentionDays)) {
    p.push(`\`deliveryLogRetentionDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  if ("createLogGroup" in a.source) {
    if (!isLogRetention(a.source.createLogGroup.retentionDays))
      p.push(`\`source.createLogGroup.retentionDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  for (const [i, alias] of (a.modelAliases ?? []).entries()) {
    if (!findModel(alias.baseModelId)) p.push(`\`modelAliases[${i}].baseModelId\` "${alias.baseModelId}" is not a known base model id`);
    if (typeof alias.id === "string" && alias.id.trim() === "") p.push(`\`modelAliases[${i}].id\` must not be empty`);
  }
  for (const id of Object.keys(a.priceOverrides ?? {})) {
    if (!findModel(id)) p.push(`\`priceOverrides\` names "${id}", which is not a known base model id`);
    for (const [k, v] of Object.entries(a.priceOverrides?.[id] ?? {})) {
      if (!(typeof v === "number" && Number.isFinite(v) && v >= 0))
        p.push(`\`priceOverrides["${id}"].${k}\` must be a non-negative number (USD per million tokens)`);
    }
  }
  return p;
}
