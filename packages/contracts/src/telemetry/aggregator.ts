/**
 * The dashboard aggregation function (TelemetryService component ↔ telemetry-functions aggregate):
 * its environment and the JSON shapes in it. Every metric, dimension and attribute name the function
 * reads or writes arrives in `NAMES_JSON`, rendered from the infrastructure's one metric catalog.
 */
import { requireVar, type Env } from "../env";
import { parsePriceBook, type PriceBook } from "../pricing";

export const TELEMETRY_AGGREGATOR_ENV = {
  namespace: "AGG_NAMESPACE",
  metricsLogGroup: "METRICS_LOG_GROUP",
  eventsLogGroup: "EVENTS_LOG_GROUP",
  leaderboardSize: "LEADERBOARD_SIZE",
  prices: "PRICES_JSON",
  toolCategories: "TOOL_CATEGORIES_JSON",
  names: "NAMES_JSON",
  everyMinutes: "EVERY_MINUTES",
} as const;

/** `NAMES_JSON`. */
export interface TelemetryAggregatorNames {
  readonly metrics: {
    activeUsers: string;
    leaderboard: string;
    operations: string;
    cacheSavings: string;
    estimatedCost: string;
    negativeSavingsUsers: string;
  };
  readonly dims: { window: string; board: string; category: string; email: string; model: string };
  readonly attrs: { email: string; model: string; type: string; toolName: string; decision: string };
  readonly cc: { tokens: string; linesOfCode: string; activeTime: string };
  readonly tokenTypes: { input: string; output: string; cacheRead: string; cacheCreation: string };
}

export interface TelemetryAggregatorEnv {
  readonly namespace: string;
  readonly metricsLogGroup: string;
  readonly eventsLogGroup?: string;
  readonly leaderboardSize: number;
  /** Keyed by match key (`claude-sonnet-4-5`, contained in whatever form Claude Code reports) or alias id, lower case. */
  readonly prices: PriceBook;
  readonly toolCategories: Readonly<Record<string, string>>;
  readonly names: TelemetryAggregatorNames;
  readonly everyMinutes: number;
}

const SET_BY = "TelemetryService";

/** Reads the aggregator's environment; throws naming the missing or malformed variable. */
export function parseTelemetryAggregatorEnv(env: Env): TelemetryAggregatorEnv {
  const E = TELEMETRY_AGGREGATOR_ENV;
  const need = (k: string) => requireVar(env, k, SET_BY);
  return {
    namespace: need(E.namespace),
    metricsLogGroup: need(E.metricsLogGroup),
    ...(env[E.eventsLogGroup] ? { eventsLogGroup: env[E.eventsLogGroup]! } : {}),
    leaderboardSize: Number(env[E.leaderboardSize] ?? "10"),
    prices: parsePriceBook(need(E.prices), E.prices),
    toolCategories: JSON.parse(need(E.toolCategories)) as Record<string, string>,
    names: JSON.parse(need(E.names)) as TelemetryAggregatorNames,
    everyMinutes: Number(env[E.everyMinutes] ?? "15"),
  };
}
