/**
 * `otel-headers` for IAM Identity Center stages. IdC users have no id_token, so the collector's bearer
 * token comes from the stage's token endpoint: a SigV4-signed `GET` (SSO profile credentials) answered
 * with a short-lived JWT signed by the stage's KMS key, whose `sub`/`email` the endpoint took from the
 * verified IdC role session. The token is cached privately and reused until it would expire before
 * Claude Code asks again, exactly like the id_token on the OIDC path. Never throws; always an object.
 */
import type { StageSettings } from "@ccb/contracts";
import { StageCache } from "../cache.js";
import type { Deps } from "../io.js";
import { readJson, writePrivateJson } from "../store.js";
import { join } from "../paths.js";
import type { RoleIdentity } from "../idc.js";
import { recheckIdcQuota } from "../quota/idc-quota.js";
import { signedGet, type CredentialsSource } from "../quota/sigv4-check.js";

export interface CachedTelemetryToken {
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly email?: string;
}

const TOKEN_FETCH_TIMEOUT_MS = 5_000;

const isToken = (v: unknown): v is CachedTelemetryToken =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as CachedTelemetryToken).token === "string" &&
  typeof (v as CachedTelemetryToken).expiresAt === "number";

const usable = (t: CachedTelemetryToken | undefined, now: number, marginMs: number): t is CachedTelemetryToken =>
  t !== undefined && t.expiresAt - marginMs > now;

/**
 * Tells the load balancer which issuer's keys to check the token with (its listener rule for the token
 * endpoint). Choosing another issuer gains nothing: each rule verifies the signature against its own JWKS.
 */
export const TOKEN_ISSUER_HEADER = "x-ccb-token-issuer";
export const IAM_ISSUER_KEY = "iam";

function headersOf(t: CachedTelemetryToken, who: RoleIdentity | undefined): Record<string, string> {
  const email = t.email ?? who?.email ?? who?.name;
  return { Authorization: `Bearer ${t.token}`, [TOKEN_ISSUER_HEADER]: IAM_ISSUER_KEY, ...(email ? { "x-user-email": email } : {}) };
}

/** The endpoint's answer: `{"token": "<jwt>", "expiresAt": "<ISO date>" | epoch seconds, "email"?}`. */
export function parseTokenAnswer(v: unknown): CachedTelemetryToken | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.token !== "string" || o.token.split(".").length !== 3) return undefined;
  const exp = typeof o.expiresAt === "number" ? o.expiresAt * 1000 : typeof o.expiresAt === "string" ? Date.parse(o.expiresAt) : NaN;
  if (!Number.isFinite(exp)) return undefined;
  return { token: o.token, expiresAt: exp, ...(typeof o.email === "string" ? { email: o.email } : {}) };
}

export async function idcOtelHeaders(
  d: Deps,
  s: StageSettings,
  roleIdentity: (d: Deps, s: StageSettings) => Promise<RoleIdentity | undefined>,
  /** Renew when the token expires sooner than this (`refreshBeforeMs` of otel-headers: Claude Code's next call). */
  refreshBeforeMs: number,
  credentials?: CredentialsSource,
): Promise<Record<string, string>> {
  try {
    const who = await roleIdentity(d, s).catch(() => undefined);
    await recheckIdcQuota(d, s, credentials).catch(() => undefined);
    const tokenUrl = s.telemetry?.tokenUrl;
    if (!tokenUrl) return who ? { "x-user-email": who.email ?? who.name } : {};
    const file = join(d, new StageCache(d, s.stage).dir, "telemetry-token.json");
    const cached = await readJson(d, file, isToken).catch(() => undefined);
    if (usable(cached, d.now(), refreshBeforeMs)) return headersOf(cached, who);
    try {
      const res = await signedGet(d, s, tokenUrl, TOKEN_FETCH_TIMEOUT_MS, credentials);
      const fresh = res.status === 200 ? parseTokenAnswer(await res.json().catch(() => undefined)) : undefined;
      if (fresh && usable(fresh, d.now(), 0)) {
        await writePrivateJson(d, file, fresh).catch(() => undefined);
        return headersOf(fresh, who);
      }
      d.log.debug("otel-headers", "token endpoint gave no usable token", { status: res.status });
    } catch (e) {
      d.log.debug("otel-headers", "token endpoint failed", { error: (e as Error).message });
    }
    // A still-valid token that could not be renewed beats none until it expires.
    if (usable(cached, d.now(), 30_000)) return headersOf(cached, who);
    return who ? { "x-user-email": who.email ?? who.name } : {};
  } catch (e) {
    d.log.debug("otel-headers", "identity center headers failed", { error: (e as Error).message });
    return {};
  }
}
