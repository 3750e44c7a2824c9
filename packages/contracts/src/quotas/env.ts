/**
 * The quota service's two functions (QuotaService component ↔ quota-functions aggregate and check):
 * their environment variable names, the JSON shapes in them, and the parsers the functions use. Every
 * problem names the variable, so a bad deployment fails at cold start instead of metering wrongly.
 */
import { EnvError, jsonVar, requireVar, type Env } from "../env";
import { parsePriceBook, type PriceBook } from "../pricing";

export const QUOTA_ENV = {
  // both functions
  defaultLimits: "DEFAULT_LIMITS",
  limitsTable: "LIMITS_TABLE",
  usageTable: "USAGE_TABLE",
  thresholds: "THRESHOLDS",
  enforceOn: "ENFORCE_ON",
  /** The stage's `quotas.mode`: caps every limit record (an alert stage never refuses). */
  quotaMode: "QUOTA_MODE",
  // aggregate
  stage: "STAGE",
  alertTopicArn: "ALERT_TOPIC_ARN",
  metricsNamespace: "METRICS_NAMESPACE",
  pricing: "PRICING_JSON",
  telemetrySource: "TELEMETRY_SOURCE",
  invocationLogsSource: "INVOCATION_LOGS_SOURCE",
  blockPolicyArns: "BLOCK_POLICY_ARNS",
  blockPrincipalTag: "BLOCK_PRINCIPAL_TAG",
  driftThresholdPercent: "DRIFT_THRESHOLD_PERCENT",
  driftMinTokens: "DRIFT_MIN_TOKENS",
  settleMinutes: "SETTLE_MINUTES",
  maxBacklogWindows: "MAX_BACKLOG_WINDOWS",
  usageRetentionDays: "USAGE_RETENTION_DAYS",
  /** Shards of one run (1: no fan-out). Above 1 the scheduled function dispatches one worker per shard. */
  aggregationShards: "AGGREGATION_SHARDS",
  /** The shard worker's function name (set on the dispatcher when AGGREGATION_SHARDS > 1). */
  shardWorkerFunction: "SHARD_WORKER_FUNCTION",
  // check
  emailClaim: "EMAIL_CLAIM",
  groupsClaims: "GROUPS_CLAIMS",
  departmentClaim: "DEPARTMENT_CLAIM",
  missingIdentity: "MISSING_IDENTITY",
  /** IAM Identity Center stages: the IAM route accepts only sessions of roles with this name prefix. */
  iamCallerRolePrefix: "IAM_CALLER_ROLE_PREFIX",
} as const;

/** Most shards one aggregation run may fan out to (the QuotaService validates `aggregationShards`). */
export const QUOTA_MAX_AGGREGATION_SHARDS = 64;

/** The namespace of the metrics the aggregation publishes about itself (and the alarms watch). */
export const QUOTA_METRICS_NAMESPACE = "ClaudeCodeBedrock/Quotas";

export const QUOTA_LIMIT_KEYS = ["monthlyTokens", "dailyTokens", "monthlyCostUsd", "dailyCostUsd"] as const;
export type QuotaLimitKey = (typeof QUOTA_LIMIT_KEYS)[number];
export type QuotaMode = "alert" | "block";
export const ENFORCE_ON_VALUES = ["max", "telemetry", "invocation-logs"] as const;
export type QuotaEnforceOn = (typeof ENFORCE_ON_VALUES)[number];
export type MissingIdentity = "allow" | "block";

export const isQuotaMode = (v: unknown): v is QuotaMode => v === "alert" || v === "block";
export const isEnforceOn = (v: unknown): v is QuotaEnforceOn => (ENFORCE_ON_VALUES as readonly unknown[]).includes(v);

/** `DEFAULT_LIMITS`: `{"monthlyCostUsd":200,"dailyCostUsd":40,"monthlyMode":"alert","dailyMode":"alert"}`. */
export type QuotaDefaultLimits = Partial<Record<QuotaLimitKey, number>> & {
  readonly monthlyMode: QuotaMode;
  readonly dailyMode: QuotaMode;
};

/** `TELEMETRY_SOURCE`: where the per-user token metric is (the namespace, or the collector's EMF log group). */
export interface QuotaTelemetrySource {
  readonly namespace: string;
  readonly metricName: string;
  readonly userDimension: string;
  readonly typeDimension: string;
  readonly modelDimension?: string;
  readonly logGroupName?: string;
  /** Role in the telemetry account to assume when the metrics live there (with its external id). */
  readonly roleArn?: string;
  readonly externalId?: string;
}

