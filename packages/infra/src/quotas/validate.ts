import { QUOTA_MAX_AGGREGATION_SHARDS } from "@ccb/contracts";
import { isLogRetention } from "../storage/retention";
import type { QuotaServiceArgs } from "./args";
import { validatePrice } from "./pricing";
import { NAME_PREFIX } from "../naming/patterns";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Problems with QuotaService args, each naming the arg; empty when valid. */
const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/;

export function validateQuotaServiceArgs(a: QuotaServiceArgs): string[] {
  const p: string[] = [];
  if (!NAME_PREFIX.test(a.namePrefix)) p.push("`namePrefix` must be 2–20 lower-case letters, digits, dashes");
  const d = a.defaults;
  for (const k of ["monthlyTokens", "dailyTokens", "monthlyCostUsd", "dailyCostUsd"] as const) {
    const v = d[k];
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      p.push(`\`defaults.${k}\` must be a positive number (leave it out for no limit)`);
  }
  if (d.monthlyTokens !== undefined && d.dailyTokens !== undefined && d.dailyTokens > d.monthlyTokens)
    p.push("`defaults.dailyTokens` exceeds `defaults.monthlyTokens`");
  if (d.monthlyCostUsd !== undefined && d.dailyCostUsd !== undefined && d.dailyCostUsd > d.monthlyCostUsd)
    p.push("`defaults.dailyCostUsd` exceeds `defaults.monthlyCostUsd`");
  const t = a.thresholds;
  if (t.length === 0 || t.some((x, i) => !Number.isFinite(x) || x <= 0 || x > 1000 || (i > 0 && x <= t[i - 1]!)))
    p.push("`thresholds` must be ascending percentages, e.g. [80, 90, 100]");
  a.alertEmails.forEach((e, i) => {
    if (!EMAIL.test(e)) p.push(`\`alertEmails[${i}]\` "${e}" is not an email address`);
  });
  if (!a.sources.telemetry && !a.sources.invocationLogs)
    p.push("`sources` needs `telemetry` or `invocationLogs`: there is nothing to meter");
  if (a.enforceOn === "telemetry" && !a.sources.telemetry) p.push("`enforceOn` telemetry needs `sources.telemetry`");
  if (a.enforceOn === "invocation-logs" && !a.sources.invocationLogs) p.push("`enforceOn` invocation-logs needs `sources.invocationLogs`");
  if (a.block && (!Number.isInteger(a.block.policyCount) || a.block.policyCount < 1 || a.block.policyCount > 8))
    p.push("`block.policyCount` must be 1–8 (each is a managed policy attached to the user role; roles hold 10 by default)");
  if (!isLogRetention(a.logRetentionDays)) p.push(`\`logRetentionDays\` ${a.logRetentionDays} is not a CloudWatch retention`);
  if (a.checkApi.authorization === "jwt") {
    if (!/^https:\/\/[^/\s]+(\/\S*)?$/.test(a.checkApi.issuerUrl ?? ""))
      p.push("`checkApi.issuerUrl` must be the https issuer exactly as the tokens' `iss` claim");
    if (!a.checkApi.audiences?.length || a.checkApi.audiences.some((x) => !x || x.includes("*")))
      p.push("`checkApi.audiences` must name the client id(s), without wildcards");
  }
  if (!Number.isInteger(a.checkApi.reservedConcurrency) || a.checkApi.reservedConcurrency < 1 || a.checkApi.reservedConcurrency > 1000)
    p.push("`checkApi.reservedConcurrency` must be 1–1000");
  const shards = a.aggregationShards ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > QUOTA_MAX_AGGREGATION_SHARDS)
    p.push(`\`aggregationShards\` must be a whole number from 1 to ${QUOTA_MAX_AGGREGATION_SHARDS} (1: no fan-out)`);
  if (a.drift.thresholdPercent < 1 || a.drift.thresholdPercent > 100) p.push("`drift.thresholdPercent` must be 1–100");
  const r = a.rateLimits;
  if (r) {
    if (r.tokensPerMinute === undefined && r.requestsPerMinute === undefined)
      p.push("`rateLimits` needs `tokensPerMinute` or `requestsPerMinute` (leave `rateLimits` out for none)");
    for (const k of ["tokensPerMinute", "requestsPerMinute", "cooldownMinutes"] as const) {
      const v = r[k];
      if (v !== undefined && (!Number.isInteger(v) || v <= 0)) p.push(`\`rateLimits.${k}\` must be a whole number > 0`);
    }
    if (r.cooldownMinutes > 24 * 60) p.push("`rateLimits.cooldownMinutes` must be at most 1440 (a day); budgets handle longer refusals");
    if (!Number.isInteger(r.policyCount) || r.policyCount < 1 || r.policyCount > 2)
      p.push("`rateLimits.policyCount` must be 1–2 (managed policies on the user role, next to the budget block policies)");
  }
  (a.modelAliases ?? []).forEach((m, i) => {
    if (!a.pricing.models[m.baseModelId])
      p.push(`\`modelAliases[${i}].baseModelId\` "${m.baseModelId}" has no price in \`pricing.models\``);
  });
  for (const [id, price] of Object.entries(a.pricing.models)) p.push(...validatePrice(price, `pricing.models["${id}"]`));
  p.push(...validatePrice(a.pricing.default, "pricing.default"));
  if (a.priceSource) {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(a.priceSource.region)) p.push("`priceSource.region` must be an AWS Region");
    if (!a.priceSource.models.length) p.push("`priceSource.models` must name the models the stage uses");
    if (!SCHEDULE.test(a.priceSource.schedule)) p.push("`priceSource.schedule` must be a rate() or cron() expression");
  }
  if (a.reconciliation) {
    const r = a.reconciliation;
    if (!(r.thresholdPercent > 0 && r.thresholdPercent <= 1000))
      p.push("`reconciliation.thresholdPercent` must be a percentage from 0 (exclusive) to 1000");
    if (!(r.minUsd >= 0)) p.push("`reconciliation.minUsd` must be ≥ 0");
    if (!SCHEDULE.test(r.schedule)) p.push("`reconciliation.schedule` must be a rate() or cron() expression");
  }
  return p;
}
