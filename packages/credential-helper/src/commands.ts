/**
 * `login`, `logout` and `status`. `credential-process`, `otel-headers`, `setup` and `doctor` live in
 * their own modules; this file stays free of heavy imports too.
 */
import type { StageSettings } from "@ccb/contracts";
import { identityProviderOf } from "./settings.js";
import { credentialsFresh, idTokenUsable, StageCache } from "./cache.js";
import { saveTokens } from "./credentials.js";
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";

export interface LoginFlags {
  readonly noBrowser: boolean;
  readonly device: boolean;
  readonly timeoutMs: number;
}

export interface LoginResult {
  readonly message: string;
  /** A new sign-in: its team claim may differ from the one setup applied (cli.ts switches the models). */
  readonly teamChanged: true;
}

export async function login(d: Deps, s: StageSettings, flags: LoginFlags): Promise<LoginResult> {
  if (s.federation.mode === "identity-center") {
    throw new HelperError(
      "ERR_FEDERATION_IDENTITY_CENTER",
      `stage ${s.stage} signs in through IAM Identity Center (profile ${s.awsProfile})`,
    );
  }
  const [{ discover }, flows, { acquireLock }, { lockOptions }] = await Promise.all([
    import("./oidc/client.js"),
    import("./oidc/flows.js"),
    import("./lock.js"),
    import("./credentials.js"),
  ]);
  const cache = new StageCache(d, s.stage);
  const lock = await acquireLock(d, cache.file("lock"), lockOptions(flags.timeoutMs));
  try {
    const disc = await discover(d, s);
    const { isHeadless } = await import("./browser.js");
    let t;
    if (flags.device && disc.metadata.device_authorization_endpoint) {
      t = await flows.deviceLogin(d, s, disc);
    } else {
      // No device endpoint, or no browser on this machine: print the URL and accept the pasted redirect.
      if (flags.device) d.log.info(`${identityProviderOf(s).issuer} offers no device sign-in; use the URL below instead.`);
      const noBrowser = flags.noBrowser || flags.device || isHeadless(d.env, d.platform);
      t = await flows.browserLogin(d, s, { noBrowser, timeoutMs: flags.timeoutMs }, disc);
    }
    const saved = await saveTokens(cache, t);
    // New identity: credentials minted for a previous sign-in must not be served under it.
    await cache.remove("credentials.json");
    return {
      message: `Signed in as ${saved.identity.email} (stage ${s.stage}) until ${new Date(saved.expiresAt).toISOString()}${t.refreshToken ? "; silent refresh enabled" : ""}.`,
      teamChanged: true,
    };
  } finally {
    await lock.release();
  }
}

export async function logout(d: Deps, s: StageSettings, idp: boolean): Promise<string> {
  const cache = new StageCache(d, s.stage);
  // Under the stage lock: a refresh running now (credential-process, otel-headers) would otherwise write
  // the tokens back right after they are removed.
  const [{ acquireLock }, { lockOptions, loginTimeoutMs }] = await Promise.all([import("./lock.js"), import("./credentials.js")]);
  const lock = await acquireLock(d, cache.file("lock"), lockOptions(loginTimeoutMs(d.env)));
  let token;
  try {
    token = await cache.readIdToken();
    await cache.remove("credentials.json", "id-token.json", "refresh-token.json", "quota.json");
  } finally {
    await lock.release();
  }
  let extra = "";
  if (idp && s.federation.mode !== "identity-center") {
    const { discover } = await import("./oidc/client.js");
    const disc = await discover(d, s);
    if (disc.metadata.end_session_endpoint) {
      const url = disc.lib.buildEndSessionUrl(disc.config, token ? { id_token_hint: token.idToken } : {});
      await d.openBrowser(url.href).catch(() => d.log.info(`Open ${url.href} to sign out of the identity provider.`));
      extra = " Signed out of the identity provider in the browser.";
    } else extra = " The identity provider offers no sign-out endpoint.";
  }
  return `Forgot the tokens and credentials of stage ${s.stage}.${extra}`;
}