/** `INVOCATION_LOGS_SOURCE`: the Bedrock invocation logs bucket and the role whose records count. */
export interface QuotaInvocationLogsSource {
  readonly bucket: string;
  readonly prefix?: string;
  readonly accountId: string;
  readonly region: string;
  readonly roleName: string;
}

/** Parses `DEFAULT_LIMITS`; the message names the key. */
export function parseQuotaDefaultLimits(json: string): QuotaDefaultLimits {
  const v = JSON.parse(json) as Record<string, unknown>;
  const r: Record<string, unknown> = {};
  for (const k of QUOTA_LIMIT_KEYS) {
    if (v[k] === undefined) continue;
    if (typeof v[k] !== "number" || !((v[k] as number) > 0)) throw new Error(`DEFAULT_LIMITS: ${k} must be a number > 0`);
    r[k] = v[k];
  }
  for (const k of ["monthlyMode", "dailyMode"]) {
    if (!isQuotaMode(v[k])) throw new Error(`DEFAULT_LIMITS: ${k} must be alert or block`);
    r[k] = v[k];
  }
  return r as QuotaDefaultLimits;
}

/** Parses `THRESHOLDS` (`80,90,100`): sorted, distinct percentages. */
export function parseQuotaThresholds(text: string): number[] {
  const values = text.split(",").map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0 || v > 1000))
    throw new Error(`thresholds "${text}" must be percentages such as 80,90,100`);
  return [...new Set(values)].sort((a, b) => a - b);
}

const SET_BY = "QuotaService";
const req = (env: Env, k: string) => requireVar(env, k, SET_BY, `environment variable ${k} is required (set by the ${SET_BY} component)`);

function num(env: Env, k: string, def: number, min: number, max: number): number {
  const v = env[k] === undefined || env[k] === "" ? def : Number(env[k]);
  if (!Number.isFinite(v) || v < min || v > max) throw new EnvError(`environment variable ${k} must be a number from ${min} to ${max}`);
  return v;
}

function enforceOn(env: Env): QuotaEnforceOn {
  const v = env[QUOTA_ENV.enforceOn] ?? "max";
  if (!isEnforceOn(v)) throw new EnvError("environment variable ENFORCE_ON must be max, telemetry or invocation-logs");
  return v;
}

/**
 * The stage's `quotas.mode` (QUOTA_MODE). It caps every limit record: in an alert stage nobody is
 * refused whatever a record says. Absent means block, the behaviour of deployments that predate it.
 */
function stageMode(env: Env): QuotaMode {
  const v = env[QUOTA_ENV.quotaMode] || "block";
  if (!isQuotaMode(v)) throw new EnvError("environment variable QUOTA_MODE must be alert or block (stage.quotas.mode)");
  return v;
}

function defaultLimits(env: Env): QuotaDefaultLimits | undefined {
  const text = env[QUOTA_ENV.defaultLimits];
  if (!text) return undefined;
  try {
    return parseQuotaDefaultLimits(text);
  } catch (e) {
    throw new EnvError(`environment variable ${(e as Error).message}`);
  }
}

/** What both functions read. */
export interface QuotaCommonEnv {
  readonly limitsTable: string;
  readonly usageTable: string;
  readonly defaultLimits?: QuotaDefaultLimits;
  readonly thresholds: number[];
  readonly enforceOn: QuotaEnforceOn;
  readonly stageMode: QuotaMode;
}

function common(env: Env): QuotaCommonEnv {
  const def = defaultLimits(env);
  return {
    limitsTable: req(env, QUOTA_ENV.limitsTable),
    usageTable: req(env, QUOTA_ENV.usageTable),
    ...(def ? { defaultLimits: def } : {}),
    thresholds: parseQuotaThresholds(env[QUOTA_ENV.thresholds] ?? "80,90,100"),
    enforceOn: enforceOn(env),
    stageMode: stageMode(env),
  };
}

export interface QuotaCheckEnv extends QuotaCommonEnv {
  readonly claims: {
    readonly emailClaim: string;
    readonly groupsClaims: string[];
    readonly departmentClaim?: string;
    readonly iamRolePrefix?: string;
  };
  readonly missingIdentity: MissingIdentity;
}

/** The check function's environment. */
export function parseQuotaCheckEnv(env: Env): QuotaCheckEnv {
  const E = QUOTA_ENV;
  const missing = env[E.missingIdentity] ?? "block";
  if (missing !== "allow" && missing !== "block") throw new EnvError("environment variable MISSING_IDENTITY must be allow or block");
  return {
    ...common(env),
    claims: {
      emailClaim: env[E.emailClaim] || "email",
      groupsClaims: (env[E.groupsClaims] || "groups,cognito:groups")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      ...(env[E.departmentClaim] ? { departmentClaim: env[E.departmentClaim]! } : {}),
      ...(env[E.iamCallerRolePrefix] ? { iamRolePrefix: env[E.iamCallerRolePrefix]! } : {}),
    },
    missingIdentity: missing,
  };
}

