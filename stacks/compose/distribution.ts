import type { StageContext, StagePart } from "./context";

/** What the distribution area hands to the areas composed after it. */
export interface DistributionPart extends StagePart {}

/** Composes the distribution area for a stage; `undefined` when the stage leaves it off. */
export function composeDistribution(ctx: StageContext, _earlier: Readonly<Record<string, StagePart | undefined>>): DistributionPart | undefined {
  if (!ctx.config.distribution.enabled) return undefined;
  return undefined;
}
