/**
 * `doctor`: one small function per check, run in the order the report shows them. Each returns the
 * `Check` lines it contributes (none when it does not apply to the stage).
 */
import * as net from "node:net";
import type { StageSettings } from "@ccb/contracts";
import { identityProviderOf } from "./settings.js";
import { profileHeader, sectionValues, splitCommand } from "./aws-config.js";
import { StageCache } from "./cache.js";
import type { Check } from "./check.js";
import type { Deps } from "./io.js";
import { FIXES, type HelperError } from "./errors.js";
import { unsafeReason } from "./ownership.js";
import { awsConfigFile, claudeSettingsFile, helperHome, join } from "./paths.js";
import { readText } from "./store.js";

export { formatChecks, type Check } from "./check.js";

export async function doctor(d: Deps, s: StageSettings, source: string, options: { managedDir?: string } = {}): Promise<Check[]> {
  const idp = s.federation.mode !== "identity-center";
  return [
    { name: "stage settings", ok: true, detail: `stage ${s.stage} from ${source}` },
    ...(await awsProfileChecks(d, s)),
    ...(await staticCredentialsCheck(d, s)),
    await claudeSettingsCheck(d, s),
    await managedSettingsCheck(d, s, options.managedDir),
    ...(await networkChecks(d, s)),
    ...(idp ? await identityProviderChecks(d, s) : []),
    ...(idp ? [await teamTagCheck(d, s)].filter((c): c is Check => c !== undefined) : []),
    ...(idp ? [await signInPortCheck(s)] : []),
    ...(idp ? [] : await (await import("./idc-doctor.js")).identityCenterChecks(d, s)),
    ...(await helperVersionCheck(d, s)),
    await helperHomeCheck(d),
    ...(await cachePermissionsCheck(d, s)),
  ];
}

/**
 * When the stage settings themselves sit under an unsafe helper home they are not read, so the other
 * checks cannot run: the report is the refusal and the helper home check.
 */
export async function unsafeHomeChecks(d: Deps, refusal: HelperError): Promise<Check[]> {
  return [{ name: "stage settings", ok: false, detail: refusal.message, fix: refusal.fix }, await helperHomeCheck(d)];
}

/** The profile in ~/.aws/config: an sso-session for Identity Center, else this helper's credential_process (and that it still exists). */
async function awsProfileChecks(d: Deps, s: StageSettings): Promise<Check[]> {
  const awsFile = awsConfigFile(d);
  const awsText = await readText(d, awsFile).catch(() => undefined);
  const header = profileHeader(s.awsProfile);
  const values = awsText ? sectionValues(awsText, header) : {};
  if (s.federation.mode === "identity-center") {
    return [
      values.sso_session
        ? { name: "AWS profile", ok: true, detail: `[${header}] uses sso-session ${values.sso_session}` }
        : { name: "AWS profile", ok: false, detail: `no SSO profile ${s.awsProfile} in ${awsFile}`, fix: "run `claude-bedrock setup`" },
    ];
  }
  const cp = values.credential_process ?? "";
  if (!cp.includes("credential-process"))
    return [
      {
        name: "AWS profile",
        ok: false,
        detail: `no credential_process for ${s.awsProfile} in ${awsFile}`,
        fix: "run `claude-bedrock setup`",
      },
    ];
  return [
    { name: "AWS profile", ok: true, detail: `[${header}] in ${awsFile} runs this helper` },
    await commandCheck(d, splitCommand(cp, d.platform)[0] ?? ""),
  ];
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
        .flatMap((dir) =>
          d.platform === "win32" ? ["", ".exe", ".cmd"].map((ext) => join(d, dir, program + ext)) : [join(d, dir, program)],
        );
  for (const c of candidates) {
    const st = await d.fs.stat(c).catch(() => undefined);
    if (!st || st.isDirectory()) continue;
    if (d.platform !== "win32" && (st.mode & 0o111) === 0)
      return { name: "helper command", ok: false, detail: `${c} (from credential_process) is not executable`, fix };
    return { name: "helper command", ok: true, detail: `${c} exists and is executable` };
  }
  return { name: "helper command", ok: false, detail: `${program || "(empty)"} (from credential_process) does not exist`, fix };
}

/** A [profile] in ~/.aws/credentials wins over credential_process in the SDKs. */
async function staticCredentialsCheck(d: Deps, s: StageSettings): Promise<Check[]> {
  const creds = await readText(d, awsConfigFile(d).replace(/config$/, "credentials")).catch(() => undefined);
  if (!creds || !new RegExp(`^\\s*\\[\\s*${s.awsProfile.replace(/[.]/g, "\\.")}\\s*\\]`, "m").test(creds)) return [];
  return [
    {
      name: "static credentials",
      ok: false,
      detail: `~/.aws/credentials has a [${s.awsProfile}] section that shadows credential_process`,
      fix: "remove that section from ~/.aws/credentials",
    },
  ];
}

