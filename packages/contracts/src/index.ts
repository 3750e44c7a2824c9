/**
 * The contracts between a deployed stage and the code that runs against it. Infrastructure renders
 * them, the Lambda functions and the credential helper read them; both sides import this package so
 * the two cannot drift. Pure TypeScript, no dependencies: it is bundled into Lambda assets and the
 * helper. Names carry their area (`QUOTA_…`, `TELEMETRY_…`) so one flat entry point stays unambiguous.
 *
 * Values are re-exported by name (not `export *`): Node's ESM loader finds the names of a CommonJS
 * module only when they are listed, and `tsx` runs the quota CLI that way.
 */
export { EnvError, requireVar, jsonVar } from "./env";
export type { Env } from "./env";
export {
  STAGE_SETTINGS_SCHEMA_VERSION,
  REDIRECT_HOSTS,
  redirectUri,
  StageSettingsError,
  parseStageSettings,
  modelsForTeam,
} from "./stage-settings";
export type {
  FederationMode,
  RedirectHost,
  IdentityProviderSettings,
  DirectFederationSettings,
  CognitoIdentityPoolSettings,
  IdentityCenterSettings,
  FederationSettings,
  ModelSettings,
  TeamSettings,
  TelemetrySettings,
  QuotaSettings,
  DistributionSettings,
  StageSettings,
  SettingsProblem,
  ParseOptions,
} from "./stage-settings";
export { SESSION_NAME_PATTERN, sessionNameCharacters, roleSessionName } from "./identity/session-name";
export { MODEL_FAMILIES, PRICE_KINDS, isPrice, mostExpensivePrice, parsePriceBook } from "./pricing/price-book";
export type { ModelFamily, Price, PriceBook } from "./pricing/price-book";
export {
  ANALYTICS_PRICING_CATALOG_KEY,
  ANALYTICS_PRICING_OBJECT_KEY,
  ANALYTICS_PRICING_PREFIX,
  PRICING_CSV_COLUMNS,
  parsePricingCatalog,
  renderPricingCsv,
  repriceRows,
} from "./pricing/analytics-pricing";
export type { AnalyticsPricingRow } from "./pricing/analytics-pricing";
export { QUOTA_CHECK_METHOD, parseQuotaCheckAnswer } from "./quotas/check-api";
export type { QuotaCheckAlert, QuotaCheckAnswer, QuotaCheckResponse } from "./quotas/check-api";
export {
  BLOCK_POLICY_SID,
  BLOCKED_MODEL_ACTIONS,
  BLOCK_PLACEHOLDER_PATTERN,
  BLOCK_PLACEHOLDER_TAG,
  SESSION_NAME_KEY,
  useridPattern,
  blockPolicyDocument,
  QUOTA_PROFILE_PARTITION_PREFIX,
} from "./quotas/block-policy";
export type { BlockKey, BlockPolicyDocument } from "./quotas/block-policy";
export { QUOTA_METRICS, QUOTA_METRIC_STAGE_DIMENSION } from "./quotas/metrics";
export type { QuotaMetricName } from "./quotas/metrics";
export {
  QUOTA_ENV,
  QUOTA_METRICS_NAMESPACE,
  QUOTA_MAX_AGGREGATION_SHARDS,
  QUOTA_LIMIT_KEYS,
  ENFORCE_ON_VALUES,
  isQuotaMode,
  isEnforceOn,
  parseQuotaDefaultLimits,
  parseQuotaThresholds,
  parseQuotaCheckEnv,
  parseQuotaAggregateEnv,
} from "./quotas/env";
export type {
  QuotaLimitKey,
  QuotaMode,
  QuotaEnforceOn,
  MissingIdentity,
  QuotaDefaultLimits,
  QuotaTelemetrySource,
  QuotaInvocationLogsSource,
  QuotaCommonEnv,
  QuotaCheckEnv,
  QuotaAggregateEnv,
} from "./quotas/env";
export {
  PRICE_BOOK_ITEM_KEY,
  BEDROCK_PRICE_LIST_SERVICE_CODE,
  PRICE_SOURCE_ENV,
  RECONCILE_ENV,
  RECONCILIATION_QUERY_NAMES,
  parsePricedModels,
  parsePriceRegion,
} from "./quotas/price-source";
export type { PricedModel } from "./quotas/price-source";
export { RATE_ENV, RATE_LIMIT_KEYS, RATE_LIMITED_REASON, parseRateLimits, parseRateEnv } from "./quotas/rate";
export type { RateLimitKey, RateLimits, RateEnv } from "./quotas/rate";
export { TELEMETRY_AGGREGATOR_ENV, parseTelemetryAggregatorEnv } from "./telemetry/aggregator";
export type { TelemetryAggregatorNames, TelemetryAggregatorEnv } from "./telemetry/aggregator";
export { MODEL_LIFECYCLE_ENV, parseModelLifecycleEnv } from "./telemetry/lifecycle";
export type { ModelLifecycleEnv } from "./telemetry/lifecycle";
export {
  SERVICE_QUOTA_ENV,
  SERVICE_QUOTA_KINDS,
  SERVICE_QUOTA_METRIC,
  SERVICE_QUOTA_SCOPES,
  matchesQuotaName,
  parseServiceQuotaEnv,
  quotaModelName,
  serviceQuotaNamespace,
} from "./telemetry/service-quotas";
export type { ServiceQuotaEnv, ServiceQuotaKind, ServiceQuotaScope, ServiceQuotaTarget } from "./telemetry/service-quotas";
