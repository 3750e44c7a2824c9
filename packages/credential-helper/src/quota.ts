/**
 * The quota check asked before any credentials are minted (see README "Quota check contract").
 *
 *   GET <stage.quota.checkUrl>
 *   Authorization: Bearer <id_token>
 *   → 200 {"allowed": boolean, "reason"?: string, "alerts"?: [{"threshold": number, "message": string}],
 *          "usage"?: {...}}
 *
 * `allowed: false` refuses credentials whatever the fail mode. Anything else that is not a 200 with that
 * body (timeout, network, 5xx, 4xx, bad JSON) is "unavailable" and resolved by `failMode`: `open` warns
 * and continues, `closed` refuses.
 */
import { parseQuotaCheckAnswer, type QuotaCheckAnswer, type QuotaSettings } from "@ccb/contracts";
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import type { QuotaState } from "./cache.js";
import { networkFailure } from "./network.js";

/** The answer's shape and parser are the check API contract (@ccb/contracts). */
export type QuotaAnswer = QuotaCheckAnswer;
export const parseQuotaAnswer = parseQuotaCheckAnswer;

type QuotaDeps = Pick<Deps, "fetch" | "now" | "log" | "env">;

/** Returns the state to remember; throws `ERR_QUOTA_BLOCKED` or (fail-closed) `ERR_QUOTA_UNAVAILABLE`. */
export async function checkQuota(d: QuotaDeps, quota: QuotaSettings, idToken: string): Promise<QuotaState> {
  return checkQuotaWith(d, quota, async () => ({ authorization: `Bearer ${idToken}`, accept: "application/json" }));
}

/**
 * The check with the request's headers from `authenticate` (a bearer token, or a SigV4 signature for
 * IAM Identity Center stages). A failure of `authenticate` counts as "unavailable", like the network.
 */
export async function checkQuotaWith(
  d: QuotaDeps,
  quota: QuotaSettings,
  authenticate: () => Promise<Record<string, string>>,
): Promise<QuotaState> {
  let problem: string;
  try {
    d.log.debug("quota", "check", { url: quota.checkUrl });
    // fetch sets Host itself (to the URL's host, the value that was signed).
    const { host: _host, ...headers } = await authenticate();
    const res = await d.fetch(quota.checkUrl, {
      method: "GET",
      headers,
      signal: AbortSignal.timeout(quota.timeoutMs),
    });
    if (res.status === 200) {
      const answer = parseQuotaAnswer(await res.json().catch(() => undefined));
      if (answer) {
        for (const a of answer.alerts ?? []) d.log.warn(`usage: ${a.message}`);
        const state: QuotaState = {
          checkedAt: d.now(),
          allowed: answer.allowed,
          outcome: answer.allowed ? "allowed" : "blocked",
          ...(answer.reason ? { reason: answer.reason } : {}),
          ...(answer.usage ? { usage: answer.usage } : {}),
        };
        if (!answer.allowed) {
          const why = answer.message ?? answer.reason;
          throw Object.assign(new HelperError("ERR_QUOTA_BLOCKED", `access blocked by the usage quota${why ? `: ${why}` : ""}`), {
            quotaState: state,
          });
        }
        return state;
      }
      problem = "answered with a body that is not the quota contract";
    } else {
      problem = `answered HTTP ${res.status}`;
    }
  } catch (e) {
    if (e instanceof HelperError) throw e;
    const name = (e as Error).name;
    const net = networkFailure(e, quota.checkUrl, d.env, "the quota service");
    if (net && quota.failMode === "closed") throw net;
    problem =
      name === "TimeoutError" || name === "AbortError"
        ? `did not answer within ${quota.timeoutMs} ms`
        : net
          ? `could not be reached: ${net.toLine().replace(/^claude-bedrock: /, "")}`
          : `could not be reached (${(e as Error).message})`;
  }
  if (quota.failMode === "closed") {
    throw new HelperError("ERR_QUOTA_UNAVAILABLE", `the quota service ${problem}`);
  }
  d.log.warn(`the quota service ${problem}; continuing because this stage fails open`);
  return { checkedAt: d.now(), allowed: true, outcome: "unavailable", reason: problem };
}
