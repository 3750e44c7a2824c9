/** The inference account: model access, application inference profiles, invocation logging, alarms. */
export { findModel, geographyOfRegion, KNOWN_MODELS, profileId, validateGeography, GEOGRAPHY_REGION_PATTERNS } from "./models";
export type { CrossRegionPrefix, KnownModel, ModelPrice } from "./models";
export { modelAccessStatements, PRINCIPAL_TEAM_VARIABLE, TEAM_TAG_KEY } from "./model-access";
export type { ModelAccessSpec } from "./model-access";
export { InferenceAccount, validateInferenceAccountArgs } from "./inference-account";
export type { AlarmThresholds, InferenceAccountArgs, ModelRole, TeamArgs } from "./inference-account";
export * as perms from "./perms";
