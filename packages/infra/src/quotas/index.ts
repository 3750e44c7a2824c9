/**
 * The quotas module: `QuotaService` (limits, usage metering from client telemetry and Bedrock
 * invocation logs, alerts, the check API, server-side blocks) and the pricing table it is given.
 * Lambda code lives in `packages/quota-functions` and is bundled by the stack.
 */
export { QuotaService, METRICS_NAMESPACE } from "./quota-service";
export { defaultLimitsJson } from "./functions";
export { emptyBlockDocument, NOBODY_BLOCKED } from "./block-policies";
export type {
  DefaultLimits,
  EnforceOn,
  FunctionCode,
  InvocationLogsSource,
  QuotaMode,
  QuotaServiceArgs,
  RateLimitArgs,
  TelemetryMetricSource,
} from "./args";
export { pricingTable, validatePrice } from "./pricing";
export type { PricingTable } from "./pricing";
export { validateQuotaServiceArgs } from "./validate";
export * as perms from "./perms";
