/**
 * Step 4, enforce: the set of blocked users (over a blocking limit, no active unblock) becomes the deny
 * policies on the user role; an empty set empties them (period rollover, unblock, an alert stage).
 */
import { packBlockPolicies, SESSION_NAME_KEY } from "../block-policy.js";
import { sessionNameOf } from "../identity.js";
import type { UserEvaluation } from "./evaluate.js";
import type { AggregateDeps } from "./types.js";

export async function enforce(
  d: AggregateDeps,
  evaluations: ReadonlyMap<string, UserEvaluation>,
  now: number,
): Promise<{ blocked: string[]; blockOverflow: string[] }> {
  const overLimit = [...evaluations].filter(([, e]) => e.ev.blocking.length > 0).map(([email]) => email);
  const unblocks = await d.store.unblocksOf(overLimit);
  const blocked = overLimit.filter((email) => {
    const u = unblocks.get(email);
    return !(u && Date.parse(u.until) > now);
  });
  let blockOverflow: string[] = [];
  if (d.blockPolicies) {
    const key = d.blockPolicies.key ?? SESSION_NAME_KEY;
    // Session names: the helper's derivation of the email plus every spelling seen in the invocation logs.
    const entries =
      key.kind === "principal-tag"
        ? blocked
        : blocked.flatMap((email) => {
            const e = evaluations.get(email)!;
            return [sessionNameOf(email), ...e.month.sessions, ...e.day.sessions];
          });
    const packed = packBlockPolicies(entries, d.blockPolicies.slots, undefined, key);
    blockOverflow = packed.overflow;
    if (blockOverflow.length)
      d.log.error("blocked users exceed the block policies' capacity; add policies (quotas.enforcement.blockPolicyCount)", {
        overflow: blockOverflow.length,
      });
    await d.blockPolicies.apply(packed.documents);
  }
  for (const email of blocked)
    d.log.warn("user blocked", { user: email, reasons: evaluations.get(email)!.ev.blocking.map((s) => `${s.limit}:${s.percent}%`) });
  return { blocked, blockOverflow };
}
