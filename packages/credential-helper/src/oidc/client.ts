/**
 * Discovery and id_token verification. openid-client and jose are imported lazily: they are needed
 * only when the helper talks to the identity provider, never on a warm cache.
 */
import type { StageSettings } from "@ccb/contracts";
import type { Deps } from "../io.js";
import { HelperError } from "../errors.js";
import { allowInsecureLoopback, identityProviderOf } from "../settings.js";
import { mapOidcError, tokenError } from "./errors.js";
import { jose as loadJose, openidClient } from "../lazy.js";

export type OidcClient = typeof import("openid-client");
export type Configuration = import("openid-client").Configuration;

/** Seconds of clock difference tolerated on `exp`, `iat` and `nbf`. */
export const CLOCK_TOLERANCE_S = 60;

/** Who the user is, from a verified id_token. Only claims, never the token itself. */
export interface Identity {
  readonly sub: string;
  readonly email: string;
  readonly department?: string;
  readonly team?: string;
  readonly costCenter?: string;
  readonly groups?: readonly string[];
}

export interface VerifiedIdToken {
  readonly idToken: string;
  /** `exp` in milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly identity: Identity;
}

export interface Discovered {
  readonly lib: OidcClient;
  readonly config: Configuration;
  readonly metadata: ReturnType<Configuration["serverMetadata"]>;
}

type OidcDeps = Pick<Deps, "fetch" | "now" | "env" | "log">;

function fetchFor(d: OidcDeps) {
  return ((url: string, init: RequestInit) => d.fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(30_000) })) as never;
}

export async function discover(d: OidcDeps, settings: StageSettings): Promise<Discovered> {
  const lib = await openidClient();
  const { issuer, clientId } = identityProviderOf(settings);
  const issuerUrl = new URL(issuer);
  const insecure = issuerUrl.protocol === "http:";
  if (insecure && !allowInsecureLoopback(d)) {
    throw new HelperError("ERR_SETTINGS_INVALID", `the identity provider ${issuer} must use https`);
  }
  d.log.debug("oidc", "discovery", { issuer });
  let config: Configuration;
  try {
    config = await lib.discovery(
      issuerUrl,
      clientId,
      {
        // openid-client reads its own clock; align it with the injected one (tests freeze time).
        [lib.clockSkew]: Math.round((d.now() - Date.now()) / 1000),
        [lib.clockTolerance]: CLOCK_TOLERANCE_S,
      } as never,
      lib.None(),
      {
        [lib.customFetch]: fetchFor(d),
        // Only reachable with CLAUDE_BEDROCK_ALLOW_INSECURE_LOOPBACK=1 and a loopback issuer (checked above and in settings).
        execute: insecure ? [lib.allowInsecureRequests] : [],
        timeout: 15,
      },
    );
  } catch (e) {
    throw mapOidcError(e, "discovery", issuer, d.env);
  }
  config[lib.customFetch] = fetchFor(d);
  const metadata = config.serverMetadata();
  if (metadata.issuer !== issuer) {
    throw new HelperError("ERR_IDP_DISCOVERY", `discovery at ${issuer} names issuer ${metadata.issuer}`);
  }
  if (!metadata.jwks_uri || !metadata.token_endpoint || !metadata.authorization_endpoint) {
    throw new HelperError("ERR_IDP_DISCOVERY", `discovery at ${issuer} lacks jwks_uri, token_endpoint or authorization_endpoint`);
  }
  return { lib, config, metadata };
}

function str(v: unknown): string | undefined {
  if (typeof v === "string" && v.length > 0) return v;
  if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  return undefined;
}

export function identityFromClaims(settings: StageSettings, claims: Record<string, unknown>): Identity {
  const idp = identityProviderOf(settings);
  const sub = str(claims.sub);
  // Exactly the claim the stage names: falling back to another claim (`email`, `preferred_username`)
  // would let a user-editable attribute become the identity STS and the quota service see.
  const email = str(claims[idp.emailClaim]);
  if (!sub || !email) {
    throw tokenError("ERR_TOKEN_CLAIMS", undefined, `the id_token lacks the "${!sub ? "sub" : idp.emailClaim}" claim`);
  }
  if (claims.email_verified === false || claims.email_verified === "false") {
    throw tokenError(
      "ERR_TOKEN_CLAIMS",
      undefined,
      `the identity provider says the email address of ${email} is not verified (email_verified is false); verify it with your identity provider, then sign in again`,
    );
  }
  const a = idp.attributeClaims ?? {};
  const groupsRaw = idp.groupsClaim ? claims[idp.groupsClaim] : undefined;
  const groups = Array.isArray(groupsRaw) ? groupsRaw.filter((g): g is string => typeof g === "string") : undefined;
  return {
    sub,
    email,
    department: str(claims[a.department ?? "department"]),
    team: str(claims[a.team ?? "team"]),
    costCenter: str(claims[a.costCenter ?? "cost_center"]),
    ...(groups ? { groups } : {}),
  };
}

/**
 * Verifies an id_token with jose: signature against the issuer's JWKS, `iss`, `aud`, `exp`/`nbf`/`iat`
 * with `CLOCK_TOLERANCE_S`, and `nonce` when one was sent. Returns the identity it proves.
 */
export async function verifyIdToken(
  d: OidcDeps,
  settings: StageSettings,
  idToken: string,
  jwksUri: string,
  expectedNonce?: string,
): Promise<VerifiedIdToken> {
  const jose = await loadJose();
  const { issuer, clientId } = identityProviderOf(settings);
  let payload: Record<string, unknown>;
  try {
    const jwks = jose.createRemoteJWKSet(new URL(jwksUri), { [jose.customFetch]: d.fetch as never, timeoutDuration: 15_000 });
    ({ payload } = await jose.jwtVerify(idToken, jwks, {
      issuer,
      audience: clientId,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: new Date(d.now()),
      requiredClaims: ["exp", "iat", "sub"],
      algorithms: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"],
    }));
  } catch (e) {
    throw mapOidcError(e, "id_token verification", issuer, d.env, jwksUri);
  }
  // jose checks iat only against a maximum age; a token minted in our future means a wrong clock.
  if (typeof payload.iat === "number" && payload.iat > d.now() / 1000 + CLOCK_TOLERANCE_S) throw tokenError("ERR_TOKEN_NOT_YET_VALID");
  if (expectedNonce !== undefined && payload.nonce !== expectedNonce) throw tokenError("ERR_TOKEN_NONCE");
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== clientId) throw tokenError("ERR_TOKEN_AUDIENCE");
  const identity = identityFromClaims(settings, payload);
  d.log.debug("oidc", "id_token verified", { exp: payload.exp as number });
  return { idToken, expiresAt: (payload.exp as number) * 1000, identity };
}
