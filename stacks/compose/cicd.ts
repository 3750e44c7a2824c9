import type { StageContext, StagePart } from "./context";

/** What the cicd area hands to the areas composed after it. */
export interface CicdPart extends StagePart {}

/** Composes the cicd area for a stage; `undefined` when the stage leaves it off. */
export function composeCicd(ctx: StageContext, _earlier: Readonly<Record<string, StagePart | undefined>>): CicdPart | undefined {
  if (!ctx.config.cicd.enabled) return undefined;
  return undefined;
}
