/**
 * Per-developer rate limits (QuotaService rate function ↔ quota-functions `rate/`): environment names,
 * the stage default, the limit record fields and the answer the check API gives while a user cools down.
 */
import { EnvError, requireVar, type Env } from "../env";

export const RATE_ENV = {
  /** `{"tokensPerMinute":200000,"requestsPerMinute":60,"cooldownMinutes":10}`: the stage default. */
  rateLimits: "RATE_LIMITS",
  limitsTable: "LIMITS_TABLE",
  usageTable: "USAGE_TABLE",
  alertTopicArn: "ALERT_TOPIC_ARN",
  /** The deny policies only the rate function writes (the budget policies stay the aggregation's). */
  blockPolicyArns: "RATE_BLOCK_POLICY_ARNS",
  blockPrincipalTag: "BLOCK_PRINCIPAL_TAG",
  quotaMode: "QUOTA_MODE",
  /** Only calls through this role count (the federated developer role). */
  roleName: "ROLE_NAME",
} as const;

/** Limit record fields (user and group records, like the budgets) that set a rate limit. */
export const RATE_LIMIT_KEYS = ["tokensPerMinute", "requestsPerMinute"] as const;
export type RateLimitKey = (typeof RATE_LIMIT_KEYS)[number];

export interface RateLimits {
  readonly tokensPerMinute?: number;
  readonly requestsPerMinute?: number;
  /** How long a user over a rate limit is denied; the same for everyone in a stage. */
  readonly cooldownMinutes: number;
}

/** The reason the check API gives while a user is denied for a rate limit (with `rateLimitedUntil`). */
export const RATE_LIMITED_REASON = "rate_limited";

/** Parses `RATE_LIMITS`; every problem names the variable. */
export function parseRateLimits(json: string): RateLimits {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new EnvError(`${RATE_ENV.rateLimits} is not JSON`);
  }
  const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
  const positive = (k: string): number | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== "number" || !Number.isFinite(o[k]) || (o[k] as number) <= 0)
      throw new EnvError(`${RATE_ENV.rateLimits}.${k} must be a positive number`);
    return o[k] as number;
  };
  const cooldownMinutes = positive("cooldownMinutes") ?? 10;
  const tpm = positive("tokensPerMinute");
  const rpm = positive("requestsPerMinute");
  return {
    ...(tpm !== undefined ? { tokensPerMinute: tpm } : {}),
    ...(rpm !== undefined ? { requestsPerMinute: rpm } : {}),
    cooldownMinutes,
  };
}

export interface RateEnv {
  readonly defaults: RateLimits;
  readonly limitsTable: string;
  readonly usageTable: string;
  readonly alertTopicArn: string;
  readonly blockPolicyArns: readonly string[];
  readonly blockPrincipalTag?: string;
  readonly mode: "alert" | "block";
  readonly roleName: string;
}

export function parseRateEnv(env: Env): RateEnv {
  const need = (k: string) => requireVar(env, k, "QuotaService");
  const mode = env[RATE_ENV.quotaMode] ?? "block";
  if (mode !== "alert" && mode !== "block") throw new EnvError(`${RATE_ENV.quotaMode} must be alert or block, not "${mode}"`);
  const arns = (env[RATE_ENV.blockPolicyArns] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    defaults: parseRateLimits(need(RATE_ENV.rateLimits)),
    limitsTable: need(RATE_ENV.limitsTable),
    usageTable: need(RATE_ENV.usageTable),
    alertTopicArn: need(RATE_ENV.alertTopicArn),
    blockPolicyArns: arns,
    ...(env[RATE_ENV.blockPrincipalTag] ? { blockPrincipalTag: env[RATE_ENV.blockPrincipalTag]! } : {}),
    mode,
    roleName: need(RATE_ENV.roleName),
  };
}
