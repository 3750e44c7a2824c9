import type { ConfigProblems, Reader } from "./problems";

/** The `stage.cicd` section. Off unless the stage enables it. */
export interface CicdConfig {
  readonly enabled: boolean;
}

export function parseCicdConfig(r: Reader | undefined, _p: ConfigProblems): CicdConfig {
  return { enabled: r?.bool("enabled", false) ?? false };
}
