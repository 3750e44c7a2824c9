/**
 * The warm answers of `credential-process` and `otel-headers`: what the two commands print when the
 * cache already holds everything, decided by the same functions the full commands use. The bundle's
 * entry (`entry.ts`) runs this first and starts the rest of the helper only when it returns undefined,
 * so the common case parses a small file (see docs/helper-internals.md, "Performance").
 *
 * Anything unusual (a flag it does not know, `--debug`, a settings or cache problem, a warning to print,
 * a quota re-check that is due, an Identity Center stage) returns undefined: the full command then runs
 * and reports it exactly as it always did. This module must not import anything heavy or with dynamic
 * imports (the entry bundles what it imports).
 */
import type { StageSettings } from "@ccb/contracts";
import { credentialsFresh, idTokenUsable, processOutput, StageCache, type CachedIdToken, type QuotaState } from "./cache.js";
import type { Deps, Logger } from "./io.js";
import { loadSettings } from "./settings.js";

/**
 * Cached credentials are re-checked against the quota service this often (the usage aggregation runs
 * every 15 minutes), so a block does not wait for credentials minted before it to expire.
 */
export const QUOTA_RECHECK_MS = 15 * 60 * 1000;

export function quotaRecheckDue(last: QuotaState | undefined, now: number): boolean {
  return !last || now - last.checkedAt >= QUOTA_RECHECK_MS;
}

/** Claude Code re-runs the helper every 29 min by default; a token must outlive that to stay useful. */
export function refreshBeforeMs(env: Readonly<Record<string, string | undefined>>): number {
  const debounce = Number(env.CLAUDE_CODE_OTEL_HEADERS_HELPER_DEBOUNCE_MS);
  return (Number.isFinite(debounce) && debounce > 0 ? debounce : 29 * 60_000) + 60_000;
}

export function headersFor(t: CachedIdToken): Record<string, string> {
  const h: Record<string, string> = { Authorization: `Bearer ${t.idToken}`, "x-user-email": t.identity.email };
  if (t.identity.department) h["x-department"] = t.identity.department;
  if (t.identity.team) h["x-team"] = t.identity.team;
  if (t.identity.costCenter) h["x-cost-center"] = t.identity.costCenter;
  return h;
}

type WarmDeps = Pick<
  Deps,
  "fs" | "env" | "platform" | "homedir" | "uid" | "pid" | "now" | "selfCommand" | "selfScript" | "secretStore" | "log"
>;

/** Thrown by the warm path's logger: something wants to be said, so the full command must run. */
class NotWarm extends Error {}
/** The logger to give `warmAnswer`: a message to the user means the full command must say it. */
export const warmLogger: Logger = {
  debug() {},
  info() {
    throw new NotWarm();
  },
  warn() {
    throw new NotWarm();
  },
};

/** `[command, --stage x | --settings f]…` with nothing else, or undefined. */
function parse(argv: readonly string[]): { command: string; stage?: string; settingsFile?: string } | undefined {
  const [command, ...rest] = argv;
  if (command !== "credential-process" && command !== "otel-headers") return undefined;
  const sel: { stage?: string; settingsFile?: string } = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = eq > 0 ? a.slice(eq + 1) : rest[++i];
    if (value === undefined || value.startsWith("--")) return undefined;
    if (name === "--stage") sel.stage = value;
    else if (name === "--settings") sel.settingsFile = value;
    else return undefined;
  }
  return { command, ...sel };
}

/** The warm credential_process answer for a stage, or undefined. */
export async function warmCredentials(d: Pick<Deps, "now"> & { cache: StageCache }, settings: StageSettings): Promise<string | undefined> {
  if (settings.federation.mode === "identity-center") return undefined;
  const creds = await d.cache.readCredentials();
  if (!credentialsFresh(creds, d.now())) return undefined;
  if (settings.quota && quotaRecheckDue(await d.cache.readQuota(), d.now())) return undefined;
  return processOutput(creds);
}

/** The warm otel-headers answer for a stage, or undefined. */
export async function warmHeaders(
  d: Pick<Deps, "now" | "env"> & { cache: StageCache },
  settings: StageSettings,
): Promise<Record<string, string> | undefined> {
  if (settings.federation.mode === "identity-center") return undefined;
  const token = await d.cache.readIdToken();
  return idTokenUsable(token, d.now(), refreshBeforeMs(d.env)) ? headersFor(token) : undefined;
}

/** The whole stdout of a warm command, or undefined when the full command must run. */
export async function warmAnswer(d: WarmDeps, argv: readonly string[]): Promise<string | undefined> {
  const p = parse(argv);
  if (!p) return undefined;
  try {
    const { settings } = await loadSettings(d, {
      ...(p.stage ? { stage: p.stage } : {}),
      ...(p.settingsFile ? { settingsFile: p.settingsFile } : {}),
    });
    const cache = new StageCache(d, settings.stage);
    if (p.command === "credential-process") {
      const out = await warmCredentials({ now: d.now, cache }, settings);
      return out === undefined ? undefined : `${out}\n`;
    }
    const headers = await warmHeaders({ now: d.now, env: d.env, cache }, settings);
    return headers === undefined ? undefined : `${JSON.stringify(headers)}\n`;
  } catch {
    // Whatever it was, the full command meets it again and reports it properly.
    return undefined;
  }
}
