/** The telemetry module (see its README): collector on Fargate behind an authenticating ALB, dashboard, aggregations, model lifecycle check. */
export { TelemetryService, modelKey, TOKEN_ISSUER_HEADER } from "./service";
export type { FunctionCode, TelemetryServiceArgs } from "./service";
export { CrossAccountMetrics, validateCrossAccountMetricsArgs } from "./cross-account-metrics";
export type { CrossAccountMetricsArgs, SharedResourceType } from "./cross-account-metrics";
export { ModelLifecycleCheck, validateModelLifecycleCheckArgs } from "./lifecycle";
export type { ModelLifecycleCheckArgs } from "./lifecycle";
export {
  collectorConfig,
  renderCollectorConfig,
  parseCollectorConfig,
  validateCollectorConfig,
  OTLP_HTTP_PORT,
  HEALTH_PORT,
} from "./collector-config";
export type { CollectorConfig, CollectorConfigOptions } from "./collector-config";
export { ADOT_0_45_1, CONTRIB_0_136_0, DISTRIBUTIONS, distributionOf, imageVersionProblems, MIN_CONTRIB_VERSION } from "./components";
export type { CollectorDistribution } from "./components";
export { dashboardBody, metricReferences } from "./dashboard";
export type { DashboardBody, DashboardOptions } from "./dashboard";
export { DEFAULT_TLS_POLICY, MODERN_TLS_POLICIES, jwksUriFor, validateTelemetryServiceArgs } from "./validate";
export * as metrics from "./metrics";
export * as perms from "./perms";
export { TokenEndpoint, validateTokenEndpointArgs, TOKEN_SIGN_ACTIONS, TOKEN_INVOKE_ACTIONS } from "./token-endpoint";
export type { TokenEndpointArgs } from "./token-endpoint";
export { ServiceQuotaMonitor, validateServiceQuotaMonitorArgs } from "./service-quotas";
export type { ServiceQuotaModel, ServiceQuotaMonitorArgs } from "./service-quotas";
export type { ServiceQuotaDashboard, QuotaSeries } from "./service-quota-metrics";
