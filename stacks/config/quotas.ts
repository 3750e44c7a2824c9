import type { ConfigProblems, Reader } from "./problems";

/** The `stage.quotas` section. Off unless the stage enables it. */
export interface QuotaConfig {
  readonly enabled: boolean;
}

export function parseQuotaConfig(r: Reader | undefined, _p: ConfigProblems): QuotaConfig {
  return { enabled: r?.bool("enabled", false) ?? false };
}
