import type { ConfigProblems, Reader } from "./problems";

/** The `stage.telemetry` section. Off unless the stage enables it. */
export interface TelemetryConfig {
  readonly enabled: boolean;
}

export function parseTelemetryConfig(r: Reader | undefined, _p: ConfigProblems): TelemetryConfig {
  return { enabled: r?.bool("enabled", false) ?? false };
}
