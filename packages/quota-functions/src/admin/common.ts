import type { AthenaClient } from "@aws-sdk/client-athena";
import type { QuotaStore } from "../store.js";
import type { EnforceOn } from "../usage.js";
import { looksLikeEmail, normaliseEmail } from "../identity.js";
import { LIMIT_KEYS, type LimitKey, type LimitRecord, type Mode, type Scope } from "../limits.js";

/** What every command shares: its error, its dependencies, parsing of amounts and records, table output. */

/** Parsed flags of one command line. */
export type Flags = Record<string, string | boolean | string[] | undefined>;

export class CliError extends Error {
  override name = "CliError";
}

export interface CliDeps {
  readonly store: QuotaStore;
  readonly out: (line: string) => void;
  readonly now: () => number;
  /** Who is making the change (recorded on limit and unblock records). */
  readonly whoami: () => Promise<string>;
  readonly thresholds?: readonly number[];
  readonly enforceOn?: EnforceOn;
  /** The stage's `quotas.mode` (stack output `quotaMode` or CCB_QUOTA_MODE), when known. */
  readonly stageMode?: Mode;
  /** `reconcile`: the Athena client and the analytics workgroup (built only for that command). */
  readonly reconcile?: { readonly athena: AthenaClient; readonly workgroup: string; readonly pollMs?: number };
}

export const MAX_UNBLOCK_MS = 7 * 24 * 3600 * 1000;
export const SCOPES: readonly Scope[] = ["user", "group", "default"];

/** `300M`, `1.5B`, `250k`, `225000000`, `$50`, `1_000` → number. */
export function parseAmount(text: string, what: string): number {
  const m = /^\$?([\d_]+(?:\.\d+)?)([kKmMbB]?)$/.exec(text.trim());
  if (!m) throw new CliError(`${what} "${text}" is not a number (examples: 50, 12.5, 300M, 1.5B)`);
  const n = Number(m[1]!.replace(/_/g, "")) * ({ "": 1, k: 1e3, m: 1e6, b: 1e9 } as Record<string, number>)[m[2]!.toLowerCase()]!;
  if (!(n > 0)) throw new CliError(`${what} must be greater than 0; use --clear ${what.replace(/^--/, "")} to remove a limit`);
  return n;
}

export const FLAG_OF: Record<LimitKey, string> = {
  monthlyTokens: "monthly-tokens",
  dailyTokens: "daily-tokens",
  monthlyCostUsd: "monthly-usd",
  dailyCostUsd: "daily-usd",
};

export function table(rows: string[][], out: (l: string) => void): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows)
    out(
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    );
}

export const fmtTokens = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
export const fmtUsd = (n: number) => `$${n.toFixed(2)}`;
export const fmtLimit = (k: LimitKey, v: number | undefined) => (v === undefined ? "-" : k.endsWith("CostUsd") ? fmtUsd(v) : fmtTokens(v));

export function scopeAndId(positionals: string[], command: string): { scope: Scope; id: string } {
  const [scope, rawId] = positionals;
  if (!scope || !(SCOPES as readonly string[]).includes(scope))
    throw new CliError(`${command}: say which record: user <email>, group <name> or default`);
  if (scope === "default") return { scope, id: "default" };
  if (!rawId) throw new CliError(`${command} ${scope}: give the ${scope === "user" ? "email" : "group name"}`);
  if (scope === "user") {
    if (!looksLikeEmail(rawId))
      throw new CliError(`"${rawId}" is not an email address; users are keyed by the email claim of their sign-in token`);
    return { scope, id: normaliseEmail(rawId) };
  }
  if (!/^[\w:.@+=,\s/-]{1,128}$/.test(rawId)) throw new CliError(`group "${rawId}" has characters no IdP group claim carries`);
  return { scope: "group", id: rawId };
}

export type RateKey = "tokensPerMinute" | "requestsPerMinute";
/** Flags of the per-minute rate limits and the record fields they set. */
export const RATE_FLAGS: ReadonlyArray<readonly ["tpm" | "rpm", RateKey]> = [
  ["tpm", "tokensPerMinute"],
  ["rpm", "requestsPerMinute"],
];

export function describe(r: LimitRecord): string {
  const parts = LIMIT_KEYS.filter((k) => r[k] !== undefined).map((k) => `${FLAG_OF[k]} ${fmtLimit(k, r[k])}`);
  for (const [flag, key] of RATE_FLAGS) if (r[key] !== undefined) parts.push(`${flag} ${fmtTokens(r[key])}`);
  return `${parts.length ? parts.join(", ") : "no limits"} (monthly ${r.monthlyMode}, daily ${r.dailyMode})`;
}
