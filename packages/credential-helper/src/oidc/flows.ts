/**
 * The three ways to get tokens from the identity provider:
 *  - `browserLogin`: authorization code + PKCE (S256) + state + nonce on the stage's loopback redirect;
 *    with `noBrowser` the URL is printed and a pasted redirect URL is accepted too (headless machines);
 *  - `deviceLogin`: RFC 8628 device authorization, when discovery advertises it;
 *  - `refresh`: the refresh-token grant; only `invalid_grant` means the refresh token is dead.
 */
import type { StageSettings } from "@ccb/contracts";
import { identityProviderOf } from "../settings.js";
import type { Deps } from "../io.js";
import { HelperError } from "../errors.js";
import { codeChallengeS256, randomCodeVerifier, randomNonce, randomState } from "../pkce.js";
import { startCallbackServer } from "./callback-server.js";
import { discover, verifyIdToken, type Discovered, type VerifiedIdToken } from "./client.js";
import { mapOidcError } from "./errors.js";

export interface TokenResult extends VerifiedIdToken {
  /** Present when the IdP issued (or rotated) one. */
  readonly refreshToken?: string;
}

type FlowDeps = Pick<Deps, "fetch" | "now" | "env" | "log" | "openBrowser" | "readLine" | "sleep">;

export interface BrowserLoginOptions {
  /** Print the URL instead of opening a browser; also accept a pasted redirect URL. */
  readonly noBrowser: boolean;
  readonly timeoutMs: number;
}

async function finishTokens(
  d: FlowDeps,
  settings: StageSettings,
  disc: Discovered,
  tokens: { id_token?: string; refresh_token?: string },
  nonce: string | undefined,
  context: string,
): Promise<TokenResult> {
  if (!tokens.id_token) {
    throw new HelperError(
      "ERR_IDP_REJECTED",
      `the identity provider returned no id_token during ${context}; the stage's scopes must include openid`,
      { recoverable: context === "token refresh" },
    );
  }
  const verified = await verifyIdToken(d, settings, tokens.id_token, disc.metadata.jwks_uri!, nonce);
  return { ...verified, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}) };
}

export async function browserLogin(
  d: FlowDeps,
  settings: StageSettings,
  options: BrowserLoginOptions,
  discovered?: Discovered,
): Promise<TokenResult> {
  const idp = identityProviderOf(settings);
  const disc = discovered ?? (await discover(d, settings));
  // Bind before building the URL: if the port is taken we fail before the user sees a browser tab.
  const server = await startCallbackServer(idp.redirectPort, idp.redirectPath, idp.redirectHost);
  try {
    const verifier = randomCodeVerifier();
    const state = randomState();
    const nonce = randomNonce();
    const authUrl = disc.lib.buildAuthorizationUrl(disc.config, {
      redirect_uri: server.redirectUri,
      scope: idp.scopes.join(" "),
      code_challenge: codeChallengeS256(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    d.log.debug("login", "authorization url built", { redirect: server.redirectUri });
    let finished = false;
    const waiting = server.waitForCallback(state, options.timeoutMs);
    void waiting.then(
      () => (finished = true),
      () => (finished = true),
    );
    if (options.noBrowser) {
      d.log.info(`Open this URL in a browser to sign in:\n\n  ${authUrl.href}\n`);
      if (d.readLine) {
        d.log.info("If the browser cannot reach this machine, paste the address it ends on here.");
        const readLine = d.readLine;
        // Keep reading until the sign-in ends: a stale URL pasted by mistake must not end the chance to paste.
        void (async () => {
          for (let line = await readLine("Redirect URL: "); line !== undefined && !finished; line = await readLine("Redirect URL: ")) {
            server.submitPastedUrl(line);
          }
        })().catch(() => undefined);
      }
    } else {
      try {
        await d.openBrowser(authUrl.href);
        d.log.info("Opened your browser to sign in; waiting for it to finish.");
      } catch (e) {
        d.log.debug("login", "browser open failed", { error: (e as Error).message });
        d.log.info(`Could not open a browser. Open this URL to sign in:\n\n  ${authUrl.href}\n`);
      }
    }
    const callback = await waiting;
    try {
      const tokens = await disc.lib
        .authorizationCodeGrant(
          disc.config,
          callback.url,
          { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
          { redirect_uri: server.redirectUri },
        )
        .catch((e: unknown) => {
          throw mapOidcError(e, "sign-in", idp.issuer, d.env, disc.metadata.token_endpoint);
        });
      const result = await finishTokens(d, settings, disc, tokens, nonce, "sign-in");
      callback.finish({ ok: true });
      return result;
    } catch (e) {
      const err = e instanceof HelperError ? e : mapOidcError(e, "sign-in", idp.issuer, d.env, disc.metadata.token_endpoint);
      callback.finish({ ok: false, message: err.message });
      throw err.code === "ERR_REFRESH_REVOKED"
        ? new HelperError("ERR_IDP_REJECTED", "the identity provider rejected the authorization code (invalid_grant)", { cause: err })
        : err;
    }
  } finally {
    await server.close();
  }
}

export async function deviceLogin(d: FlowDeps, settings: StageSettings, discovered?: Discovered): Promise<TokenResult> {
  const idp = identityProviderOf(settings);
  const disc = discovered ?? (await discover(d, settings));
  if (!disc.metadata.device_authorization_endpoint) {
    throw new HelperError("ERR_LOGIN_DEVICE_UNSUPPORTED", `the identity provider ${idp.issuer} does not offer device sign-in`);
  }
  try {
    const start = await disc.lib.initiateDeviceAuthorization(disc.config, { scope: idp.scopes.join(" ") });
    const where = start.verification_uri_complete ?? start.verification_uri;
    d.log.info(
      `To sign in, open ${where}${start.verification_uri_complete ? "" : ` and enter the code ${start.user_code}`} (code ${start.user_code}).`,
    );
    const tokens = await disc.lib.pollDeviceAuthorizationGrant(disc.config, start);
    return await finishTokens(d, settings, disc, tokens, undefined, "device sign-in");
  } catch (e) {
    throw mapOidcError(e, "device sign-in", idp.issuer, d.env, disc.metadata.device_authorization_endpoint);
  }
}

/**
 * Refresh-token grant. Throws `ERR_REFRESH_REVOKED` (recoverable) only when the IdP answers
 * `invalid_grant`; network and server failures keep the refresh token for the next attempt.
 */
export async function refresh(d: FlowDeps, settings: StageSettings, refreshToken: string, discovered?: Discovered): Promise<TokenResult> {
  const idp = identityProviderOf(settings);
  const disc = discovered ?? (await discover(d, settings));
  let tokens: { id_token?: string; refresh_token?: string };
  try {
    tokens = await disc.lib.refreshTokenGrant(disc.config, refreshToken);
  } catch (e) {
    throw mapOidcError(e, "token refresh", idp.issuer, d.env, disc.metadata.token_endpoint);
  }
  return finishTokens(d, settings, disc, tokens, undefined, "token refresh");
}

/** What `refresh` failures mean for the stored refresh token. */
export function classifyRefreshFailure(e: HelperError): "discard" | "keep" {
  return e.code === "ERR_REFRESH_REVOKED" ? "discard" : "keep";
}
