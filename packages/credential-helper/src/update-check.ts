/**
 * "Is a newer claude-bedrock in the registry?" The check itself (`checkForUpdate`) takes every effect
 * injected; `helperUpdateCheck` and `updateNotice` at the end wire it to the helper's `Deps` and stage
 * settings. Only `doctor` and the interactive commands load this module
 * (dynamic imports in cli.ts and commands.ts), never `credential-process` or `otel-headers`.
 *
 * Rules it implements:
 * - `doctor` always checks (longer timeout) and reports failures with a fix.
 * - Every other command checks at most once per `intervalMs` (a day), with a short timeout, and says
 *   nothing when the check fails; the slot is claimed before the request so a dead registry is not
 *   asked again on every command.
 * - Never on the hot path: `credential-process` and `otel-headers` must not call it (`isHotPath`).
 * - Off with `CLAUDE_BEDROCK_NO_UPDATE_CHECK=1`, and in CI (`CI=true`) outside `doctor`.
 * - CodeArtifact needs a token: it is read from npm's user config (`NPM_CONFIG_USERCONFIG` or `~/.npmrc`)
 *   for the registry URL, the way npm matches it (`//host/path/:_authToken`, `${ENV}` expanded), which is
 *   what `aws codeartifact login --tool npm` writes. A 401/403 means the 12-hour token expired.
 * - Only a strictly newer version (semver order, pre-releases before releases) is announced.
 */

import type { StageSettings } from "@ccb/contracts";
import type { Deps } from "./io.js";
import { helperHome, join as joinPath } from "./paths.js";

export interface UpdateCheckFs {
  readFile(path: string, encoding: "utf8"): Promise<string>;
  writeFile(path: string, data: string, options: { mode?: number; encoding?: "utf8" }): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode?: number }): Promise<string | undefined>;
  rename(from: string, to: string): Promise<void>;
}

export interface UpdateCheckDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
  readonly platform: string;
  readonly now: () => number;
  readonly fs: UpdateCheckFs;
  readonly fetch: (input: string, init?: RequestInit) => Promise<Response>;
}

export interface UpdateCheckOptions {
  /** `settings.distribution.registryUrl` */
  readonly registryUrl: string;
  /** `settings.distribution.packageName` */
  readonly packageName: string;
  /** The running helper's version. */
  readonly currentVersion: string;
  /** Where the last check is remembered, e.g. `~/.claude-bedrock/update-check.json`. */
  readonly stateFile: string;
  /** `doctor` checks now; `background` at most once per interval and silently. */
  readonly mode: "doctor" | "background";
  /** How the helper was installed: decides the upgrade command shown. */
  readonly installKind?: "npm" | "executable";
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

export type UpdateCheckResult =
  | { readonly status: "newer"; readonly current: string; readonly latest: string; readonly notice: string; readonly fix: string }
  | { readonly status: "current"; readonly current: string; readonly latest: string }
  | { readonly status: "skipped"; readonly reason: "disabled" | "ci" | "checked-recently" }
  | { readonly status: "unavailable"; readonly detail: string; readonly fix?: string };

export const DAY_MS = 24 * 60 * 60 * 1000;
const BACKGROUND_TIMEOUT_MS = 1500;
const DOCTOR_TIMEOUT_MS = 10_000;

/** Commands that must never wait for the network on account of an update check. */
export const HOT_PATH_COMMANDS: readonly string[] = ["credential-process", "otel-headers"];
export function isHotPath(command: string): boolean {
  return HOT_PATH_COMMANDS.includes(command);
}

interface State {
  readonly checkedAt: number;
  readonly latest?: string;
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Semver precedence: negative when a < b, 0 when equal, positive when a > b; NaN when either is not semver. */
export function compareVersions(a: string, b: string): number {
  const x = SEMVER.exec(a.trim());
  const y = SEMVER.exec(b.trim());
  if (!x || !y) return Number.NaN;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  const pa = x[4];
  const pb = y[4];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const sa = pa.split(".");
  const sb = pb.split(".");
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const ia = sa[i];
    const ib = sb[i];
    if (ia === undefined) return -1;
    if (ib === undefined) return 1;
    const na = /^\d+$/.test(ia);
    const nb = /^\d+$/.test(ib);
    if (na && nb && Number(ia) !== Number(ib)) return Number(ia) - Number(ib);
    if (na !== nb) return na ? -1 : 1;
    if (ia !== ib) return ia < ib ? -1 : 1;
  }
  return 0;
}

function join(platform: string, ...parts: string[]): string {
  const sep = platform === "win32" ? "\\" : "/";
  return parts.join(sep).replace(platform === "win32" ? /\\{2,}/g : /\/{2,}/g, sep);
}

function dirOf(platform: string, file: string): string {
  const i = Math.max(file.lastIndexOf("/"), platform === "win32" ? file.lastIndexOf("\\") : -1);
  return i > 0 ? file.slice(0, i) : file;
}

/** npm's user config file: `NPM_CONFIG_USERCONFIG` (any case), else `~/.npmrc`. */
export function npmUserConfigFile(d: Pick<UpdateCheckDeps, "env" | "homedir" | "platform">): string {
  const fromEnv = Object.entries(d.env).find(([k, v]) => k.toLowerCase() === "npm_config_userconfig" && v)?.[1];
  return fromEnv ?? join(d.platform, d.homedir, ".npmrc");
}

/**
 * The `_authToken` npm would send to `registryUrl`, from the text of an `.npmrc`. Matches
 * `//host[:port]/path/:_authToken` from the most specific path up, like npm, and expands `${VAR}`.
 */
export function npmAuthToken(npmrc: string, registryUrl: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const values = new Map<string, string>();
  for (const raw of npmrc.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    let value = line.slice(eq + 1).trim();
    if (/^".*"$/.test(value)) value = value.slice(1, -1);
    values.set(
      line.slice(0, eq).trim(),
      value.replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? ""),
    );
  }
  let url: URL;
  try {
    url = new URL(registryUrl);
  } catch {
    return undefined;
  }
  const segments = url.pathname.split("/").filter(Boolean);
  for (let n = segments.length; n >= 0; n--) {
    const key = `//${url.host}/${segments
      .slice(0, n)
      .map((s) => `${s}/`)
      .join("")}:_authToken`;
    const v = values.get(key);
    if (v) return v;
  }
  return undefined;
}

