/** The inference account: model access, application inference profiles, invocation logging, alarms. */
export { findModel, geographyOfRegion, KNOWN_MODELS, profileId } from "./models";
export type { CrossRegionPrefix, KnownModel, ModelPrice } from "./models";
