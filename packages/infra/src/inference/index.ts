/** The inference account: model access, application inference profiles, invocation logging, alarms. */
export { findModel, geographyOfRegion, KNOWN_MODELS, profileId, validateGeography, GEOGRAPHY_REGION_PATTERNS } from "./models";
export type { CrossRegionPrefix, KnownModel, ModelPrice } from "./models";
export { modelAccessStatements, PRINCIPAL_TEAM_VARIABLE, TEAM_TAG_KEY } from "./model-access";
export type { ModelAccessSpec } from "./model-access";
export { InferenceAccount } from "./inference-account";
export { validateInferenceAccountArgs } from "./validate";
export type { AlarmThresholds, InferenceAccountArgs, ModelRole, TeamArgs } from "./args";
export * as perms from "./perms";
