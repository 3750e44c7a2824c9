import type { StageContext, StagePart } from "./context";

/** What the telemetry area hands to the areas composed after it. */
export interface TelemetryPart extends StagePart {}

/** Composes the telemetry area for a stage; `undefined` when the stage leaves it off. */
export function composeTelemetry(ctx: StageContext, _earlier: Readonly<Record<string, StagePart | undefined>>): TelemetryPart | undefined {
  if (!ctx.config.telemetry.enabled) return undefined;
  return undefined;
}
