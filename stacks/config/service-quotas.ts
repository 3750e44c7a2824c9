import type { ServiceQuotaKind } from "@ccb/contracts";
import type { Reader } from "./problems";

/** The model roles whose Bedrock quotas the stage watches: what every developer's Claude Code calls. */
export const QUOTA_MODEL_ROLES = ["primary", "fast"] as const;
export type QuotaModelRole = (typeof QUOTA_MODEL_ROLES)[number];

/** `stage.inference.serviceQuotaAlarms`: alarms at a percentage of the applied Bedrock quotas. On by default. */
export interface ServiceQuotaAlarmsConfig {
  readonly enabled: boolean;
  readonly thresholdPercent: number;
  /** Quota codes (`L-…`) by model role and kind, when the name lookup should not be trusted. */
  readonly quotaCodes: Readonly<Partial<Record<QuotaModelRole, Readonly<Partial<Record<ServiceQuotaKind, string>>>>>>;
}

const QUOTA_CODE = /^L-[0-9A-F]{8}$/;

export function parseServiceQuotaAlarms(r: Reader | undefined): ServiceQuotaAlarmsConfig {
  const enabled = r?.bool("enabled", true) ?? true;
  const thresholdPercent = r?.num("thresholdPercent", { min: 1, max: 99, default: 80 }) ?? 80;
  const codes = r?.child("quotaCodes", false);
  const quotaCodes: Partial<Record<QuotaModelRole, Partial<Record<ServiceQuotaKind, string>>>> = {};
  for (const role of QUOTA_MODEL_ROLES) {
    const c = codes?.child(role, false);
    if (!c) continue;
    const hint = "a Service Quotas code such as L-12345678 (Service Quotas console → Amazon Bedrock → the quota)";
    const tokens = c.optStr("tokens", { pattern: QUOTA_CODE, hint });
    const requests = c.optStr("requests", { pattern: QUOTA_CODE, hint });
    quotaCodes[role] = { ...(tokens ? { tokens } : {}), ...(requests ? { requests } : {}) };
  }
  return { enabled, thresholdPercent, quotaCodes };
}
