/**
 * The per-stage private cache, `~/.claude-bedrock/cache/<stage>/`:
 *   credentials.json    the last STS/Cognito credentials (credential_process shape + principal)
 *   id-token.json       the last verified id_token, its expiry and the identity it proves
 *   refresh-token.json  the refresh token (kept apart: a corrupt id-token file must not lose it)
 *   quota.json          the last quota answer, for `status`
 *   lock                the cross-process sign-in lock
 * Reading these files needs nothing but `node:fs`: this is the warm path.
 */
import type { Deps } from "./io.js";
import type { Identity } from "./oidc/client.js";
import { cacheDir, join } from "./paths.js";
import { readJson, removeFile, writePrivateJson } from "./store.js";

type CacheDeps = Pick<Deps, "fs" | "env" | "platform" | "homedir" | "uid" | "pid" | "now" | "log" | "secretStore">;

/** Cached credentials are served only while they have more than this left (the AWS SDKs refresh at 5 min too). */
export const CREDENTIALS_WINDOW_MS = 5 * 60 * 1000;
/** A cached id_token is used for STS only with this much left; STS must still accept it on arrival. */
export const ID_TOKEN_WINDOW_MS = 2 * 60 * 1000;

export interface CachedCredentials {
  readonly Version: 1;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: string;
  readonly principal?: string;
}

export interface CachedIdToken {
  readonly idToken: string;
  readonly expiresAt: number;
  readonly identity: Identity;
}

export interface CachedRefreshToken {
  readonly refreshToken: string;
  readonly savedAt: number;
}

/** What refresh-token.json holds when the token itself is in the OS keychain. */
interface KeychainPointer {
  readonly storedIn: "keychain";
  readonly keychain: string;
  readonly savedAt: number;
}

export interface QuotaState {
  readonly checkedAt: number;
  readonly allowed: boolean;
  readonly outcome: "allowed" | "blocked" | "unavailable";
  readonly reason?: string;
  readonly usage?: Record<string, unknown>;
}

const isStr = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const isCreds = (v: unknown): v is CachedCredentials =>
  isObj(v) &&
  v.Version === 1 &&
  isStr(v.AccessKeyId) &&
  isStr(v.SecretAccessKey) &&
  isStr(v.SessionToken) &&
  isStr(v.Expiration) &&
  !Number.isNaN(Date.parse(v.Expiration));
const isIdToken = (v: unknown): v is CachedIdToken =>
  isObj(v) && isStr(v.idToken) && typeof v.expiresAt === "number" && isObj(v.identity) && isStr(v.identity.sub) && isStr(v.identity.email);
const isRefresh = (v: unknown): v is CachedRefreshToken | KeychainPointer =>
  isObj(v) && (isStr(v.refreshToken) || v.storedIn === "keychain");
const isQuota = (v: unknown): v is QuotaState => isObj(v) && typeof v.checkedAt === "number" && typeof v.allowed === "boolean";

export class StageCache {
  readonly dir: string;
  constructor(
    private readonly d: CacheDeps,
    private readonly stage: string,
  ) {
    this.dir = cacheDir(d, stage);
  }
  file(name: "credentials.json" | "id-token.json" | "refresh-token.json" | "quota.json" | "lock"): string {
    return join(this.d, this.dir, name);
  }
  readCredentials() {
    return readJson(this.d, this.file("credentials.json"), isCreds);
  }
  writeCredentials(c: CachedCredentials) {
    return writePrivateJson(this.d, this.file("credentials.json"), c);
  }
  readIdToken() {
    return readJson(this.d, this.file("id-token.json"), isIdToken);
  }
  writeIdToken(t: CachedIdToken) {
    return writePrivateJson(this.d, this.file("id-token.json"), t);
  }
  /** The refresh token: from the OS keychain when refresh-token.json points there, else from the file. */
  async readRefreshToken(): Promise<CachedRefreshToken | undefined> {
    const v = await readJson(this.d, this.file("refresh-token.json"), isRefresh);
    if (!v || !("storedIn" in v)) return v;
    const store = this.d.secretStore;
    try {
      const token = store ? await store.get(this.keychainAccount) : undefined;
      if (token) return { refreshToken: token, savedAt: v.savedAt };
      this.d.log.warn(`the refresh token is missing from the ${v.keychain}; a new sign-in will replace it`);
    } catch (e) {
      this.d.log.warn(`cannot read the refresh token from the ${v.keychain} (${(e as Error).message}); a new sign-in will replace it`);
    }
    return undefined;
  }
  /** Into the OS keychain when there is one that answers in time, else into the 0600 file. */
  async writeRefreshToken(refreshToken: string): Promise<void> {
    const store = this.d.secretStore;
    if (store) {
      try {
        await store.set(this.keychainAccount, refreshToken);
        const pointer: KeychainPointer = { storedIn: "keychain", keychain: store.name, savedAt: this.d.now() };
        return await writePrivateJson(this.d, this.file("refresh-token.json"), pointer);
      } catch (e) {
        this.d.log.debug("cache", "keychain unavailable; using the private file", { keychain: store.name, error: (e as Error).message });
      }
    }
    await writePrivateJson(this.d, this.file("refresh-token.json"), { refreshToken, savedAt: this.d.now() });
  }
  private get keychainAccount(): string {
    return `${this.stage}-refresh-token`;
  }
  readQuota() {
    return readJson(this.d, this.file("quota.json"), isQuota);
  }
  writeQuota(q: QuotaState) {
    return writePrivateJson(this.d, this.file("quota.json"), q);
  }
  async remove(...names: Array<"credentials.json" | "id-token.json" | "refresh-token.json" | "quota.json">): Promise<void> {
    for (const n of names) {
      if (n === "refresh-token.json" && this.d.secretStore) await this.d.secretStore.delete(this.keychainAccount).catch(() => undefined);
      await removeFile(this.d, this.file(n));
    }
  }
}

/** Whether cached credentials are still worth serving at `now`. */
export function credentialsFresh(c: CachedCredentials | undefined, now: number): c is CachedCredentials {
  return c !== undefined && Date.parse(c.Expiration) - now > CREDENTIALS_WINDOW_MS;
}

export function idTokenUsable(t: CachedIdToken | undefined, now: number, windowMs = ID_TOKEN_WINDOW_MS): t is CachedIdToken {
  return t !== undefined && t.expiresAt - now > windowMs;
}

/** The exact `credential_process` output: Version 1 and nothing else. */
export function processOutput(c: CachedCredentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: c.AccessKeyId,
    SecretAccessKey: c.SecretAccessKey,
    SessionToken: c.SessionToken,
    Expiration: c.Expiration,
  });
}
