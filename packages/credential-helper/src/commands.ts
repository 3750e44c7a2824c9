/**
 * `login`, `logout`, `status` and `doctor`. `credential-process`, `otel-headers` and `setup` live in
 * their own modules; this file stays free of heavy imports too.
 */
import * as net from "node:net";
import type { StageSettings } from "@ccb/contracts";
import { credentialsFresh, idTokenUsable, StageCache } from "./cache.js";
import { saveTokens } from "./credentials.js";
import type { Deps } from "./deps.js";
import { HelperError } from "./errors.js";
import { profileHeader, sectionValues, splitCommand } from "./aws-config.js";
import { awsConfigFile, claudeSettingsFile, join } from "./paths.js";
import { readText } from "./store.js";

export interface LoginFlags {
  readonly noBrowser: boolean;
  readonly device: boolean;
  readonly timeoutMs: number;
}

export async function login(d: Deps, s: StageSettings, flags: LoginFlags): Promise<string> {
  if (s.federation.mode === "identity-center") {
    throw new HelperError("ERR_FEDERATION_IDENTITY_CENTER", `stage ${s.stage} signs in through IAM Identity Center (profile ${s.awsProfile})`);
  }
  const [{ discover }, flows, { acquireLock }, { lockOptions }] = await Promise.all([import("./oidc/client.js"), import("./oidc/flows.js"), import("./lock.js"), import("./credentials.js")]);
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
      if (flags.device) d.log.info(`${s.identityProvider.issuer} offers no device sign-in; use the URL below instead.`);
      const noBrowser = flags.noBrowser || flags.device || isHeadless(d.env, d.platform);
      t = await flows.browserLogin(d, s, { noBrowser, timeoutMs: flags.timeoutMs }, disc);
    }
    const saved = await saveTokens(cache, t);
    // New identity: credentials minted for a previous sign-in must not be served under it.
    await cache.remove("credentials.json");
    const { applyTeamModels } = await import("./setup.js");
    const team = await applyTeamModels(d, s);
    return `Signed in as ${saved.identity.email} (stage ${s.stage}) until ${new Date(saved.expiresAt).toISOString()}${t.refreshToken ? "; silent refresh enabled" : ""}.${team ? ` ${team}` : ""}`;
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
  const [tok, refresh, creds, quota] = await Promise.all([cache.readIdToken(), cache.readRefreshToken(), cache.readCredentials(), cache.readQuota()]);
  const now = d.now();
  const base = { stage: s.stage, organization: s.organization, profile: s.awsProfile, region: s.region, federation: s.federation.mode, settingsSource: source };
  if (s.federation.mode === "identity-center") {
    const { roleIdentity } = await import("./idc.js");
    const who = await roleIdentity(d, s);
    return {
      ...base,
      signedIn: who !== undefined,
      ...(who ? { email: who.email ?? who.name, principal: who.arn } : {}),
      refreshToken: false,
      credentialsValid: who !== undefined,
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
    ...(quota ? { quota: { outcome: quota.outcome, checkedAt: new Date(quota.checkedAt).toISOString(), ...(quota.reason ? { reason: quota.reason } : {}), ...(quota.usage ? { usage: quota.usage } : {}) } } : {}),
  };
}

