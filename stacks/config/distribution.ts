import type { ConfigProblems, Reader } from "./problems";

/** The `stage.distribution` section. Off unless the stage enables it. */
export interface DistributionConfig {
  readonly enabled: boolean;
}

export function parseDistributionConfig(r: Reader | undefined, _p: ConfigProblems): DistributionConfig {
  return { enabled: r?.bool("enabled", false) ?? false };
}
