/**
 * The quota check API between the credential helper and the quota service's check function.
 *
 *   GET <stage.quota.checkUrl>
 *   Authorization: Bearer <id_token>          (API Gateway validates it and passes the claims on)
 *   → 200 {"allowed": boolean, "reason"?: string, "message"?: string,
 *          "alerts"?: [{"threshold": number, "message": string}], "usage"?: {...}}
 *
 * The service sends more (mode, policy, unblockedUntil, per-alert limit and period); the helper reads
 * only what this parser keeps, so the service may add fields without breaking deployed helpers.
 */

/** The request carries no body: who is asking comes from the validated token's claims. */
export const QUOTA_CHECK_METHOD = "GET" as const;

export interface QuotaCheckAlert {
  readonly threshold?: number;
  readonly message: string;
}

/** What the helper acts on. */
export interface QuotaCheckAnswer {
  readonly allowed: boolean;
  /** A machine-readable code (`monthly_cost_exceeded`). */
  readonly reason?: string;
  /** The sentence for the user, when the service sends one. */
  readonly message?: string;
  readonly alerts?: readonly QuotaCheckAlert[];
  readonly usage?: Record<string, unknown>;
  /** With reason `rate_limited`: when the cool-down ends (ISO 8601); ask again after it. */
  readonly rateLimitedUntil?: string;
}

/** What the check function sends (a superset of `QuotaCheckAnswer`). */
export interface QuotaCheckResponse {
  readonly allowed: boolean;
  readonly mode: string;
  readonly reason: string;
  readonly message: string;
  readonly alerts: readonly (QuotaCheckAlert & { readonly threshold: number })[];
  readonly usage: Record<string, unknown>;
  readonly policy: { readonly scope: string; readonly ids: readonly string[] } | null;
  readonly unblockedUntil?: string;
  readonly rateLimitedUntil?: string;
}

/** Reads a 200 body; `undefined` when it is not an answer (the helper then applies its fail mode). */
export function parseQuotaCheckAnswer(v: unknown): QuotaCheckAnswer | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.allowed !== "boolean") return undefined;
  const alerts = Array.isArray(o.alerts)
    ? o.alerts.filter(
        (a): a is { threshold?: number; message: string } =>
          typeof a === "object" && a !== null && typeof (a as { message?: unknown }).message === "string",
      )
    : undefined;
  return {
    allowed: o.allowed,
    ...(typeof o.reason === "string" ? { reason: o.reason } : {}),
    ...(typeof o.message === "string" && o.message.length > 0 ? { message: o.message } : {}),
    ...(alerts && alerts.length > 0 ? { alerts } : {}),
    ...(typeof o.usage === "object" && o.usage !== null ? { usage: o.usage as Record<string, unknown> } : {}),
    ...(typeof o.rateLimitedUntil === "string" && !Number.isNaN(Date.parse(o.rateLimitedUntil))
      ? { rateLimitedUntil: o.rateLimitedUntil }
      : {}),
  };
}
