/**
 * `otel-headers`: what Claude Code's `otelHeadersHelper` runs. Always prints a JSON object and exits 0
 * (a failure would drop the telemetry batch). Uses the cached, verified id_token; refreshes it silently
 * when it would expire before Claude Code asks again; never opens a browser. `{}` when not signed in.
 */
import type { StageSettings } from "@ccb/stage-settings";
import { idTokenUsable, StageCache, type CachedIdToken } from "./cache.js";
import type { Deps } from "./io.js";

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

export async function otelHeaders(d: Deps, settings: StageSettings): Promise<Record<string, string>> {
  if (settings.federation.mode === "identity-center") {
    // No id_token on this path, hence no bearer token: attribution from the role session only.
    const { roleIdentity } = await import("./idc.js");
    const { idcOtelHeaders } = await import("./telemetry/idc-token.js");
    return idcOtelHeaders(d, settings, roleIdentity, refreshBeforeMs(d.env));
  }
  const cache = new StageCache(d, settings.stage);
  const token = await cache.readIdToken();
  if (idTokenUsable(token, d.now(), refreshBeforeMs(d.env))) return headersFor(token);
  {
    try {
      const [{ CredentialResolver }, { acquireLock }] = await Promise.all([import("./credentials.js"), import("./lock.js")]);
      // Short wait: a browser sign-in in progress must not stall Claude Code's exporter.
      const lock = await acquireLock(d, cache.file("lock"), { waitMs: 5_000, staleAfterMs: 10 * 60_000 });
      try {
        const again = await cache.readIdToken();
        if (idTokenUsable(again, d.now(), refreshBeforeMs(d.env))) return headersFor(again);
        const fresh = await new CredentialResolver(d, settings, { allowBrowser: false, loginTimeoutMs: 0 }).refreshed();
        if (fresh) return headersFor(fresh);
      } finally {
        await lock.release();
      }
    } catch (e) {
      d.log.debug("otel-headers", "silent refresh failed", { error: (e as Error).message });
    }
  }
  // Still-valid token that could not be refreshed: better than nothing until it expires.
  if (idTokenUsable(token, d.now(), 30_000)) return headersFor(token);
  return {};
}
