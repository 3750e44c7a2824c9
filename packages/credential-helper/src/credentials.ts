/**
 * `credential-process`: cached credentials → cached id_token → refresh token → browser sign-in, then
 * quota check → STS/Cognito → cache. The first step touches only `node:fs`; everything after it loads
 * lazily. Concurrent callers share one sign-in and one STS call through the stage lock.
 */
import type { StageSettings } from "@ccb/contracts";
import { credentialsFresh, idTokenUsable, StageCache, type CachedCredentials, type CachedIdToken } from "./cache.js";
import type { Deps } from "./io.js";
import type { Federation } from "./federation.js";
import { HelperError } from "./errors.js";
import { acquireLock } from "./lock.js";
import { quotaRecheckDue } from "./warm.js";
import type { Discovered } from "./oidc/client.js";
import type { TokenResult } from "./oidc/flows.js";

export interface CredentialOptions {
  /** May a browser sign-in be started as the last resort? */
  readonly allowBrowser: boolean;
  readonly loginTimeoutMs: number;
  /** Injected in unit tests; the AWS SDK implementation otherwise. */
  readonly federation?: Federation;
}

export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60 * 1000;

export { QUOTA_RECHECK_MS } from "./warm.js";

export function loginTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const s = Number(env.CLAUDE_BEDROCK_LOGIN_TIMEOUT_SECONDS);
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_LOGIN_TIMEOUT_MS;
}

/** Holds the lock for the whole slow path; the lock outlives a sign-in by a margin before it counts as stale. */
export function lockOptions(timeoutMs: number) {
  return { waitMs: timeoutMs + 60_000, staleAfterMs: timeoutMs + 120_000 };
}

export async function saveTokens(cache: StageCache, t: TokenResult): Promise<CachedIdToken> {
  const cached: CachedIdToken = { idToken: t.idToken, expiresAt: t.expiresAt, identity: t.identity };
  await cache.writeIdToken(cached);
  if (t.refreshToken) await cache.writeRefreshToken(t.refreshToken);
  return cached;
}

export class CredentialResolver {
  readonly cache: StageCache;
  /**
   * Set when this resolution signed in through the browser: the team claim may have changed, so the
   * caller (cli.ts) switches Claude Code's model keys. Kept out of here so this module needs no setup code.
   */
  signedIn: CachedIdToken | undefined;
  private discovered: Promise<Discovered> | undefined;
  constructor(
    private readonly d: Deps,
    private readonly settings: StageSettings,
    private readonly options: CredentialOptions,
  ) {
    this.cache = new StageCache(d, settings.stage);
  }

  private discover(): Promise<Discovered> {
    this.discovered ??= import("./oidc/client.js").then((m) => m.discover(this.d, this.settings));
    return this.discovered;
  }

  async resolve(): Promise<CachedCredentials> {
    const { d, settings } = this;
    if (settings.federation.mode === "identity-center") {
      throw new HelperError(
        "ERR_FEDERATION_IDENTITY_CENTER",
        `stage ${settings.stage} signs in through IAM Identity Center, not through this helper`,
      );
    }
    const cached = await this.cache.readCredentials();
    if (credentialsFresh(cached, d.now())) {
      d.log.debug("credentials", "cache hit", { expires: cached.Expiration });
      if (settings.quota) await this.recheckQuota();
      return cached;
    }
    const lock = await acquireLock(d, this.cache.file("lock"), lockOptions(this.options.loginTimeoutMs));
    try {
      if (lock.waited) {
        const again = await this.cache.readCredentials();
        if (credentialsFresh(again, d.now())) {
          d.log.debug("credentials", "cache hit after waiting for another process");
          return again;
        }
      }
      return await this.slowPath();
    } finally {
      await lock.release();
    }
  }

  /** Tokens by the cheapest route: cached id_token, refresh, then (if allowed) the browser. */
  async tokens(allowBrowser: boolean): Promise<CachedIdToken> {
    const { d } = this;
    const cachedToken = await this.cache.readIdToken();
    if (idTokenUsable(cachedToken, d.now())) {
      d.log.debug("credentials", "using cached id_token");
      return cachedToken;
    }
    const fresh = await this.refreshed();
    if (fresh) return fresh;
    if (!allowBrowser) {
      throw new HelperError(
        "ERR_LOGIN_REQUIRED",
        "you are not signed in (no valid token and no usable refresh token) and no browser can be opened here",
      );
    }
    return this.browser();
  }