async function claudeSettingsCheck(d: Deps, s: StageSettings): Promise<Check> {
  const file = claudeSettingsFile(d);
  const text = await readText(d, file).catch(() => undefined);
  try {
    const env = (text ? (JSON.parse(text) as { env?: Record<string, string> }).env : undefined) ?? {};
    if (env.CLAUDE_CODE_USE_BEDROCK === "1" && env.AWS_PROFILE === s.awsProfile)
      return { name: "Claude Code settings", ok: true, detail: `${file} uses Bedrock with profile ${s.awsProfile}` };
    return {
      name: "Claude Code settings",
      ok: false,
      detail: `${file} does not select Bedrock with profile ${s.awsProfile}`,
      fix: "run `claude-bedrock setup`",
    };
  } catch {
    return {
      name: "Claude Code settings",
      ok: false,
      detail: `${file} is not valid JSON`,
      fix: "fix the file, then run `claude-bedrock setup`",
    };
  }
}

async function managedSettingsCheck(d: Deps, s: StageSettings, managedDir: string | undefined): Promise<Check> {
  const { defaultManagedDir, managedCheck } = await import("./managed.js");
  return managedCheck(d, s, managedDir ?? defaultManagedDir(d));
}

/**
 * The proxy and the extra root CAs in effect, then whether AWS STS (and the quota service and the
 * collector, when the stage has them) answer through them: any HTTP answer means reachable.
 */
