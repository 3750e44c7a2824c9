/**
 * The quota check for IAM Identity Center stages. The helper is not in the credential path there (the
 * AWS SDK resolves the SSO profile itself), so it cannot withhold credentials; the server-side deny on
 * the permission set (keyed on the IdC user name, which IdC sets and the caller cannot choose) is what
 * stops a blocked user. The helper still asks the IAM-authorised `/check` (signed with SigV4) whenever
 * Claude Code runs `otel-headers` and on `status`, at most every `IDC_QUOTA_RECHECK_MS`, so the user sees
 * alerts and the reason for a block, and `status` shows the last answer. Never throws.
 */
import type { StageSettings } from "@ccb/contracts";
import { StageCache, type QuotaState } from "../cache.js";
import type { Deps } from "../io.js";
import { checkQuotaSigV4, type CredentialsSource } from "./sigv4-check.js";

export const IDC_QUOTA_RECHECK_MS = 15 * 60_000;

export async function recheckIdcQuota(d: Deps, s: StageSettings, credentials?: CredentialsSource): Promise<QuotaState | undefined> {
  if (s.federation.mode !== "identity-center" || !s.quota) return undefined;
  const cache = new StageCache(d, s.stage);
  const last = await cache.readQuota().catch(() => undefined);
  if (last && d.now() - last.checkedAt < IDC_QUOTA_RECHECK_MS) return last;
  let state: QuotaState | undefined;
  try {
    // Fail mode applies to credential issuance, which the helper does not do here: always "open".
    state = await checkQuotaSigV4(d, s, { ...s.quota, failMode: "open" }, credentials);
  } catch (e) {
    state = (e as { quotaState?: QuotaState }).quotaState;
    d.log.warn(`${(e as Error).message}; Amazon Bedrock refuses your calls until the quota allows them again`);
  }
  if (state) await cache.writeQuota(state).catch(() => undefined);
  return state;
}
