/**
 * One batch of invocation-log events: count per user and minute, start a cool-down for users past
 * their rate limit (alert once per cool-down), then make the rate deny policies match the users
 * cooling down (expired ones drop out, which is how a cool-down lifts). A scheduled sweep is the same
 * run with no events.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RateLimits } from "@ccb/contracts";
import { looksLikeEmail, normaliseEmail, parseAssumedRoleArn } from "../identity.js";
import type { Logger } from "../log.js";
import type { InvocationRecord } from "../sources/invocation-logs.js";
import type { AllLimits } from "../store-items.js";
import { activeCooldowns, addToMinute, claimCooldown, MINUTE_MS, minuteOf } from "./counters.js";

export interface RateDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly usageTable: string;
  readonly defaults: RateLimits;
  /** Only calls through this role count (the federated developer role). */
  readonly roleName: string;
  /** `alert` stages never deny: the cool-down is recorded and alerted, the policies stay empty. */
  readonly mode: "alert" | "block";
  readonly limitsOf: (email: string) => Promise<AllLimits>;
  readonly groupsOf: (email: string) => Promise<readonly string[]>;
  readonly notify: (subject: string, message: string) => Promise<void>;
  /** Rewrites the rate deny policies to deny exactly these users (the block-policy mechanism). */
  readonly applyDenies: (emails: readonly string[]) => Promise<void>;
  readonly now: () => number;
  readonly log: Logger;
}

export interface RateResult {
  readonly counted: number;
  readonly started: string[];
  readonly denied: string[];
}

type Limit = { readonly tokensPerMinute?: number; readonly requestsPerMinute?: number };

/** User record first, then the most generous group record, then the stage default (per limit). */
export function resolveRateLimit(email: string, groups: readonly string[], limits: AllLimits, defaults: RateLimits): Limit {
  const pick = (k: "tokensPerMinute" | "requestsPerMinute"): number | undefined => {
    const own = limits.user.get(email)?.[k];
    if (own !== undefined) return own;
    const fromGroups = groups.map((g) => limits.group.get(g)?.[k]).filter((v): v is number => v !== undefined);
    return fromGroups.length ? Math.max(...fromGroups) : defaults[k];
  };
  const tpm = pick("tokensPerMinute");
  const rpm = pick("requestsPerMinute");
  return { ...(tpm !== undefined ? { tokensPerMinute: tpm } : {}), ...(rpm !== undefined ? { requestsPerMinute: rpm } : {}) };
}

/** Per user and minute: tokens (all four kinds) and calls, of the developer role only. */
export function countRecords(
  records: readonly InvocationRecord[],
  roleName: string,
): Map<string, { email: string; minute: string; tokens: number; requests: number }> {
  const out = new Map<string, { email: string; minute: string; tokens: number; requests: number }>();
  for (const r of records) {
    const who = r.identity?.arn ? parseAssumedRoleArn(r.identity.arn) : undefined;
    const at = r.timestamp ? Date.parse(r.timestamp) : NaN;
    if (!who || who.role !== roleName || !looksLikeEmail(who.session) || Number.isNaN(at)) continue;
    const email = normaliseEmail(who.session);
    const minute = minuteOf(at);
    const tokens =
      (r.input?.inputTokenCount ?? 0) +
      (r.input?.cacheReadInputTokenCount ?? 0) +
      (r.input?.cacheWriteInputTokenCount ?? 0) +
      (r.output?.outputTokenCount ?? 0);
    const key = `${email}|${minute}`;
    const c = out.get(key) ?? { email, minute, tokens: 0, requests: 0 };
    c.tokens += tokens;
    c.requests += 1;
    out.set(key, c);
  }
  return out;
}

function breach(limit: Limit, totals: { tokens: number; requests: number }): string | undefined {
  if (limit.tokensPerMinute !== undefined && totals.tokens > limit.tokensPerMinute)
    return `${totals.tokens} tokens in a minute (limit ${limit.tokensPerMinute})`;
  if (limit.requestsPerMinute !== undefined && totals.requests > limit.requestsPerMinute)
    return `${totals.requests} model calls in a minute (limit ${limit.requestsPerMinute})`;
  return undefined;
}

export async function runRateBatch(d: RateDeps, records: readonly InvocationRecord[]): Promise<RateResult> {
  const now = d.now();
  const until = now + d.defaults.cooldownMinutes * MINUTE_MS;
  const started: string[] = [];
  const counts = countRecords(records, d.roleName);
  const limitCache = new Map<string, Limit>();
  for (const c of counts.values()) {
    const totals = await addToMinute(d.doc, d.usageTable, c.email, c.minute, c.tokens, c.requests, Math.floor(now / 1000) + 3600);
    let limit = limitCache.get(c.email);
    if (!limit) {
      const groups = await d.groupsOf(c.email);
      limit = resolveRateLimit(c.email, groups, await d.limitsOf(c.email), d.defaults);
      limitCache.set(c.email, limit);
    }
    const why = breach(limit, totals);
    if (!why) continue;
    if (await claimCooldown(d.doc, d.usageTable, c.email, now, until, why)) {
      started.push(c.email);
      const action =
        d.mode === "block"
          ? `Bedrock calls are denied until ${new Date(until).toISOString()} and lift automatically`
          : "this stage only alerts (quotas.mode alert): nothing is denied";
      await d.notify(`Claude Code rate limit: ${c.email}`, `${c.email} made ${why} at ${c.minute} UTC; ${action}.`);
    }
  }
  const active = [...(await activeCooldowns(d.doc, d.usageTable, now)).keys()].sort();
  const denied = d.mode === "block" ? active : [];
  await d.applyDenies(denied);
  d.log.info("rate batch", { records: records.length, userMinutes: counts.size, started: started.length, coolingDown: active.length });
  return { counted: counts.size, started, denied };
}