/** `https://r/npm/repo/` + `@acme/claude-bedrock` → `https://r/npm/repo/@acme%2fclaude-bedrock` */
export function packumentUrl(registryUrl: string, packageName: string): string {
  return `${registryUrl.replace(/\/+$/, "")}/${packageName.replace("/", "%2f")}`;
}

export function upgradeCommand(packageName: string, latest: string, installKind: "npm" | "executable" = "npm"): string {
  return installKind === "npm"
    ? `npm install --global ${packageName}@${latest}`
    : `download claude-bedrock ${latest} for your platform (see your platform team's install guide), check it against SHA256SUMS, and replace this file`;
}

async function readState(d: UpdateCheckDeps, file: string): Promise<State | undefined> {
  try {
    const v = JSON.parse(await d.fs.readFile(file, "utf8")) as unknown;
    return typeof v === "object" && v !== null && typeof (v as State).checkedAt === "number" ? (v as State) : undefined;
  } catch {
    return undefined;
  }
}

async function writeState(d: UpdateCheckDeps, file: string, state: State): Promise<void> {
  try {
    await d.fs.mkdir(dirOf(d.platform, file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${d.now()}.tmp`;
    await d.fs.writeFile(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600, encoding: "utf8" });
    await d.fs.rename(tmp, file);
  } catch {
    // Best effort: an unwritable state file only means the next command may check again.
  }
}

export async function checkForUpdate(d: UpdateCheckDeps, o: UpdateCheckOptions): Promise<UpdateCheckResult> {
  if (d.env.CLAUDE_BEDROCK_NO_UPDATE_CHECK === "1") return { status: "skipped", reason: "disabled" };
  const background = o.mode === "background";
  if (background && (d.env.CI === "true" || d.env.CI === "1")) return { status: "skipped", reason: "ci" };
  const now = d.now();
  if (background) {
    const state = await readState(d, o.stateFile);
    // A clock that went backwards (state in the future) counts as "long ago".
    if (state && now >= state.checkedAt && now - state.checkedAt < (o.intervalMs ?? DAY_MS))
      return { status: "skipped", reason: "checked-recently" };
    await writeState(d, o.stateFile, { checkedAt: now });
  }
  let token: string | undefined;
  try {
    token = npmAuthToken(await d.fs.readFile(npmUserConfigFile(d), "utf8"), o.registryUrl, d.env);
  } catch {
    token = undefined;
  }
  const url = packumentUrl(o.registryUrl, o.packageName);
  let res: Response;
  try {
    res = await d.fetch(url, {
      headers: {
        accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      signal: AbortSignal.timeout(o.timeoutMs ?? (background ? BACKGROUND_TIMEOUT_MS : DOCTOR_TIMEOUT_MS)),
    });
  } catch (e) {
    return {
      status: "unavailable",
      detail: `cannot reach ${o.registryUrl} (${(e as Error).name === "TimeoutError" ? "timed out" : (e as Error).message})`,
      fix: "check your network or VPN",
    };
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel().catch(() => undefined);
    return {
      status: "unavailable",
      detail: `${o.registryUrl} answered HTTP ${res.status}${token ? " (the registry token in your npm config has expired or lacks access)" : " (no registry token in your npm config)"}`,
      // The stage's registry is CodeArtifact (`distribution.registry.kind: codeartifact`) or an npm registry
      // the organisation runs (`npm`): the URL tells which, and so how to sign in again.
      fix: CODEARTIFACT_URL.test(o.registryUrl)
        ? "sign in to the registry again (CodeArtifact tokens last 12 hours): run the `aws codeartifact login` command from the install guide"
        : `sign in to the registry again as your organisation's npm setup says (e.g. \`npm login --registry ${o.registryUrl}\`)`,
    };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return { status: "unavailable", detail: `${url} answered HTTP ${res.status}` };
  }
  let latest: unknown;
  try {
    latest = ((await res.json()) as { "dist-tags"?: { latest?: unknown } })["dist-tags"]?.latest;
  } catch {
    return { status: "unavailable", detail: `${url} did not answer with package metadata` };
  }
  if (typeof latest !== "string" || Number.isNaN(compareVersions(latest, o.currentVersion))) {
    return { status: "unavailable", detail: `${url} names no comparable latest version (got ${JSON.stringify(latest)})` };
  }
  if (background) await writeState(d, o.stateFile, { checkedAt: now, latest });
  if (compareVersions(latest, o.currentVersion) > 0) {
    const fix = upgradeCommand(o.packageName, latest, o.installKind);
    return {
      status: "newer",
      current: o.currentVersion,
      latest,
      fix,
      notice: `claude-bedrock ${latest} is available (you have ${o.currentVersion}). Upgrade: ${fix}`,
    };
  }
  return { status: "current", current: o.currentVersion, latest };
}

/**
 * How this helper was installed, for the upgrade command: a single executable (Node SEA: the command is the
 * executable alone; bun: the script lives in bun's virtual file system), else the npm package.
 */
export function installKind(selfCommand: readonly string[], selfScript?: string): "npm" | "executable" {
  const script = selfScript ?? selfCommand[1];
  return script === undefined || script.includes("/$bunfs/") || script.includes("~BUN") ? "executable" : "npm";
}

/** A CodeArtifact npm endpoint (`https://<domain>-<owner>.d.codeartifact.<region>.amazonaws.com/npm/<repo>/`). */
const CODEARTIFACT_URL = /^https:\/\/[a-z0-9-]+-\d{12}\.d\.codeartifact\.[a-z0-9-]+\.amazonaws\.com\/npm\//;

/** The check for this helper and stage; undefined (nothing asked) when the stage names no registry. */
export async function helperUpdateCheck(
  d: Deps,
  s: StageSettings,
  mode: UpdateCheckOptions["mode"],
): Promise<UpdateCheckResult | undefined> {
  if (!s.distribution) return undefined;
  return checkForUpdate(d, {
    registryUrl: s.distribution.registryUrl,
    packageName: s.distribution.packageName,
    currentVersion: d.version,
    stateFile: joinPath(d, helperHome(d), "update-check.json"),
    mode,
    installKind: installKind(d.selfCommand, d.selfScript),
  });
}

/**
 * After an interactive command (`setup`, `login`, `logout`, `status`): at most once a day, a short look for
 * a newer helper; a newer version is one line on stderr, anything else is silent (`--debug` says why).
 * Never throws: a command that worked must not fail on account of the registry.
 */
export async function updateNotice(d: Deps, s: StageSettings): Promise<void> {
  try {
    const r = await helperUpdateCheck(d, s, "background");
    if (r?.status === "newer") d.stderr(`${r.notice}\n`);
    else if (r)
      d.log.debug("update-check", r.status, {
        detail: r.status === "unavailable" ? r.detail : r.status === "skipped" ? r.reason : r.latest,
      });
  } catch (e) {
    d.log.debug("update-check", "failed", { error: (e as Error).message });
  }
}
