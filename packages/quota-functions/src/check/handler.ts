/**
 * Lambda behind `GET /check` (HTTP API, JWT authorizer with the stage's issuer and client id, or IAM
 * authorisation for IAM Identity Center stages). Answers 200 with the decision; 503 when the state
 * cannot be read, so the helper applies the stage's fail mode (open or closed) instead of trusting a
 * guess. Never logs the token; logs the user and the decision.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { RATE_LIMITED_REASON } from "@ccb/contracts";
import { loadCheckConfig, type CheckConfig } from "../config.js";
import { createLogger, type Logger } from "../log.js";
import { periodId, usageExpiry } from "../periods.js";
import { QuotaStore } from "../store.js";
import { callerOf, decide, identityOf, type CheckResponse } from "./evaluate.js";

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify(body),
});

export interface CheckDeps {
  readonly store: QuotaStore;
  readonly config: CheckConfig;
  readonly log: Logger;
  readonly now: () => number;
}

export async function handleCheck(
  event: Parameters<typeof callerOf>[0] & { requestContext?: { http?: { method?: string } } },
  d: CheckDeps,
): Promise<HttpResult> {
  const identity = identityOf(callerOf(event), d.config.claims);
  if (!identity) {
    const allowed = d.config.missingIdentity === "allow";
    d.log.warn("check without a usable identity", { allowed });
    const body: CheckResponse = {
      allowed,
      mode: allowed ? "alert" : "block",
      reason: "missing_identity",
      message: `Your sign-in token has no usable "${d.config.claims.emailClaim}" claim, so your usage cannot be metered. Ask your administrator to release that claim to this app.`,
      alerts: [],
      usage: {},
      policy: null,
    };
    return json(200, body);
  }
  const now = d.now();
  try {
    const [state, limits] = await Promise.all([
      d.store.userState(identity.email, periodId("monthly", now), periodId("daily", now)),
      d.store.limitsFor(identity.email, identity.groups),
    ]);
    // Groups come only from validated claims; remember them so the aggregation applies group limits too.
    const known = [...(state.groups ?? [])].sort().join("\n");
    if (identity.groups.length > 0 && known !== identity.groups.join("\n")) {
      await d.store
        .putProfile(identity.email, identity.groups, new Date(now).toISOString(), usageExpiry("monthly", now, 90))
        .catch((e) => d.log.warn("could not remember groups", { error: e as Error }));
    }
    const limitsForDecision = state.groups && identity.groups.length === 0 ? await d.store.limitsFor(identity.email, state.groups) : limits;
    const decided = decide({
      identity,
      ...(state.groups ? { storedGroups: state.groups } : {}),
      limits: limitsForDecision,
      month: state.month,
      day: state.day,
      ...(state.unblock ? { unblock: state.unblock } : {}),
      thresholds: d.config.thresholds,
      enforceOn: d.config.enforceOn,
      stageMode: d.config.stageMode,
      now,
    });
    const res = withRateLimit(decided, state.rateLimitedUntil, d.config.stageMode, now);
    d.log.info("check", { user: identity.email, allowed: res.allowed, reason: res.reason, mode: res.mode, alerts: res.alerts.length });
    return json(200, res);
  } catch (e) {
    d.log.error("check failed; the helper applies its fail mode", { user: identity.email, error: e as Error });
    return json(503, { error: "quota_unavailable", message: "The quota service could not read your usage; try again shortly." });
  }
}

/**
 * A user cooling down after a rate limit gets no new credentials until it ends (a block stage only;
 * an alert stage never refuses). Budget refusals keep their own reason.
 */
export function withRateLimit(res: CheckResponse, until: number | undefined, stageMode: "alert" | "block", now: number): CheckResponse {
  if (until === undefined || until <= now || stageMode !== "block" || !res.allowed) return res;
  const end = new Date(until).toISOString();
  return {
    ...res,
    allowed: false,
    mode: "block",
    reason: RATE_LIMITED_REASON,
    message: `Too many model calls or tokens per minute: new credentials after ${end} (cool-down).`,
    rateLimitedUntil: end,
  };
}

let cached: CheckDeps | undefined;

/** The Lambda entry point. */
export async function handler(event: Parameters<typeof handleCheck>[0]): Promise<HttpResult> {
  if (!cached) {
    const config = loadCheckConfig(process.env);
    cached = {
      config,
      store: new QuotaStore(new DynamoDBClient({}), config.limitsTable, config.usageTable, config.defaultLimit),
      log: createLogger("quota-check"),
      now: Date.now,
    };
  }
  return handleCheck(event, cached);
}
