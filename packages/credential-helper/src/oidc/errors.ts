/**
 * Maps failures of openid-client, oauth4webapi, jose and fetch to the helper's codes. One place, so a
 * wrong audience reads the same whether the protocol library or our own jose check noticed it first.
 */
import { HelperError, type HelperErrorCode } from "../errors.js";
import { networkFailure } from "../network.js";

interface Shaped {
  name?: string;
  code?: string;
  error?: string;
  error_description?: string;
  claim?: string;
  reason?: string;
  message?: string;
  cause?: unknown;
}

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

export function isNetworkError(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const s = cur as Shaped;
    if (s.code && NETWORK.has(s.code)) return true;
    if (s.name === "AbortError" || s.name === "TimeoutError") return true;
    if (s.name === "TypeError" && /fetch failed/i.test(s.message ?? "")) return true;
    cur = s.cause;
  }
  return false;
}

function claimCode(claim: string | undefined, timestamp: boolean): HelperErrorCode {
  switch (claim) {
    case "iss":
      return "ERR_TOKEN_ISSUER";
    case "aud":
    case "azp":
      return "ERR_TOKEN_AUDIENCE";
    case "nonce":
      return "ERR_TOKEN_NONCE";
    case "exp":
      return "ERR_TOKEN_EXPIRED";
    case "nbf":
    case "iat":
      return timestamp ? "ERR_TOKEN_NOT_YET_VALID" : "ERR_TOKEN_CLAIMS";
    default:
      return "ERR_TOKEN_CLAIMS";
  }
}

const MESSAGES: Partial<Record<HelperErrorCode, string>> = {
  ERR_TOKEN_SIGNATURE: "the id_token signature does not verify against the identity provider's keys",
  ERR_TOKEN_EXPIRED: "the id_token from the identity provider has expired",
  ERR_TOKEN_NOT_YET_VALID: "the id_token from the identity provider is not valid yet",
  ERR_TOKEN_ISSUER: "the id_token was issued by a different identity provider than the stage expects",
  ERR_TOKEN_AUDIENCE: "the id_token was issued for a different client than the stage expects",
  ERR_TOKEN_NONCE: "the id_token does not answer this sign-in (nonce mismatch)",
};

export function tokenError(code: HelperErrorCode, cause?: unknown, detail?: string): HelperError {
  return new HelperError(code, detail ?? MESSAGES[code] ?? "the id_token is not acceptable", { cause });
}

/**
 * @param context what was being done, e.g. "sign-in", "token refresh", "discovery", for the message.
 */
export function mapOidcError(
  e: unknown,
  context: string,
  issuer: string,
  env: Readonly<Record<string, string | undefined>> = {},
  url: string = issuer,
): HelperError {
  if (e instanceof HelperError) return e;
  const net = networkFailure(e, url, env, "the identity provider");
  if (net) return net;
  if (isNetworkError(e))
    return new HelperError("ERR_IDP_UNREACHABLE", `cannot reach the identity provider ${issuer} during ${context}`, { cause: e });
  const s = (e ?? {}) as Shaped & { status?: number };
  // openid-client wraps oauth4webapi's error, whose cause carries the claim: look one level deeper too.
  const inner = (s.cause ?? {}) as Shaped;
  const claim = inner.claim ?? (inner.cause as Shaped | undefined)?.claim;
  const detail = inner.message ?? s.message ?? "";
  // jose
  switch (s.code) {
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return tokenError("ERR_TOKEN_SIGNATURE", e);
    case "ERR_JWT_EXPIRED":
      return tokenError("ERR_TOKEN_EXPIRED", e);
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return tokenError(claimCode(s.claim, s.reason === "check_failed"), e);
    case "ERR_JWKS_TIMEOUT":
      return new HelperError("ERR_IDP_UNREACHABLE", `timed out fetching the identity provider's keys during ${context}`, { cause: e });
    case "ERR_JWKS_INVALID":
    case "ERR_JOSE_GENERIC":
      return new HelperError("ERR_IDP_DISCOVERY", `the identity provider's key set is unusable (${s.message})`, { cause: e });
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
      return tokenError("ERR_TOKEN_CLAIMS", e, `the id_token is malformed (${s.message})`);
    // oauth4webapi / openid-client
    case "OAUTH_JWT_CLAIM_COMPARISON_FAILED":
      return tokenError(claimCode(claim, false), e);
    case "OAUTH_JWT_TIMESTAMP_CHECK_FAILED":
      return tokenError(
        claim === "exp" || claim === "auth_time" || (claim === "iat" && /past/.test(detail))
          ? "ERR_TOKEN_EXPIRED"
          : "ERR_TOKEN_NOT_YET_VALID",
        e,
      );
    case "OAUTH_RESPONSE_BODY_ERROR": {
      const err = s.error ?? "error";
      if (err === "invalid_grant") {
        return new HelperError("ERR_REFRESH_REVOKED", `the identity provider rejected the grant during ${context} (invalid_grant)`, {
          cause: e,
          recoverable: true,
        });
      }
      if ((s.status ?? 0) >= 500) {
        return new HelperError("ERR_IDP_UNREACHABLE", `the identity provider is unavailable during ${context} (HTTP ${s.status} ${err})`, {
          cause: e,
        });
      }
      if (err === "access_denied") return new HelperError("ERR_LOGIN_CANCELLED", `sign-in was declined (${err})`, { cause: e });
      return new HelperError(
        "ERR_IDP_REJECTED",
        `the identity provider refused the ${context}: ${err}${s.error_description ? ` (${s.error_description})` : ""}`,
        { cause: e },
      );
    }
    case "OAUTH_AUTHORIZATION_RESPONSE_ERROR":
      return new HelperError(
        s.error === "access_denied" ? "ERR_LOGIN_CANCELLED" : "ERR_IDP_REJECTED",
        `the identity provider ended the sign-in: ${s.error ?? "error"}${s.error_description ? ` (${s.error_description})` : ""}`,
        { cause: e },
      );
    case "OAUTH_RESPONSE_IS_NOT_CONFORM": {
      const status = (s.cause as { status?: number } | undefined)?.status ?? 0;
      if (status >= 500 || status === 429) {
        return new HelperError("ERR_IDP_UNREACHABLE", `the identity provider is unavailable during ${context} (HTTP ${status})`, {
          cause: e,
        });
      }
      return new HelperError(
        context === "discovery" ? "ERR_IDP_DISCOVERY" : "ERR_IDP_REJECTED",
        `unexpected answer from the identity provider during ${context} (HTTP ${status})`,
        { cause: e },
      );
    }
    case "OAUTH_INVALID_SERVER_METADATA":
    case "OAUTH_MISSING_SERVER_METADATA":
    case "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED":
    case "OAUTH_RESPONSE_IS_NOT_JSON":
    case "OAUTH_INVALID_RESPONSE":
    case "OAUTH_PARSE_ERROR":
      return new HelperError(
        context === "discovery" ? "ERR_IDP_DISCOVERY" : "ERR_IDP_REJECTED",
        `unexpected answer from the identity provider during ${context}: ${s.message}`,
        { cause: e },
      );
    case "OAUTH_HTTP_REQUEST_FORBIDDEN":
    case "OAUTH_REQUEST_PROTOCOL_FORBIDDEN":
      return new HelperError("ERR_SETTINGS_INVALID", `the identity provider ${issuer} must use https`, { cause: e });
    default:
      return new HelperError("ERR_IDP_REJECTED", `${context} failed: ${s.message ?? String(e)}`, { cause: e });
  }
}
