import type { ConfigProblems, Reader } from "./problems";

/** The `stage.analytics` section. Off unless the stage enables it. */
export interface AnalyticsConfig {
  readonly enabled: boolean;
}

export function parseAnalyticsConfig(r: Reader | undefined, _p: ConfigProblems): AnalyticsConfig {
  return { enabled: r?.bool("enabled", false) ?? false };
}
