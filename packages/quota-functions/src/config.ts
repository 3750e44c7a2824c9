/**
 * Lambda configuration from environment variables set by the QuotaService component. Every problem
 * names the variable, so a bad deployment fails loudly at cold start instead of metering wrongly.
 */
import type { BlockKey } from "./block-policy.js";
import { isMode, parseDefaultLimit, parseThresholds, type LimitRecord, type Mode } from "./limits.js";
import { parsePricing, type PricingTable } from "./pricing.js";
import type { ClaimsConfig } from "./check/evaluate.js";
import type { InvocationLogSourceOptions } from "./sources/invocation-logs.js";
import type { TelemetrySourceOptions } from "./sources/telemetry.js";
import { isEnforceOn, type EnforceOn } from "./usage.js";

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

function req(env: Env, k: string): string {
  const v = env[k];
  if (!v) throw new ConfigError(`environment variable ${k} is required (set by the QuotaService component)`);
  return v;
}

function jsonOf<T>(env: Env, k: string): T | undefined {
  const v = env[k];
  if (!v) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch (e) {
    throw new ConfigError(`environment variable ${k} is not valid JSON: ${(e as Error).message}`);
  }
}

function num(env: Env, k: string, def: number, min: number, max: number): number {
  const v = env[k] === undefined || env[k] === "" ? def : Number(env[k]);
  if (!Number.isFinite(v) || v < min || v > max) throw new ConfigError(`environment variable ${k} must be a number from ${min} to ${max}`);
  return v;
}

function enforceOn(env: Env): EnforceOn {
  const v = env.ENFORCE_ON ?? "max";
  if (!isEnforceOn(v)) throw new ConfigError("environment variable ENFORCE_ON must be max, telemetry or invocation-logs");
  return v;
}

/**
 * The stage's `quotas.mode` (QUOTA_MODE). It caps every limit record: in an alert stage nobody is
 * refused whatever a record says. Absent means block, the behaviour of deployments that predate it.
 */
function stageMode(env: Env): Mode {
  const v = env.QUOTA_MODE || "block";
  if (!isMode(v)) throw new ConfigError("environment variable QUOTA_MODE must be alert or block (stage.quotas.mode)");
  return v;
}

function defaultLimit(env: Env): LimitRecord | undefined {
  if (!env.DEFAULT_LIMITS) return undefined;
  try {
    return parseDefaultLimit(env.DEFAULT_LIMITS);
  } catch (e) {
    throw new ConfigError(`environment variable ${(e as Error).message}`);
  }
}

export interface CheckConfig {
  readonly limitsTable: string;
  readonly defaultLimit?: LimitRecord;
  readonly usageTable: string;
  readonly thresholds: number[];
  readonly enforceOn: EnforceOn;
  readonly stageMode: Mode;
  readonly claims: ClaimsConfig;
  readonly missingIdentity: "allow" | "block";
}

export function loadCheckConfig(env: Env): CheckConfig {
  const missing = env.MISSING_IDENTITY ?? "block";
  if (missing !== "allow" && missing !== "block") throw new ConfigError("environment variable MISSING_IDENTITY must be allow or block");
  const def = defaultLimit(env);
  return {
    limitsTable: req(env, "LIMITS_TABLE"),
    usageTable: req(env, "USAGE_TABLE"),
    ...(def ? { defaultLimit: def } : {}),
    thresholds: parseThresholds(env.THRESHOLDS ?? "80,90,100"),
    enforceOn: enforceOn(env),
    stageMode: stageMode(env),
    claims: {
      emailClaim: env.EMAIL_CLAIM || "email",
      groupsClaims: (env.GROUPS_CLAIMS || "groups,cognito:groups").split(",").map((s) => s.trim()).filter(Boolean),
      ...(env.DEPARTMENT_CLAIM ? { departmentClaim: env.DEPARTMENT_CLAIM } : {}),
      ...(env.IAM_CALLER_ROLE_PREFIX ? { iamRolePrefix: env.IAM_CALLER_ROLE_PREFIX } : {}),
    },
    missingIdentity: missing,
  };
}