  /** Refresh-token grant; undefined when there is no refresh token or the IdP says it is dead. */
  async refreshed(): Promise<CachedIdToken | undefined> {
    const { d } = this;
    const stored = await this.cache.readRefreshToken();
    if (!stored) return undefined;
    const flows = await import("./oidc/flows.js");
    try {
      d.log.debug("credentials", "refreshing");
      const t = await flows.refresh(d, this.settings, stored.refreshToken, await this.discover());
      return await saveTokens(this.cache, t);
    } catch (e) {
      if (e instanceof HelperError && flows.classifyRefreshFailure(e) === "discard") {
        d.log.debug("credentials", "refresh token rejected (invalid_grant); discarding it");
        await this.cache.remove("refresh-token.json");
        return undefined;
      }
      if (e instanceof HelperError && e.recoverable) return undefined;
      throw e;
    }
  }

  async browser(): Promise<CachedIdToken> {
    const flows = await import("./oidc/flows.js");
    const t = await flows.browserLogin(
      this.d,
      this.settings,
      { noBrowser: false, timeoutMs: this.options.loginTimeoutMs },
      await this.discover(),
    );
    const saved = await saveTokens(this.cache, t);
    this.signedIn = saved;
    return saved;
  }

  private async slowPath(): Promise<CachedCredentials> {
    let tokens = await this.tokens(this.options.allowBrowser);
    try {
      return await this.mint(tokens);
    } catch (e) {
      // STS says the token expired (clock skew or a revoked session): one more round with new tokens.
      if (!(e instanceof HelperError && e.recoverable)) throw e;
      this.d.log.debug("credentials", "token refused by AWS; getting a new one", { code: e.code });
      await this.cache.remove("id-token.json");
      tokens =
        (await this.refreshed()) ??
        (this.options.allowBrowser
          ? await this.browser()
          : (() => {
              throw e;
            })());
      return this.mint(tokens);
    }
  }

  /** On a cache hit: ask the quota service again when the last answer is older than QUOTA_RECHECK_MS. */
  private async recheckQuota(): Promise<void> {
    const { d } = this;
    if (!quotaRecheckDue(await this.cache.readQuota(), d.now())) return;
    let token = await this.cache.readIdToken();
    if (!idTokenUsable(token, d.now())) {
      // Someone else holds the lock (a sign-in in progress): serve the cached credentials, ask next time.
      const lock = await acquireLock(d, this.cache.file("lock"), {
        waitMs: 10_000,
        staleAfterMs: lockOptions(this.options.loginTimeoutMs).staleAfterMs,
      }).catch(() => undefined);
      if (!lock) return d.log.debug("quota", "re-check skipped: lock busy");
      try {
        token = await this.cache.readIdToken();
        if (!idTokenUsable(token, d.now())) token = await this.refreshed().catch(() => undefined);
      } finally {
        await lock.release();
      }
    }
    // No way to ask without a token: keep serving (the next minting asks), and do not stamp the time.
    if (!token) return d.log.debug("quota", "re-check skipped: no usable token");
    await this.checkAndRecordQuota(token);
  }

  private async checkAndRecordQuota(tokens: CachedIdToken): Promise<void> {
    const { checkQuota } = await import("./quota.js");
    try {
      await this.cache.writeQuota(await checkQuota(this.d, this.settings.quota!, tokens.idToken));
    } catch (e) {
      const state = (e as { quotaState?: Parameters<StageCache["writeQuota"]>[0] }).quotaState;
      if (state) await this.cache.writeQuota(state).catch(() => undefined);
      // A blocked user must not keep using credentials minted before the block.
      if (e instanceof HelperError && e.code === "ERR_QUOTA_BLOCKED") await this.cache.remove("credentials.json");
      throw e;
    }
  }

  /** Quota check (when the stage has one), then STS or Cognito, then the cache. */
  async mint(tokens: CachedIdToken): Promise<CachedCredentials> {
    const { d, settings } = this;
    if (settings.quota) await this.checkAndRecordQuota(tokens);
    const federation = this.options.federation ?? (await import("./federation.js")).sdkFederation(d);
    const fed = settings.federation;
    let creds;
    if (fed.mode === "direct") {
      const { roleSessionName } = await import("./session-name.js");
      creds = await federation.assumeRoleWithWebIdentity({
        federation: fed,
        region: settings.region,
        idToken: tokens.idToken,
        roleSessionName: roleSessionName(tokens.identity.email, tokens.identity.sub),
      });
    } else if (fed.mode === "cognito-identity-pool") {
      creds = await federation.cognitoCredentials({ federation: fed, idToken: tokens.idToken });
    } else {
      throw new HelperError("ERR_FEDERATION_IDENTITY_CENTER", `stage ${settings.stage} signs in through IAM Identity Center`);
    }
    const out: CachedCredentials = {
      Version: 1,
      AccessKeyId: creds.accessKeyId,
      SecretAccessKey: creds.secretAccessKey,
      SessionToken: creds.sessionToken,
      Expiration: creds.expiration,
      ...(creds.principal ? { principal: creds.principal } : {}),
    };
    await this.cache.writeCredentials(out);
    return out;
  }
}