export function formatStatus(r: StatusReport): string {
  const lines = [
    `Stage:        ${r.stage} (${r.organization}), settings from ${r.settingsSource}`,
    `AWS profile:  ${r.profile} in ${r.region} (${r.federation})`,
    r.email
      ? `Signed in as: ${r.email}${r.team ? ` (team ${r.team})` : ""}${r.idTokenExpiresAt ? `; token until ${r.idTokenExpiresAt}` : ` (IAM Identity Center session ${r.principal})`}${r.refreshToken ? ", silent refresh available" : ""}`
      : `Signed in:    no${r.refreshToken ? " (refresh token present)" : r.federation === "identity-center" ? ` (run \`aws sso login --profile ${r.profile}\`)` : ""}`,
    r.credentialsExpireAt ? `Credentials:  ${r.credentialsValid ? "valid" : "expired"} until ${r.credentialsExpireAt}${r.principal ? ` as ${r.principal}` : ""}` : "Credentials:  none cached",
  ];
  if (r.quota) lines.push(`Quota:        ${r.quota.outcome} at ${r.quota.checkedAt}${r.quota.reason ? ` (${r.quota.reason})` : ""}`);
  return lines.join("\n");
}

export interface Check {
  readonly name: string;
  readonly ok: boolean | "warn";
  readonly detail: string;
  readonly fix?: string;
}

/** Whether the sign-in callback could listen on `host`: a taken port is not free; no IPv6 loopback (::1) is. */
function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", (e: NodeJS.ErrnoException) => resolve(host === "::1" && e.code !== "EADDRINUSE" && e.code !== "EACCES"));
    srv.listen({ port, host, exclusive: true, ...(host === "::1" ? { ipv6Only: true } : {}) }, () => srv.close(() => resolve(true)));
  });
}

/** Whether the program a `credential_process` names (first element) exists and is executable. */
async function commandCheck(d: Deps, program: string): Promise<Check> {
  const fix = "run `claude-bedrock setup` again (the helper or the Node it names has moved, e.g. after an upgrade)";
  const sep = d.platform === "win32" ? /[\\/]/ : /\//;
  const candidates = sep.test(program)
    ? [program]
    : (d.env.PATH ?? d.env.Path ?? "")
        .split(d.platform === "win32" ? ";" : ":")
        .filter((dir) => dir !== "")
        .flatMap((dir) => (d.platform === "win32" ? ["", ".exe", ".cmd"].map((ext) => join(d, dir, program + ext)) : [join(d, dir, program)]));
  for (const c of candidates) {
    const st = await d.fs.stat(c).catch(() => undefined);
    if (!st || st.isDirectory()) continue;
    if (d.platform !== "win32" && (st.mode & 0o111) === 0) return { name: "helper command", ok: false, detail: `${c} (from credential_process) is not executable`, fix };
    return { name: "helper command", ok: true, detail: `${c} exists and is executable` };
  }
  return { name: "helper command", ok: false, detail: `${program || "(empty)"} (from credential_process) does not exist`, fix };
}

export async function doctor(d: Deps, s: StageSettings, source: string, options: { managedDir?: string } = {}): Promise<Check[]> {
  const checks: Check[] = [{ name: "stage settings", ok: true, detail: `stage ${s.stage} from ${source}` }];
  const awsFile = awsConfigFile(d);
  const awsText = await readText(d, awsFile).catch(() => undefined);
  const values = awsText ? sectionValues(awsText, profileHeader(s.awsProfile)) : {};
  if (s.federation.mode === "identity-center") {
    checks.push(values.sso_session ? { name: "AWS profile", ok: true, detail: `[${profileHeader(s.awsProfile)}] uses sso-session ${values.sso_session}` } : { name: "AWS profile", ok: false, detail: `no SSO profile ${s.awsProfile} in ${awsFile}`, fix: "run `claude-bedrock setup`" });
  } else {
    const cp = values.credential_process ?? "";
    checks.push(cp.includes("credential-process") ? { name: "AWS profile", ok: true, detail: `[${profileHeader(s.awsProfile)}] in ${awsFile} runs this helper` } : { name: "AWS profile", ok: false, detail: `no credential_process for ${s.awsProfile} in ${awsFile}`, fix: "run `claude-bedrock setup`" });
    if (cp.includes("credential-process")) checks.push(await commandCheck(d, splitCommand(cp, d.platform)[0] ?? ""));
  }
  const creds = await readText(d, awsFile.replace(/config$/, "credentials")).catch(() => undefined);
  if (creds && new RegExp(`^\\s*\\[\\s*${s.awsProfile.replace(/[.]/g, "\\.")}\\s*\\]`, "m").test(creds)) {
    checks.push({ name: "static credentials", ok: false, detail: `~/.aws/credentials has a [${s.awsProfile}] section that shadows credential_process`, fix: "remove that section from ~/.aws/credentials" });
  }
  const claudeText = await readText(d, claudeSettingsFile(d)).catch(() => undefined);
  try {
    const env = (claudeText ? (JSON.parse(claudeText) as { env?: Record<string, string> }).env : undefined) ?? {};
    const ok = env.CLAUDE_CODE_USE_BEDROCK === "1" && env.AWS_PROFILE === s.awsProfile;
    checks.push(ok ? { name: "Claude Code settings", ok: true, detail: `${claudeSettingsFile(d)} uses Bedrock with profile ${s.awsProfile}` } : { name: "Claude Code settings", ok: false, detail: `${claudeSettingsFile(d)} does not select Bedrock with profile ${s.awsProfile}`, fix: "run `claude-bedrock setup`" });
  } catch {
    checks.push({ name: "Claude Code settings", ok: false, detail: `${claudeSettingsFile(d)} is not valid JSON`, fix: "fix the file, then run `claude-bedrock setup`" });
  }
  const { defaultManagedDir, managedCheck } = await import("./managed.js");
  checks.push(await managedCheck(d, s, options.managedDir ?? defaultManagedDir(d)));
  if (s.federation.mode !== "identity-center") {
    // The issuer is exactly the tokens' `iss`; Auth0's ends with a slash.
    const discovery = `${s.identityProvider.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    try {
      const started = d.now();
      const res = await d.fetch(discovery, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json().catch(() => ({}))) as { issuer?: string; device_authorization_endpoint?: string };
      if (!res.ok) checks.push({ name: "identity provider", ok: false, detail: `${discovery} answered HTTP ${res.status}`, fix: "tell your platform team" });
      else if (body.issuer !== s.identityProvider.issuer) checks.push({ name: "identity provider", ok: false, detail: `discovery names issuer ${body.issuer}, the stage expects ${s.identityProvider.issuer}`, fix: "tell your platform team" });
      else checks.push({ name: "identity provider", ok: true, detail: `${s.identityProvider.issuer} reachable${body.device_authorization_endpoint ? "; device sign-in available" : ""}` });
      const date = res.headers.get("date");
      if (date) {
        const skew = Math.round((Date.parse(date) - (started + d.now()) / 2) / 1000);
        checks.push(Math.abs(skew) > 60 ? { name: "clock", ok: false, detail: `your clock is ${Math.abs(skew)} s ${skew > 0 ? "behind" : "ahead of"} the identity provider`, fix: "turn on automatic time synchronisation" } : { name: "clock", ok: true, detail: `within ${Math.max(1, Math.abs(skew))} s of the identity provider` });
      }
    } catch (e) {
      checks.push({ name: "identity provider", ok: false, detail: `cannot reach ${discovery} (${(e as Error).message})`, fix: "check your network or VPN" });
    }
    // With a localhost redirect the callback also listens on ::1 (a browser may resolve localhost there).
    const port = s.identityProvider.redirectPort;
    const hosts = s.identityProvider.redirectHost === "localhost" ? ["127.0.0.1", "::1"] : ["127.0.0.1"];
    const shown = (h: string) => `${h.includes(":") ? `[${h}]` : h}:${port}`;
    const taken: string[] = [];
    for (const h of hosts) if (!(await portFree(port, h))) taken.push(shown(h));
    checks.push(taken.length === 0 ? { name: "sign-in port", ok: true, detail: `${hosts.map(shown).join(" and ")} ${hosts.length > 1 ? "are" : "is"} free` } : { name: "sign-in port", ok: "warn", detail: `${taken.join(" and ")} ${taken.length > 1 ? "are" : "is"} in use (a sign-in may be running, or another program holds it)`, fix: `find it with \`lsof -i :${port}\` (or \`netstat -ano\` on Windows)` });
  }
  if (s.distribution) {
    const { helperUpdateCheck } = await import("./update-check.js");
    const r = await helperUpdateCheck(d, s, "doctor");
    if (r?.status === "newer") checks.push({ name: "helper version", ok: "warn", detail: `${r.current} installed, ${r.latest} available`, fix: r.fix });
    else if (r?.status === "current") checks.push({ name: "helper version", ok: true, detail: `${r.current} is the latest` });
    else if (r?.status === "unavailable") checks.push({ name: "helper version", ok: "warn", detail: `cannot tell whether ${d.version} is the latest: ${r.detail}`, ...(r.fix ? { fix: r.fix } : {}) });
    else if (r?.status === "skipped") checks.push({ name: "helper version", ok: true, detail: `${d.version}; not compared with the registry (CLAUDE_BEDROCK_NO_UPDATE_CHECK=1)` });
  }
  const cache = new StageCache(d, s.stage);
  if (d.platform !== "win32") {
    const st = await d.fs.stat(cache.dir).catch(() => undefined);
    if (st && (st.mode & 0o077) !== 0) checks.push({ name: "cache permissions", ok: false, detail: `${cache.dir} is readable by others`, fix: `chmod 700 ${cache.dir}` });
    else checks.push({ name: "cache permissions", ok: true, detail: st ? `${cache.dir} is private` : "no cache yet" });
  }
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.ok === true ? "ok  " : c.ok === "warn" ? "warn" : "FAIL"}  ${c.name}: ${c.detail}${c.fix ? `\n      fix: ${c.fix}` : ""}`).join("\n");
}