export interface AggregateConfig {
  readonly stage: string;
  readonly limitsTable: string;
  readonly usageTable: string;
  readonly defaultLimit?: LimitRecord;
  readonly topicArn: string;
  readonly metricsNamespace: string;
  readonly pricing: PricingTable;
  readonly thresholds: number[];
  readonly enforceOn: EnforceOn;
  readonly stageMode: Mode;
  readonly telemetry?: TelemetrySourceOptions;
  readonly invocationLogs?: Omit<InvocationLogSourceOptions, "settleMs">;
  readonly blockPolicyArns: string[];
  readonly blockKey: BlockKey;
  readonly drift: { thresholdPercent: number; minTokens: number };
  readonly settleMs: number;
  readonly maxBacklogWindows: number;
  readonly usageRetentionDays: number;
}

export function loadAggregateConfig(env: Env): AggregateConfig {
  const telemetry = jsonOf<TelemetrySourceOptions>(env, "TELEMETRY_SOURCE");
  if (telemetry && ((!telemetry.namespace && !telemetry.logGroupName) || !telemetry.metricName || !telemetry.userDimension || !telemetry.typeDimension)) {
    throw new ConfigError("environment variable TELEMETRY_SOURCE needs logGroupName or namespace, and metricName, userDimension and typeDimension");
  }
  const logs = jsonOf<Omit<InvocationLogSourceOptions, "settleMs">>(env, "INVOCATION_LOGS_SOURCE");
  if (logs && (!logs.bucket || !/^\d{12}$/.test(logs.accountId) || !logs.region || !logs.roleName)) {
    throw new ConfigError("environment variable INVOCATION_LOGS_SOURCE needs bucket, accountId (12 digits), region and roleName");
  }
  const eo = enforceOn(env);
  if (!telemetry && !logs) throw new ConfigError("set TELEMETRY_SOURCE or INVOCATION_LOGS_SOURCE: there is no usage to meter");
  if (eo === "telemetry" && !telemetry) throw new ConfigError("ENFORCE_ON=telemetry needs TELEMETRY_SOURCE");
  if (eo === "invocation-logs" && !logs) throw new ConfigError("ENFORCE_ON=invocation-logs needs INVOCATION_LOGS_SOURCE");
  let pricing: PricingTable;
  try {
    pricing = parsePricing(req(env, "PRICING_JSON"));
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const def = defaultLimit(env);
  return {
    stage: env.STAGE || "unknown",
    ...(def ? { defaultLimit: def } : {}),
    limitsTable: req(env, "LIMITS_TABLE"),
    usageTable: req(env, "USAGE_TABLE"),
    topicArn: req(env, "ALERT_TOPIC_ARN"),
    metricsNamespace: env.METRICS_NAMESPACE || "ClaudeCodeBedrock/Quotas",
    pricing,
    thresholds: parseThresholds(env.THRESHOLDS ?? "80,90,100"),
    enforceOn: eo,
    stageMode: stageMode(env),
    ...(telemetry ? { telemetry } : {}),
    ...(logs ? { invocationLogs: { ...logs, prefix: logs.prefix ?? "" } } : {}),
    blockKey: env.BLOCK_PRINCIPAL_TAG ? { kind: "principal-tag", tag: env.BLOCK_PRINCIPAL_TAG } : { kind: "session-name" },
    blockPolicyArns: (env.BLOCK_POLICY_ARNS ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    drift: { thresholdPercent: num(env, "DRIFT_THRESHOLD_PERCENT", 20, 1, 100), minTokens: num(env, "DRIFT_MIN_TOKENS", 100_000, 0, 1e12) },
    settleMs: num(env, "SETTLE_MINUTES", 10, 0, 120) * 60_000,
    maxBacklogWindows: num(env, "MAX_BACKLOG_WINDOWS", 96, 1, 2976),
    usageRetentionDays: num(env, "USAGE_RETENTION_DAYS", 400, 35, 3650),
  };
}
