/**
 * Step 4, enforce: the set of blocked users (over a blocking limit, no active unblock) becomes the deny
 * policies on the user role; an empty set empties them (period rollover, unblock, an alert stage).
 * With shards, each shard finds its blocked users and the dispatcher writes the policies once from all
 * of them (the policies hold every blocked user, so they are written from the whole set, never a part).
 */
import { packBlockPolicies, SESSION_NAME_KEY } from "../block-policy.js";
import { sessionNameOf } from "../identity.js";
import type { UserEvaluation } from "./evaluate.js";
import { bucketsOf } from "./shard.js";
import type { AggregateDeps } from "./types.js";

/** The users to block and the deny entries naming them (session names, or emails for a principal tag). */
export async function blockedUsers(
  d: AggregateDeps,
  evaluations: ReadonlyMap<string, UserEvaluation>,
  now: number,
): Promise<{ blocked: string[]; entries: string[] }> {
  const overLimit = [...evaluations].filter(([, e]) => e.ev.blocking.length > 0).map(([email]) => email);
  const unblocks = overLimit.length > 0 ? await d.store.unblocksIn(bucketsOf(d.shard), d.concurrency) : new Map<string, never>();
  const blocked = overLimit.filter((email) => {
    const u = unblocks.get(email);
    return !(u && Date.parse(u.until) > now);
  });
  const key = d.blockPolicies?.key ?? SESSION_NAME_KEY;
  // Session names: the helper's derivation of the email plus every spelling seen in the invocation logs.
  const entries =
    key.kind === "principal-tag"
      ? blocked
      : blocked.flatMap((email) => {
          const e = evaluations.get(email)!;
          return [sessionNameOf(email), ...e.month.sessions, ...e.day.sessions];
        });
  // One line a run, not one a user: with many blocked users a line each would cost more than the run.
  if (blocked.length > 0)
    d.log.warn("users blocked", {
      count: blocked.length,
      users: blocked.slice(0, 50).map((email) => ({
        user: email,
        reasons: evaluations.get(email)!.ev.blocking.map((s) => `${s.limit}:${s.percent}%`),
      })),
    });
  return { blocked, entries };
}

/** Writes the deny policies from every blocked user's entries; returns the entries that did not fit. */
export async function applyBlocks(d: AggregateDeps, entries: readonly string[]): Promise<string[]> {
  if (!d.blockPolicies) return [];
  const packed = packBlockPolicies(entries, d.blockPolicies.slots, undefined, d.blockPolicies.key ?? SESSION_NAME_KEY);
  if (packed.overflow.length)
    d.log.error("blocked users exceed the block policies' capacity; add policies (quotas.enforcement.blockPolicyCount)", {
      overflow: packed.overflow.length,
    });
  await d.blockPolicies.apply(packed.documents);
  return packed.overflow;
}
