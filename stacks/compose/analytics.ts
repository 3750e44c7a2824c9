import type { StageContext, StagePart } from "./context";

/** What the analytics area hands to the areas composed after it. */
export interface AnalyticsPart extends StagePart {}

/** Composes the analytics area for a stage; `undefined` when the stage leaves it off. */
export function composeAnalytics(ctx: StageContext, _earlier: Readonly<Record<string, StagePart | undefined>>): AnalyticsPart | undefined {
  if (!ctx.config.analytics.enabled) return undefined;
  return undefined;
}