export interface QuotaAggregateEnv extends QuotaCommonEnv {
  readonly stage: string;
  readonly topicArn: string;
  readonly metricsNamespace: string;
  readonly pricing: PriceBook;
  readonly telemetry?: QuotaTelemetrySource;
  readonly invocationLogs?: QuotaInvocationLogsSource & { readonly prefix: string };
  readonly blockPolicyArns: string[];
  /** Tag on the federated role naming the user, when the deny policies match a principal tag instead of the session name. */
  readonly blockPrincipalTag?: string;
  readonly drift: { thresholdPercent: number; minTokens: number };
  readonly settleMinutes: number;
  readonly maxBacklogWindows: number;
  readonly usageRetentionDays: number;
  /** 1: one run covers every user; N > 1: the scheduled run invokes `shardWorkerFunction` once per shard. */
  readonly aggregationShards: number;
  readonly shardWorkerFunction?: string;
}

/** The aggregation function's environment. */
export function parseQuotaAggregateEnv(env: Env): QuotaAggregateEnv {
  const E = QUOTA_ENV;
  const telemetry = jsonVar<QuotaTelemetrySource>(env, E.telemetrySource);
  if (
    telemetry &&
    ((!telemetry.namespace && !telemetry.logGroupName) || !telemetry.metricName || !telemetry.userDimension || !telemetry.typeDimension)
  ) {
    throw new EnvError(
      "environment variable TELEMETRY_SOURCE needs logGroupName or namespace, and metricName, userDimension and typeDimension",
    );
  }
  const logs = jsonVar<QuotaInvocationLogsSource>(env, E.invocationLogsSource);
  if (logs && (!logs.bucket || !/^\d{12}$/.test(logs.accountId) || !logs.region || !logs.roleName)) {
    throw new EnvError("environment variable INVOCATION_LOGS_SOURCE needs bucket, accountId (12 digits), region and roleName");
  }
  const eo = enforceOn(env);
  const shards = num(env, E.aggregationShards, 1, 1, QUOTA_MAX_AGGREGATION_SHARDS);
  if (!Number.isInteger(shards)) throw new EnvError("environment variable AGGREGATION_SHARDS must be an integer");
  if (shards > 1 && !env[E.shardWorkerFunction])
    throw new EnvError("environment variable SHARD_WORKER_FUNCTION is required when AGGREGATION_SHARDS is above 1");
  if (!telemetry && !logs) throw new EnvError("set TELEMETRY_SOURCE or INVOCATION_LOGS_SOURCE: there is no usage to meter");
  if (eo === "telemetry" && !telemetry) throw new EnvError("ENFORCE_ON=telemetry needs TELEMETRY_SOURCE");
  if (eo === "invocation-logs" && !logs) throw new EnvError("ENFORCE_ON=invocation-logs needs INVOCATION_LOGS_SOURCE");
  let pricing: PriceBook;
  try {
    pricing = parsePriceBook(req(env, E.pricing), E.pricing);
  } catch (e) {
    throw new EnvError((e as Error).message);
  }
  return {
    stage: env[E.stage] || "unknown",
    ...common(env),
    topicArn: req(env, E.alertTopicArn),
    metricsNamespace: env[E.metricsNamespace] || QUOTA_METRICS_NAMESPACE,
    pricing,
    ...(telemetry ? { telemetry } : {}),
    ...(logs ? { invocationLogs: { ...logs, prefix: logs.prefix ?? "" } } : {}),
    blockPolicyArns: (env[E.blockPolicyArns] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    ...(env[E.blockPrincipalTag] ? { blockPrincipalTag: env[E.blockPrincipalTag]! } : {}),
    drift: { thresholdPercent: num(env, E.driftThresholdPercent, 20, 1, 100), minTokens: num(env, E.driftMinTokens, 100_000, 0, 1e12) },
    settleMinutes: num(env, E.settleMinutes, 10, 0, 120),
    maxBacklogWindows: num(env, E.maxBacklogWindows, 96, 1, 2976),
    usageRetentionDays: num(env, E.usageRetentionDays, 400, 35, 3650),
    aggregationShards: shards,
    ...(shards > 1 ? { shardWorkerFunction: env[E.shardWorkerFunction]! } : {}),
  };
}
