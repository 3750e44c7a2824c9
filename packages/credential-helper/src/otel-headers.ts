/**
 * `otel-headers`: what Claude Code's `otelHeadersHelper` runs. Always prints a JSON object and exits 0
 * (a failure would drop the telemetry batch). Uses the cached, verified id_token; refreshes it silently
 * when it would expire before Claude Code asks again; never opens a browser. `{}` when not signed in.
 */
import type { StageSettings } from "@ccb/contracts";
import { idTokenUsable, StageCache } from "./cache.js";
import type { Deps } from "./io.js";
import { headersFor, refreshBeforeMs, warmHeaders } from "./warm.js";

export { headersFor, refreshBeforeMs } from "./warm.js";

export async function otelHeaders(d: Deps, settings: StageSettings): Promise<Record<string, string>> {
  if (settings.federation.mode === "identity-center") {
    // No id_token on this path, hence no bearer token: attribution from the role session only.
    const { roleIdentity } = await import("./idc.js");
    const { idcOtelHeaders } = await import("./telemetry/idc-token.js");
    return idcOtelHeaders(d, settings, roleIdentity, refreshBeforeMs(d.env));
  }
  const cache = new StageCache(d, settings.stage);
  const warm = await warmHeaders({ now: d.now, env: d.env, cache }, settings);
  if (warm) return warm;
  const token = await cache.readIdToken();
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
