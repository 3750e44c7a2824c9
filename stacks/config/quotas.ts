import { QUOTA_MAX_AGGREGATION_SHARDS } from "@ccb/contracts";
import type { ConfigProblems, Reader } from "./problems";
import { EMAIL } from "./problems";

/**
 * The `stage.quotas` section. Off unless the stage enables it. Limits for users and groups live in
 * DynamoDB (set with `npm run quota -- set …`); the stage config holds the default limit, the
 * enforcement mode, alerting and how usage is metered.
 */
export type QuotaMode = "alert" | "block";

export interface ModelPriceConfig {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export interface QuotaConfig {
  readonly enabled: boolean;
  /** `alert` notifies only; `block` also refuses credentials and denies Bedrock at the IAM layer. */
  readonly mode: QuotaMode;
  readonly defaults: {
    readonly monthlyTokens?: number;
    readonly dailyTokens?: number;
    readonly monthlyCostUsd?: number;
    readonly dailyCostUsd?: number;
    readonly monthlyMode: QuotaMode;
    readonly dailyMode: QuotaMode;
  };
  readonly thresholds: readonly number[];
  readonly alertEmails: readonly string[];
  readonly enforceOn: "max" | "telemetry" | "invocation-logs";
  readonly check: {
    readonly authorization: "jwt" | "iam";
    readonly failMode: "open" | "closed";
    readonly timeoutMs: number;
    readonly missingIdentity: "allow" | "block";
    readonly rateLimit: number;
    readonly burstLimit: number;
    readonly reservedConcurrency: number;
  };
  readonly serverSideBlock: boolean;
  readonly blockPolicyCount: number;
  readonly sources: {
    /** `auto`: on when the stage's telemetry area is on. */
    readonly telemetry: "auto" | boolean;
    /** `auto`: on when the inference account writes invocation logs. */
    readonly invocationLogs: "auto" | boolean;
    readonly invocationLogsKeyPrefix: string;
  };
  readonly drift: { readonly thresholdPercent: number; readonly minTokens: number };
  /** Price overrides by Bedrock model id (USD per million tokens). */
  readonly pricing: Readonly<Record<string, ModelPriceConfig>>;
  readonly logRetentionDays: number;
  readonly usageRetentionDays: number;
  readonly settleMinutes: number;
  /** User-hash shards of one aggregation run (1: one function covers everyone; N: a dispatcher and N workers). */
  readonly aggregationShards: number;
  readonly deletionProtection: boolean;
  /** Per-developer tokens and model calls per minute; a user past one is denied for a cool-down. */
  readonly rateLimits: RateLimitConfig;
  /** Bedrock prices from the AWS Price List on a schedule; `pricing` and the catalog stay the fallback. */
  readonly priceSource: { readonly enabled: boolean; readonly schedule: string };
}

/** EventBridge schedule expressions the cost functions accept. */
export const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/;

export interface RateLimitConfig {
  readonly enabled: boolean;
  readonly tokensPerMinute?: number;
  readonly requestsPerMinute?: number;
  readonly cooldownMinutes: number;
  readonly policyCount: number;
}

const RATE_OFF: RateLimitConfig = { enabled: false, cooldownMinutes: 10, policyCount: 1 };

/**
 * `stage.quotas.rateLimits`: off unless enabled; it reads the invocation-log group. Without the
 * server-side block (alert stages) a cool-down is recorded and alerted but nobody is denied.
 */
function parseRateLimits(r: Reader, p: ConfigProblems, invocationLogs: "auto" | boolean): RateLimitConfig {
  const rl = r.child("rateLimits", false);
  if (!rl || !rl.bool("enabled", false)) return RATE_OFF;
  const tokensPerMinute = rl.has("tokensPerMinute") ? rl.num("tokensPerMinute", { min: 1, max: 1e9 }) : undefined;
  const requestsPerMinute = rl.has("requestsPerMinute") ? rl.num("requestsPerMinute", { min: 1, max: 1e6 }) : undefined;
  if (tokensPerMinute === undefined && requestsPerMinute === undefined)
    p.add(
      rl.key("enabled"),
      "needs tokensPerMinute or requestsPerMinute (the stage default; `npm run quota -- set … --tpm --rpm` overrides per user or group)",
    );
  if (invocationLogs === false) p.add(rl.key("enabled"), "needs sources.invocationLogs: the rate function reads the invocation-log group");
  return {
    enabled: true,
    ...(tokensPerMinute !== undefined ? { tokensPerMinute } : {}),
    ...(requestsPerMinute !== undefined ? { requestsPerMinute } : {}),
    cooldownMinutes: rl.num("cooldownMinutes", { min: 1, max: 1440, default: 10 }),
    policyCount: rl.num("policyCount", { min: 1, max: 2, default: 1 }),
  };
}

const OFF: QuotaConfig = {
  enabled: false,
  mode: "alert",
  defaults: { monthlyMode: "alert", dailyMode: "alert" },
  thresholds: [80, 90, 100],
  alertEmails: [],
  enforceOn: "max",
  check: {
    authorization: "jwt",
    failMode: "open",
    timeoutMs: 3000,
    missingIdentity: "allow",
    rateLimit: 50,
    burstLimit: 100,
    reservedConcurrency: 20,
  },
  serverSideBlock: false,
  blockPolicyCount: 2,
  sources: { telemetry: "auto", invocationLogs: "auto", invocationLogsKeyPrefix: "" },
  drift: { thresholdPercent: 20, minTokens: 100_000 },
  pricing: {},
  logRetentionDays: 90,
  usageRetentionDays: 400,
  settleMinutes: 10,
  aggregationShards: 1,
  deletionProtection: true,
  rateLimits: RATE_OFF,
  priceSource: { enabled: false, schedule: "rate(1 day)" },
};

function autoOrBool(r: Reader, k: string): "auto" | boolean {
  const v = r.raw[k];
  if (v === undefined || v === "auto") return "auto";
  if (typeof v === "boolean") return v;
  r.p.add(r.key(k), `must be auto, true or false (got ${JSON.stringify(v)})`);
  return "auto";
}

export function parseQuotaConfig(r: Reader | undefined, p: ConfigProblems): QuotaConfig {
  const enabled = r?.bool("enabled", false) ?? false;
  if (!r || !enabled) return OFF;
  const mode = r.oneOf("mode", ["alert", "block"] as const, "alert");

  const d = r.child("defaults", false);
  const limit = (k: string, max: number): number | undefined => {
    if (!d || !d.has(k)) return undefined;
    const v = d.num(k, { min: 0, max, integer: !k.endsWith("Usd") });
    if (v === 0) {
      p.add(d.key(k), "0 would mean no limit; remove the key instead");
      return undefined;
    }
    return v;
  };
  const monthlyTokens = limit("monthlyTokens", 1e13);
  const dailyTokens = limit("dailyTokens", 1e12);
  const monthlyCostUsd = limit("monthlyCostUsd", 1e6);
  const dailyCostUsd = limit("dailyCostUsd", 1e5);
  const defaults = {
    ...(monthlyTokens !== undefined ? { monthlyTokens } : {}),
    ...(dailyTokens !== undefined ? { dailyTokens } : {}),
    ...(monthlyCostUsd !== undefined ? { monthlyCostUsd } : {}),
    ...(dailyCostUsd !== undefined ? { dailyCostUsd } : {}),
    monthlyMode: d?.oneOf("monthlyMode", ["alert", "block"] as const, mode) ?? mode,
    dailyMode: d?.oneOf("dailyMode", ["alert", "block"] as const, mode) ?? mode,
  };
  if (d && Object.keys(defaults).length === 2)
    p.add(r.key("defaults"), "sets no limit; give monthlyCostUsd (recommended), dailyCostUsd, monthlyTokens or dailyTokens");
  if (!d)
    p.add(
      r.key("defaults"),
      "is required: the limit everyone without a user or group record gets, e.g. { monthlyCostUsd: 200, dailyCostUsd: 30 }",
    );
  if (defaults.dailyTokens && defaults.monthlyTokens && defaults.dailyTokens > defaults.monthlyTokens)
    p.add(d!.key("dailyTokens"), "is larger than monthlyTokens");
  if (defaults.dailyCostUsd && defaults.monthlyCostUsd && defaults.dailyCostUsd > defaults.monthlyCostUsd)
    p.add(d!.key("dailyCostUsd"), "is larger than monthlyCostUsd");
  if (mode === "alert" && (defaults.monthlyMode === "block" || defaults.dailyMode === "block"))
    p.add(r.key("mode"), "is alert but defaults block; set mode: block to enforce");

  const thresholdsRaw = r.raw.thresholds ?? [80, 90, 100];
  let thresholds: number[] = [80, 90, 100];
  if (
    !Array.isArray(thresholdsRaw) ||
    thresholdsRaw.length === 0 ||
    !thresholdsRaw.every((t) => typeof t === "number" && t > 0 && t <= 1000) ||
    thresholdsRaw.some((t, i) => i > 0 && t <= thresholdsRaw[i - 1])
  ) {
    p.add(r.key("thresholds"), "must be ascending percentages such as [80, 90, 100]");
  } else if (thresholdsRaw.some((t) => !Number.isInteger(t))) {
    // 0.8 would alert at 0.8 % of the limit, i.e. on the first request of every period.
    p.add(
      r.key("thresholds"),
      `are percentages, not fractions: ${JSON.stringify(thresholdsRaw)} would alert at ${thresholdsRaw.map((t) => `${t} %`).join(", ")} of the limit; write whole percentages such as [80, 90, 100]`,
    );
  } else thresholds = thresholdsRaw as number[];

  const c = r.child("check", false);
  const failMode =
    c?.oneOf("failMode", ["open", "closed"] as const, mode === "block" ? "closed" : "open") ?? (mode === "block" ? "closed" : "open");
  const check = {
    authorization: c?.oneOf("authorization", ["jwt", "iam"] as const, "jwt") ?? "jwt",
    failMode,
    timeoutMs: c?.num("timeoutMs", { min: 100, max: 30000, default: 3000 }) ?? 3000,
    missingIdentity:
      c?.oneOf("missingIdentity", ["allow", "block"] as const, mode === "block" ? "block" : "allow") ??
      (mode === "block" ? "block" : "allow"),
    rateLimit: c?.num("rateLimit", { min: 1, max: 10000, default: 50 }) ?? 50,
    burstLimit: c?.num("burstLimit", { min: 1, max: 5000, default: 100 }) ?? 100,
    reservedConcurrency: c?.num("reservedConcurrency", { min: 1, max: 1000, default: 20 }) ?? 20,
  };

  const e = r.child("enforcement", false);
  const serverSideBlock = e?.bool("serverSideBlock", mode === "block") ?? mode === "block";
  if (serverSideBlock && mode !== "block") p.add(e!.key("serverSideBlock"), "only applies with mode: block");
  const s = r.child("sources", false);
  const drift = r.child("drift", false);

  const pricing: Record<string, ModelPriceConfig> = {};
  const pr = r.child("pricing", false);
  for (const [id, v] of Object.entries(pr?.raw ?? {})) {
    const pm = pr!.child(id);
    if (!pm) continue;
    pricing[id] = {
      input: pm.num("input", { min: 0, max: 1000, integer: false }),
      output: pm.num("output", { min: 0, max: 1000, integer: false }),
      cacheRead: pm.num("cacheRead", { min: 0, max: 1000, integer: false }),
      cacheWrite: pm.num("cacheWrite", { min: 0, max: 1000, integer: false }),
    };
    void v;
  }

  const logRetentionDays = r.retention("logRetentionDays", 90);

  return {
    enabled: true,
    mode,
    defaults,
    thresholds,
    alertEmails: r.strList("alertEmails", { default: [], pattern: EMAIL, hint: "email addresses that receive quota alerts" }),
    enforceOn: r.oneOf("enforceOn", ["max", "telemetry", "invocation-logs"] as const, "max"),
    check,
    serverSideBlock,
    blockPolicyCount: e?.num("blockPolicyCount", { min: 1, max: 8, default: 2 }) ?? 2,
    sources: {
      telemetry: s ? autoOrBool(s, "telemetry") : "auto",
      invocationLogs: s ? autoOrBool(s, "invocationLogs") : "auto",
      invocationLogsKeyPrefix:
        s && s.raw.invocationLogsKeyPrefix !== ""
          ? s.str("invocationLogsKeyPrefix", {
              default: "",
              pattern: /^([\w!.*'()-]+\/)*$/,
              hint: "an S3 key prefix ending with /, or empty",
            })
          : "",
    },
    drift: {
      thresholdPercent: drift?.num("thresholdPercent", { min: 1, max: 100, default: 20 }) ?? 20,
      minTokens: drift?.num("minTokens", { min: 0, max: 1e12, default: 100_000 }) ?? 100_000,
    },
    pricing,
    logRetentionDays,
    usageRetentionDays: r.num("usageRetentionDays", { min: 35, max: 3650, default: 400 }),
    settleMinutes: r.num("settleMinutes", { min: 0, max: 120, default: 10 }),
    aggregationShards: r.num("aggregationShards", { min: 1, max: QUOTA_MAX_AGGREGATION_SHARDS, default: 1 }),
    deletionProtection: r.bool("deletionProtection", true),
    rateLimits: parseRateLimits(r, p, s ? autoOrBool(s, "invocationLogs") : "auto"),
    priceSource: {
      enabled: r.child("priceSource", false)?.bool("enabled", true) ?? true,
      schedule:
        r
          .child("priceSource", false)
          ?.str("schedule", { default: "rate(1 day)", pattern: SCHEDULE, hint: "rate(1 day) or a cron() expression" }) ?? "rate(1 day)",
    },
  };
}