export interface StatusReport {
  stage: string;
  organization: string;
  profile: string;
  region: string;
  federation: string;
  settingsSource: string;
  signedIn: boolean;
  email?: string;
  team?: string;
  idTokenExpiresAt?: string;
  refreshToken: boolean;
  credentialsExpireAt?: string;
  credentialsValid: boolean;
  principal?: string;
  quota?: { outcome: string; checkedAt: string; reason?: string; usage?: Record<string, unknown> };
}

export async function status(d: Deps, s: StageSettings, source: string): Promise<StatusReport> {
  const cache = new StageCache(d, s.stage);
  const [tok, refresh, creds, quota] = await Promise.all([
    cache.readIdToken(),
    cache.readRefreshToken(),
    cache.readCredentials(),
    cache.readQuota(),
  ]);
  const now = d.now();
  const base = {
    stage: s.stage,
    organization: s.organization,
    profile: s.awsProfile,
    region: s.region,
    federation: s.federation.mode,
    settingsSource: source,
  };
  if (s.federation.mode === "identity-center") {
    const { roleIdentity } = await import("./idc.js");
    const who = await roleIdentity(d, s);
    // The signed /check (at most every 15 minutes): the helper does not issue IdC credentials, so this is where the user sees the answer.
    const q = who ? ((await (await import("./quota/idc-quota.js")).recheckIdcQuota(d, s)) ?? quota) : quota;
    return {
      ...base,
      signedIn: who !== undefined,
      ...(who ? { email: who.email ?? who.name, principal: who.arn } : {}),
      refreshToken: false,
      credentialsValid: who !== undefined,
      ...(q
        ? {
            quota: {
              outcome: q.outcome,
              checkedAt: new Date(q.checkedAt).toISOString(),
              ...(q.reason ? { reason: q.reason } : {}),
              ...(q.usage ? { usage: q.usage } : {}),
            },
          }
        : {}),
    };
  }
  return {
    ...base,
    signedIn: idTokenUsable(tok, now, 0) || refresh !== undefined,
    ...(tok ? { email: tok.identity.email, idTokenExpiresAt: new Date(tok.expiresAt).toISOString() } : {}),
    ...(tok?.identity.team ? { team: tok.identity.team } : {}),
    refreshToken: refresh !== undefined,
    credentialsValid: credentialsFresh(creds, now),
    ...(creds ? { credentialsExpireAt: creds.Expiration } : {}),
    ...(creds?.principal ? { principal: creds.principal } : {}),
    ...(quota
      ? {
          quota: {
            outcome: quota.outcome,
            checkedAt: new Date(quota.checkedAt).toISOString(),
            ...(quota.reason ? { reason: quota.reason } : {}),
            ...(quota.usage ? { usage: quota.usage } : {}),
          },
        }
      : {}),
  };
}

export function formatStatus(r: StatusReport): string {
  const lines = [
    `Stage:        ${r.stage} (${r.organization}), settings from ${r.settingsSource}`,
    `AWS profile:  ${r.profile} in ${r.region} (${r.federation})`,
    r.email
      ? `Signed in as: ${r.email}${r.team ? ` (team ${r.team})` : ""}${r.idTokenExpiresAt ? `; token until ${r.idTokenExpiresAt}` : ` (IAM Identity Center session ${r.principal})`}${r.refreshToken ? ", silent refresh available" : ""}`
      : `Signed in:    no${r.refreshToken ? " (refresh token present)" : r.federation === "identity-center" ? ` (run \`aws sso login --profile ${r.profile}\`)` : ""}`,
    r.credentialsExpireAt
      ? `Credentials:  ${r.credentialsValid ? "valid" : "expired"} until ${r.credentialsExpireAt}${r.principal ? ` as ${r.principal}` : ""}`
      : "Credentials:  none cached",
  ];
  if (r.quota) lines.push(`Quota:        ${r.quota.outcome} at ${r.quota.checkedAt}${r.quota.reason ? ` (${r.quota.reason})` : ""}`);
  return lines.join("\n");
}
