/**
 * Lambda configuration from environment variables set by the QuotaService component. Every problem
 * names the variable, so a bad deployment fails loudly at cold start instead of metering wrongly.
 */
import { EnvError, parseQuotaAggregateEnv, parseQuotaCheckEnv, type Env } from "@ccb/contracts";
import type { BlockKey } from "./block-policy.js";
import { defaultLimitRecord, type LimitRecord, type Mode } from "./limits.js";
import type { PricingTable } from "./pricing.js";
import type { ClaimsConfig } from "./check/evaluate.js";
import type { InvocationLogSourceOptions } from "./sources/invocation-logs.js";
import type { TelemetrySourceOptions } from "./sources/telemetry.js";
import type { EnforceOn } from "./usage.js";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The contract's parsers (@ccb/contracts) read the variables; their problems surface as ConfigError. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof EnvError) throw new ConfigError(e.message);
    throw e;
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
  const { defaultLimits, ...c } = parsed(() => parseQuotaCheckEnv(env));
  return { ...c, ...(defaultLimits ? { defaultLimit: defaultLimitRecord(defaultLimits) } : {}) };
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
  /** Above 1 the scheduled run dispatches `shardWorkerFunction` once per shard (aggregate/dispatch.ts). */
  readonly aggregationShards: number;
  readonly shardWorkerFunction?: string;
}

export function loadAggregateConfig(env: Env): AggregateConfig {
  const { defaultLimits, blockPrincipalTag, settleMinutes, telemetry, ...c } = parsed(() => parseQuotaAggregateEnv(env));
  return {
    ...c,
    ...(defaultLimits ? { defaultLimit: defaultLimitRecord(defaultLimits) } : {}),
    ...(telemetry ? { telemetry } : {}),
    blockKey: blockPrincipalTag ? { kind: "principal-tag", tag: blockPrincipalTag } : { kind: "session-name" },
    settleMs: settleMinutes * 60_000,
  };
}
