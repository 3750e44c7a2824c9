import type { StageContext, StagePart } from "./context";

/** What the quotas area hands to the areas composed after it. */
export interface QuotasPart extends StagePart {}

/** Composes the quotas area for a stage; `undefined` when the stage leaves it off. */
export function composeQuotas(ctx: StageContext, _earlier: Readonly<Record<string, StagePart | undefined>>): QuotasPart | undefined {
  if (!ctx.config.quotas.enabled) return undefined;
  return undefined;
}