async function networkChecks(d: Deps, s: StageSettings): Promise<Check[]> {
  const { currentStageCaBundle, networkFailure, networkSummary, proxyFor, showProxy } = await import("./network.js");
  const net = networkSummary(d.env);
  const checks: Check[] = [
    {
      name: "proxy",
      ok: true,
      detail:
        net.proxies.length === 0
          ? "none (direct connections; set HTTPS_PROXY if your network requires a proxy)"
          : `${net.proxies.join(", ")}${net.noProxy ? `; NO_PROXY=${net.noProxy}` : ""}`,
    },
  ];
  for (const [label, file] of [
    ["NODE_EXTRA_CA_CERTS", net.extraCa],
    ["stage caBundle", currentStageCaBundle()],
  ] as const) {
    if (!file) continue;
    const pem = await d.fs.readFile(file, "utf8").catch(() => undefined);
    const certs = pem ? (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length : 0;
    checks.push(
      certs > 0
        ? {
            name: "extra CA",
            ok: true,
            detail: `${label} ${file}: ${certs} certificate${certs > 1 ? "s" : ""} trusted in addition to the public roots`,
          }
        : {
            name: "extra CA",
            ok: false,
            detail: `${label} ${file} ${pem === undefined ? "cannot be read" : "holds no PEM certificate"}`,
            fix:
              label === "NODE_EXTRA_CA_CERTS"
                ? "point NODE_EXTRA_CA_CERTS at the PEM file of your organisation's root CA (ask IT)"
                : "reinstall the helper, or tell your platform team (the distribution should ship this file)",
          },
    );
  }
  if (net.proxies.length === 0 && checks.length === 1)
    checks.push({ name: "extra CA", ok: true, detail: "none (public roots only; set NODE_EXTRA_CA_CERTS if your network inspects TLS)" });
  const { endpointFor } = await import("./federation.js");
  const { serviceUrl } = await import("./net-client.js");
  // Unreachable: no credentials without STS/Cognito (or a fail-closed quota service): FAIL; a fail-open
  // quota service or the collector only cost the check or the telemetry: warn.
  const targets: Array<[string, string, "fail" | "warn"]> = [];
  if (s.federation.mode === "direct") targets.push(["AWS STS", serviceUrl(endpointFor(d.env, "STS"), "sts", s.region), "fail"]);
  if (s.federation.mode === "cognito-identity-pool")
    targets.push([
      "Amazon Cognito",
      serviceUrl(endpointFor(d.env, "COGNITO_IDENTITY"), "cognito-identity", s.federation.identityPoolRegion),
      "fail",
    ]);
  if (s.quota) targets.push(["quota service", s.quota.checkUrl, s.quota.failMode === "closed" ? "fail" : "warn"]);
  if (s.telemetry) targets.push(["collector", s.telemetry.endpoint, "warn"]);
  for (const [what, url, severity] of targets) {
    const proxy = proxyFor(url, d.env);
    const via = proxy ? ` through ${showProxy(proxy.url)}` : " directly";
    try {
      const res = await d.fetch(url, { method: "GET", signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel().catch(() => undefined);
      checks.push({ name: `reach ${what}`, ok: true, detail: `${new URL(url).host} answered${via} (HTTP ${res.status})` });
    } catch (e) {
      const err = networkFailure(e, url, d.env, `the ${what}`);
      checks.push({
        name: `reach ${what}`,
        ok: severity === "fail" ? false : "warn",
        detail: err ? err.message : `cannot reach ${new URL(url).host}${via} (${(e as Error).message})`,
        fix: err ? err.fix : "check your network, proxy (HTTPS_PROXY, NO_PROXY) or VPN",
      });
    }
  }
  return checks;
}

/**
 * The team the helper configured Claude Code for comes from the `team` claim; AWS sees the `team` session
 * tag the IdP puts in `https://aws.amazon.com/tags`. With `restrictTeamProfiles` a difference denies every
 * call to the team's inference profiles.
 */
async function teamTagCheck(d: Deps, s: StageSettings): Promise<Check | undefined> {
  if (s.teams.length === 0) return undefined;
  const token = await new StageCache(d, s.stage).readIdToken().catch(() => undefined);
  if (!token) return undefined;
  const { sessionTeamTag } = await import("./live.js");
  const claim = token.identity.team;
  const tag = sessionTeamTag(token.idToken);
  const name = "team session tag";
  if (tag === undefined) {
    if (!s.restrictTeamProfiles) return undefined;
    return {
      name,
      ok: false,
      detail: `your sign-in has team "${claim ?? "(none)"}" but no "team" session tag in https://aws.amazon.com/tags; this stage grants team profiles only to sessions tagged with the team`,
      fix: "tell your platform team: the identity provider must send principal_tags.team in the https://aws.amazon.com/tags claim",
    };
  }
  if (tag === claim) return { name, ok: true, detail: `the team claim and the AWS session tag agree (${tag})` };
  return {
    name,
    ok: s.restrictTeamProfiles ? false : "warn",
    detail: `Claude Code is set up for team "${claim ?? "(none)"}" (team claim) but AWS sees the session tag team="${tag}"${s.restrictTeamProfiles ? "; this stage allows a team's profiles only to sessions with that tag, so every Bedrock call would be denied" : ""}`,
    fix: "tell your platform team: the identity provider's team claim and its principal_tags.team session tag must name the same team",
  };
}

/** Discovery answers with the stage's issuer; its Date header tells the clock skew. */
async function identityProviderChecks(d: Deps, s: StageSettings): Promise<Check[]> {
  const { networkFailure, proxyFor, showProxy } = await import("./network.js");
  const via = (url: string) => {
    const p = proxyFor(url, d.env);
    return p ? ` through ${showProxy(p.url)}` : "";
  };
  // The issuer is exactly the tokens' `iss`; Auth0's ends with a slash.
  const discovery = `${identityProviderOf(s).issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const checks: Check[] = [];
  try {
    const started = d.now();
    const res = await d.fetch(discovery, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => ({}))) as { issuer?: string; device_authorization_endpoint?: string };
    if (!res.ok)
      checks.push({
        name: "identity provider",
        ok: false,
        detail: `${discovery} answered HTTP ${res.status}`,
        fix: "tell your platform team",
      });
    else if (body.issuer !== identityProviderOf(s).issuer)
      checks.push({
        name: "identity provider",
        ok: false,
        detail: `discovery names issuer ${body.issuer}, the stage expects ${identityProviderOf(s).issuer}`,
        fix: "tell your platform team",
      });
    else
      checks.push({
        name: "identity provider",
        ok: true,
        detail: `${identityProviderOf(s).issuer} reachable${via(discovery)}${body.device_authorization_endpoint ? "; device sign-in available" : ""}`,
      });
    const date = res.headers.get("date");
    if (date) checks.push(clockCheck(Math.round((Date.parse(date) - (started + d.now()) / 2) / 1000)));
  } catch (e) {
    const err = networkFailure(e, discovery, d.env, "the identity provider");
    checks.push({
      name: "identity provider",
      ok: false,
      detail: err ? err.message : `cannot reach ${discovery}${via(discovery)} (${(e as Error).message})`,
      fix: err ? err.fix : "check your network, proxy (HTTPS_PROXY, NO_PROXY) or VPN",
    });
  }
  return checks;
}

function clockCheck(skew: number): Check {
  if (Math.abs(skew) > 60)
    return {
      name: "clock",
      ok: false,
      detail: `your clock is ${Math.abs(skew)} s ${skew > 0 ? "behind" : "ahead of"} the identity provider`,
      fix: "turn on automatic time synchronisation",
    };
  return { name: "clock", ok: true, detail: `within ${Math.max(1, Math.abs(skew))} s of the identity provider` };
}

/** Whether the sign-in callback could listen on `host`: a taken port is not free; no IPv6 loopback (::1) is. */
function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", (e: NodeJS.ErrnoException) => resolve(host === "::1" && e.code !== "EADDRINUSE" && e.code !== "EACCES"));
    srv.listen({ port, host, exclusive: true, ...(host === "::1" ? { ipv6Only: true } : {}) }, () => srv.close(() => resolve(true)));
  });
}

async function signInPortCheck(s: StageSettings): Promise<Check> {
  // With a localhost redirect the callback also listens on ::1 (a browser may resolve localhost there).
  const port = identityProviderOf(s).redirectPort;
  const hosts = identityProviderOf(s).redirectHost === "localhost" ? ["127.0.0.1", "::1"] : ["127.0.0.1"];
  const shown = (h: string) => `${h.includes(":") ? `[${h}]` : h}:${port}`;
  const taken: string[] = [];
  for (const h of hosts) if (!(await portFree(port, h))) taken.push(shown(h));
  if (taken.length === 0)
    return { name: "sign-in port", ok: true, detail: `${hosts.map(shown).join(" and ")} ${hosts.length > 1 ? "are" : "is"} free` };
  return {
    name: "sign-in port",
    ok: "warn",
    detail: `${taken.join(" and ")} ${taken.length > 1 ? "are" : "is"} in use (a sign-in may be running, or another program holds it)`,
    fix: `find it with \`lsof -i :${port}\` (or \`netstat -ano\` on Windows)`,
  };
}

async function helperVersionCheck(d: Deps, s: StageSettings): Promise<Check[]> {
  if (!s.distribution) return [];
  const { helperUpdateCheck } = await import("./update-check.js");
  const r = await helperUpdateCheck(d, s, "doctor");
  if (r?.status === "newer")
    return [{ name: "helper version", ok: "warn", detail: `${r.current} installed, ${r.latest} available`, fix: r.fix }];
  if (r?.status === "current") return [{ name: "helper version", ok: true, detail: `${r.current} is the latest` }];
  if (r?.status === "unavailable")
    return [
      {
        name: "helper version",
        ok: "warn",
        detail: `cannot tell whether ${d.version} is the latest: ${r.detail}`,
        ...(r.fix ? { fix: r.fix } : {}),
      },
    ];
  if (r?.status === "skipped")
    return [
      { name: "helper version", ok: true, detail: `${d.version}; not compared with the registry (CLAUDE_BEDROCK_NO_UPDATE_CHECK=1)` },
    ];
  return [];
}

/**
 * The helper home must be the user's own, not writable by others (ownership.ts refuses it otherwise),
 * and writable: every sign-in and every refresh writes there.
 */
async function helperHomeCheck(d: Deps): Promise<Check> {
  const home = helperHome(d);
  const name = "helper home";
  const st = await d.fs.stat(home).catch(() => undefined);
  if (!st) return { name, ok: true, detail: `${home} does not exist yet (the first sign-in creates it)` };
  if (!st.isDirectory())
    return { name, ok: false, detail: `${home} is not a directory`, fix: `move it away; ${FIXES.ERR_CACHE_UNWRITABLE}` };
  const reason = d.platform !== "win32" && d.uid !== undefined ? unsafeReason(st, d.uid, home) : undefined;
  if (reason) return { name, ok: false, detail: `${home}: ${reason.why}; the helper refuses to use it`, fix: `run ${reason.fix}` };
  const probe = join(d, home, `.doctor-${d.pid}.tmp`);
  try {
    await d.fs.writeFile(probe, "", { mode: 0o600, flag: "wx" });
    await d.fs.unlink(probe);
  } catch (e) {
    return {
      name,
      ok: false,
      detail: `cannot write in ${home} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
      fix: FIXES.ERR_CACHE_UNWRITABLE,
    };
  }
  return { name, ok: true, detail: `${home} is yours, private and writable` };
}

async function cachePermissionsCheck(d: Deps, s: StageSettings): Promise<Check[]> {
  if (d.platform === "win32") return [];
  const dir = new StageCache(d, s.stage).dir;
  const st = await d.fs.stat(dir).catch(() => undefined);
  if (st && (st.mode & 0o077) !== 0)
    return [{ name: "cache permissions", ok: false, detail: `${dir} is readable by others`, fix: `chmod 700 ${dir}` }];
  return [{ name: "cache permissions", ok: true, detail: st ? `${dir} is private` : "no cache yet" }];
}
