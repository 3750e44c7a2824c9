/**
 * `npm run quota -- <command>`: the admins' tool for limits, usage and unblocks. Talks to the quota
 * tables directly with the admin's own AWS credentials (the default credential chain: a profile,
 * SSO, environment), so every change is attributed in CloudTrail.
 *
 *   quota set user alice@example.com --monthly-usd 300 --daily-usd 60 --mode block
 *   quota set group interns --monthly-tokens 50M --mode block --daily-mode alert
 *   quota delete user alice@example.com
 *   quota list [user|group|default] [--json]
 *   quota show alice@example.com [--json]
 *   quota usage [--month 2026-11 | --day 2026-11-26] [--top 20] [--sort cost|tokens] [--json]
 *   quota unblock alice@example.com --for 24h|7d|until-reset --reason "release week"
 *   quota unblock alice@example.com --cancel
 *
 * Tables: --limits-table/--usage-table, or CCB_QUOTA_LIMITS_TABLE/CCB_QUOTA_USAGE_TABLE, or
 * --outputs <file> with `pulumi stack output --json` (quotaLimitsTable, quotaUsageTable).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { looksLikeEmail, normaliseEmail } from "../identity.js";
import { evaluate, isMode, LIMIT_KEYS, parseDefaultLimit, resolveLimits, type LimitKey, type LimitRecord, type Mode, type Scope } from "../limits.js";
import { nextDayStart, nextMonthStart, parseDuration, periodId } from "../periods.js";
import { microsToUsd, totalTokens } from "../pricing.js";
import { QuotaStore, type UsageRecord } from "../store.js";
import { periodUsage, type EnforceOn } from "../usage.js";

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
}

const MAX_UNBLOCK_MS = 7 * 24 * 3600 * 1000;
const SCOPES: readonly Scope[] = ["user", "group", "default"];

/** `300M`, `1.5B`, `250k`, `225000000`, `$50`, `1_000` → number. */
export function parseAmount(text: string, what: string): number {
  const m = /^\$?([\d_]+(?:\.\d+)?)([kKmMbB]?)$/.exec(text.trim());
  if (!m) throw new CliError(`${what} "${text}" is not a number (examples: 50, 12.5, 300M, 1.5B)`);
  const n = Number(m[1]!.replace(/_/g, "")) * ({ "": 1, k: 1e3, m: 1e6, b: 1e9 } as Record<string, number>)[m[2]!.toLowerCase()]!;
  if (!(n > 0)) throw new CliError(`${what} must be greater than 0; use --clear ${what.replace(/^--/, "")} to remove a limit`);
  return n;
}

const FLAG_OF: Record<LimitKey, string> = { monthlyTokens: "monthly-tokens", dailyTokens: "daily-tokens", monthlyCostUsd: "monthly-usd", dailyCostUsd: "daily-usd" };

function table(rows: string[][], out: (l: string) => void): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

const fmtTokens = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const fmtUsd = (n: number) => `$${n.toFixed(2)}`;
const fmtLimit = (k: LimitKey, v: number | undefined) => (v === undefined ? "-" : k.endsWith("CostUsd") ? fmtUsd(v) : fmtTokens(v));

function scopeAndId(positionals: string[], command: string): { scope: Scope; id: string } {
  const [scope, rawId] = positionals;
  if (!scope || !(SCOPES as readonly string[]).includes(scope)) throw new CliError(`${command}: say which record: user <email>, group <name> or default`);
  if (scope === "default") return { scope, id: "default" };
  if (!rawId) throw new CliError(`${command} ${scope}: give the ${scope === "user" ? "email" : "group name"}`);
  if (scope === "user") {
    if (!looksLikeEmail(rawId)) throw new CliError(`"${rawId}" is not an email address; users are keyed by the email claim of their sign-in token`);
    return { scope, id: normaliseEmail(rawId) };
  }
  if (!/^[\w:.@+=,\s/-]{1,128}$/.test(rawId)) throw new CliError(`group "${rawId}" has characters no IdP group claim carries`);
  return { scope: "group", id: rawId };
}

async function set(d: CliDeps, positionals: string[], v: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  const { scope, id } = scopeAndId(positionals, "set");
  if (scope === "default") throw new CliError("the default limit is part of the stage configuration: edit stage.quotas.defaults in Pulumi.<stage>.yaml and run pulumi up");
  const existing = (await d.store.listLimits(scope)).find((r) => r.id === id);
  const record: Record<string, unknown> = { ...(existing ?? { monthlyMode: "alert", dailyMode: "alert" }), scope, id };
  let changed = false;
  for (const k of LIMIT_KEYS) {
    const flag = v[FLAG_OF[k]];
    if (typeof flag === "string") {
      record[k] = parseAmount(flag, `--${FLAG_OF[k]}`);
      changed = true;
    }
  }
  for (const c of (v.clear as string[] | undefined) ?? []) {
    const key = (Object.entries(FLAG_OF).find(([, f]) => f === c) ?? [])[0] as LimitKey | undefined;
    if (!key) throw new CliError(`--clear ${c}: use one of ${Object.values(FLAG_OF).join(", ")}`);
    delete record[key];
    changed = true;
  }
  for (const [flag, keys] of [["mode", ["monthlyMode", "dailyMode"]], ["monthly-mode", ["monthlyMode"]], ["daily-mode", ["dailyMode"]]] as const) {
    const m = v[flag];
    if (m === undefined) continue;
    if (!isMode(m)) throw new CliError(`--${flag} must be alert or block`);
    for (const k of keys) record[k] = m;
    changed = true;
  }
  if (typeof v.note === "string") record.note = v.note;
  if (!changed && !existing) throw new CliError(`set ${scope} ${id}: give at least one limit (--monthly-usd, --daily-usd, --monthly-tokens, --daily-tokens) or a mode`);
  const m = record.monthlyTokens as number | undefined;
  const dt = record.dailyTokens as number | undefined;
  if (m !== undefined && dt !== undefined && dt > m) throw new CliError("--daily-tokens is larger than --monthly-tokens");
  const mu = record.monthlyCostUsd as number | undefined;
  const du = record.dailyCostUsd as number | undefined;
  if (mu !== undefined && du !== undefined && du > mu) throw new CliError("--daily-usd is larger than --monthly-usd");
  record.updatedAt = new Date(d.now()).toISOString();
  record.updatedBy = await d.whoami();
  await d.store.putLimit(record as unknown as LimitRecord);
  d.out(`${existing ? "updated" : "created"} ${scope} ${id}: ${describe(record as unknown as LimitRecord)}`);
  // The stage mode caps every record: say so rather than let the admin believe the record blocks.
  if (d.stageMode === "alert" && (record.monthlyMode === "block" || record.dailyMode === "block")) {
    d.out(`warning: this stage's quotas.mode is alert, so nobody is refused: the record's block mode only alerts here. Set quotas.mode: block in Pulumi.<stage>.yaml to enforce it.`);
  }
  return 0;
}

function describe(r: LimitRecord): string {
  const parts = LIMIT_KEYS.filter((k) => r[k] !== undefined).map((k) => `${FLAG_OF[k]} ${fmtLimit(k, r[k])}`);
  return `${parts.length ? parts.join(", ") : "no limits"} (monthly ${r.monthlyMode}, daily ${r.dailyMode})`;
}

async function list(d: CliDeps, positionals: string[], json: boolean): Promise<number> {
  const scope = positionals[0] as Scope | undefined;
  if (scope && !SCOPES.includes(scope)) throw new CliError(`list: scope must be user, group or default`);
  const records = await d.store.listLimits(scope);
  if (json) {
    d.out(JSON.stringify(records, null, 2));
    return 0;
  }
  if (records.length === 0) {
    d.out("no limit records");
    return 0;
  }
  table([["SCOPE", "ID", "MONTHLY USD", "DAILY USD", "MONTHLY TOKENS", "DAILY TOKENS", "MODES (M/D)", "UPDATED BY"], ...records.map((r) => [r.scope, r.id, fmtLimit("monthlyCostUsd", r.monthlyCostUsd), fmtLimit("dailyCostUsd", r.dailyCostUsd), fmtLimit("monthlyTokens", r.monthlyTokens), fmtLimit("dailyTokens", r.dailyTokens), `${r.monthlyMode}/${r.dailyMode}`, r.updatedBy ?? ""])], d.out);
  return 0;
}

async function show(d: CliDeps, positionals: string[], json: boolean): Promise<number> {
  const raw = positionals[0];
  if (!raw || !looksLikeEmail(raw)) throw new CliError("show: give the user's email");
  const email = normaliseEmail(raw);
  const now = d.now();
  const state = await d.store.userState(email, periodId("monthly", now), periodId("daily", now));
  const limits = await d.store.limitsFor(email, state.groups ?? []);
  const eff = resolveLimits(email, state.groups ?? [], limits);
  const ev = evaluate(eff, periodUsage(state.month, state.day, d.enforceOn ?? "max"), d.thresholds ?? [80, 90, 100]);
  const alerts = await d.store.alertsOf(email, state.month.period);
  const unblocked = state.unblock && Date.parse(state.unblock.until) > now ? state.unblock : undefined;
  const blocked = ev.blocking.length > 0 && !unblocked;
  if (json) {
    d.out(JSON.stringify({ email, groups: state.groups ?? [], policy: eff.source ?? null, limits: eff.limits, modes: { monthly: eff.monthlyMode, daily: eff.dailyMode }, statuses: ev.statuses, blocked, unblock: state.unblock ?? null, month: state.month, day: state.day, alerts }, null, 2));
    return 0;
  }
  d.out(`${email}  ${blocked ? "BLOCKED" : unblocked ? `unblocked until ${unblocked.until}` : "allowed"}`);
  d.out(`groups: ${(state.groups ?? []).join(", ") || "(none seen by the check API yet)"}`);
  d.out(`limits from: ${eff.source ? `${eff.source.scope} ${eff.source.ids.join(", ")}` : "nothing (no default record)"}; monthly ${eff.monthlyMode}, daily ${eff.dailyMode}`);
  const rec = (label: string, r: UsageRecord) => [
    [label, "telemetry", fmtTokens(totalTokens(r.tel)), fmtUsd(microsToUsd(r.tel.costMicros))],
    [label, "invocation logs", fmtTokens(totalTokens(r.srv)), fmtUsd(microsToUsd(r.srv.costMicros))],
  ];
  table([["PERIOD (UTC)", "RECORD", "TOKENS", "COST"], ...rec(state.month.period.slice(2), state.month), ...rec(state.day.period.slice(2), state.day)], d.out);
  for (const s of ev.statuses) d.out(`${s.limit}: ${s.percent}% of ${fmtLimit(s.limit, s.max)} (${s.mode})`);
  for (const a of alerts) d.out(`alert sent ${a.sentAt}: ${String(a.sk).split("#").slice(3).join(" ")}%`);
  return 0;
}

async function usage(d: CliDeps, v: Record<string, string | boolean | string[] | undefined>, json: boolean): Promise<number> {
  let period = periodId("monthly", d.now());
  if (typeof v.month === "string") {
    if (!/^\d{4}-\d{2}$/.test(v.month)) throw new CliError(`--month "${v.month}" must look like 2026-11`);
    period = `M#${v.month}`;
  }
  if (typeof v.day === "string") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.day)) throw new CliError(`--day "${v.day}" must look like 2026-11-26`);
    period = `D#${v.day}`;
  }
  const sort = (v.sort as string | undefined) ?? "cost";
  if (sort !== "cost" && sort !== "tokens") throw new CliError("--sort must be cost or tokens");
  const top = v.top === undefined ? 50 : Number(v.top);
  if (!Number.isInteger(top) || top < 1) throw new CliError("--top must be a whole number ≥ 1");
  const rows = (await d.store.usageOfPeriod(period)).map((r) => ({
    email: r.email,
    tokens: Math.max(totalTokens(r.tel), totalTokens(r.srv)),
    costUsd: Math.max(microsToUsd(r.tel.costMicros), microsToUsd(r.srv.costMicros)),
    telemetryTokens: totalTokens(r.tel),
    invocationLogTokens: totalTokens(r.srv),
    cacheReadTokens: Math.max(r.tel.cacheRead, r.srv.cacheRead),
  }));
  rows.sort((a, b) => (sort === "cost" ? b.costUsd - a.costUsd : b.tokens - a.tokens) || a.email.localeCompare(b.email));
  const shown = rows.slice(0, top);
  if (json) {
    d.out(JSON.stringify({ period: period.slice(2), users: rows.length, rows: shown }, null, 2));
    return 0;
  }
  d.out(`${period.startsWith("M#") ? "month" : "day"} ${period.slice(2)} (UTC): ${rows.length} users, ${fmtUsd(rows.reduce((a, r) => a + r.costUsd, 0))}`);
  table([["USER", "COST", "TOKENS", "CACHE READ", "TELEMETRY", "INVOCATION LOGS"], ...shown.map((r) => [r.email, fmtUsd(r.costUsd), fmtTokens(r.tokens), fmtTokens(r.cacheReadTokens), fmtTokens(r.telemetryTokens), fmtTokens(r.invocationLogTokens)])], d.out);
  return 0;
}

async function unblock(d: CliDeps, positionals: string[], v: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  const raw = positionals[0];
  if (!raw || !looksLikeEmail(raw)) throw new CliError("unblock: give the user's email");
  const email = normaliseEmail(raw);
  if (v.cancel === true) {
    await d.store.deleteUnblock(email);
    d.out(`unblock of ${email} cancelled; limits apply again from the next check (new credentials) and aggregation (≤ 15 min)`);
    return 0;
  }
  const now = d.now();
  const spec = typeof v.for === "string" ? v.for : undefined;
  if (!spec) throw new CliError("unblock: say for how long with --for 24h, --for 7d or --for until-reset (at most 7 days)");
  if (typeof v.reason !== "string" || v.reason.trim().length < 3) throw new CliError("unblock: give a --reason (it is recorded with the unblock)");
  let until: number;
  if (spec === "until-reset") {
    const state = await d.store.userState(email, periodId("monthly", now), periodId("daily", now));
    const limits = await d.store.limitsFor(email, state.groups ?? []);
    const ev = evaluate(resolveLimits(email, state.groups ?? [], limits), periodUsage(state.month, state.day, d.enforceOn ?? "max"), [100]);
    until = ev.blocking.some((s) => s.period === "monthly") || ev.blocking.length === 0 ? nextMonthStart(now) : nextDayStart(now);
  } else {
    try {
      until = now + parseDuration(spec);
    } catch (e) {
      throw new CliError(`--for ${(e as Error).message}`);
    }
  }
  const capped = Math.min(until, now + MAX_UNBLOCK_MS);
  const iso = new Date(capped).toISOString();
  await d.store.putUnblock({ email, until: iso, by: await d.whoami(), reason: v.reason.trim(), at: new Date(now).toISOString() });
  d.out(`${email} unblocked until ${iso}${capped < until ? " (capped at 7 days)" : ""}. New credentials at once; the IAM deny lifts at the next aggregation (≤ 15 min).`);
  return 0;
}

const USAGE_TEXT = `usage: npm run quota -- <command> [options]

commands:
  set user <email>|group <name> [--monthly-usd N] [--daily-usd N] [--monthly-tokens N] [--daily-tokens N]
                               [--mode alert|block] [--monthly-mode M] [--daily-mode M] [--clear <limit>] [--note text]
  delete user <email>|group <name>
  list [user|group|default] [--json]
  show <email> [--json]
  usage [--month YYYY-MM | --day YYYY-MM-DD] [--top N] [--sort cost|tokens] [--json]
  unblock <email> --for 24h|7d|until-reset --reason "…"    (at most 7 days)
  unblock <email> --cancel

tables: --limits-table/--usage-table, CCB_QUOTA_LIMITS_TABLE/CCB_QUOTA_USAGE_TABLE, or --outputs <pulumi stack output --json file>
AWS:    your own credentials (AWS_PROFILE, SSO, ...); --region, --endpoint (a local DynamoDB)`;

export const OPTIONS = {
  "monthly-usd": { type: "string" },
  "daily-usd": { type: "string" },
  "monthly-tokens": { type: "string" },
  "daily-tokens": { type: "string" },
  mode: { type: "string" },
  "monthly-mode": { type: "string" },
  "daily-mode": { type: "string" },
  clear: { type: "string", multiple: true },
  note: { type: "string" },
  json: { type: "boolean" },
  month: { type: "string" },
  day: { type: "string" },
  top: { type: "string" },
  sort: { type: "string" },
  for: { type: "string" },
  reason: { type: "string" },
  cancel: { type: "boolean" },
  "limits-table": { type: "string" },
  "usage-table": { type: "string" },
  outputs: { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs one command; returns the exit code. Errors with a fix go to `err`. */
export async function runCli(argv: readonly string[], d: CliDeps, err: (line: string) => void): Promise<number> {
  try {
    const { values: v, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    const json = v.json === true;
    switch (command) {
      case "set":
        return await set(d, rest, v);
      case "delete": {
        const { scope, id } = scopeAndId(rest, "delete");
        if (scope === "default") throw new CliError("the default limit is part of the stage configuration (stage.quotas.defaults)");
        const gone = await d.store.deleteLimit(scope, id);
        d.out(gone ? `deleted ${scope} ${id}` : `no ${scope} record ${id}`);
        return gone ? 0 : 1;
      }
      case "list":
        return await list(d, rest, json);
      case "show":
        return await show(d, rest, json);
      case "usage":
        return await usage(d, v, json);
      case "unblock":
        return await unblock(d, rest, v);
      case undefined:
      case "help":
        d.out(USAGE_TEXT);
        return command === undefined && !v.help ? 2 : 0;
      default:
        throw new CliError(`unknown command "${command}"\n${USAGE_TEXT}`);
    }
  } catch (e) {
    if (e instanceof CliError) {
      err(`quota: ${e.message}`);
      return 2;
    }
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`quota: ${(e as Error).message}\n${USAGE_TEXT}`);
      return 2;
    }
    const name = (e as Error).name;
    if (name === "ResourceNotFoundException") err("quota: the table does not exist in this account/Region; check --limits-table/--usage-table, --region and your AWS profile");
    else if (name === "AccessDeniedException") err(`quota: access denied (${(e as Error).message}); your role needs the QuotaService administer grant`);
    else err(`quota: ${name}: ${(e as Error).message}`);
    return 1;
  }
}

/** Table names from flags, environment or a `pulumi stack output --json` file. */
export function resolveTables(v: { "limits-table"?: string; "usage-table"?: string; outputs?: string }, env: NodeJS.ProcessEnv): { limits: string; usage: string; defaultLimit?: LimitRecord; stageMode?: Mode } {
  let fromFile: Record<string, unknown> = {};
  if (v.outputs) {
    try {
      fromFile = JSON.parse(readFileSync(v.outputs, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new CliError(`--outputs ${v.outputs}: ${(e as Error).message}`);
    }
  }
  const limits = v["limits-table"] ?? env.CCB_QUOTA_LIMITS_TABLE ?? (fromFile.quotaLimitsTable as string | undefined);
  const usage = v["usage-table"] ?? env.CCB_QUOTA_USAGE_TABLE ?? (fromFile.quotaUsageTable as string | undefined);
  if (!limits || !usage) throw new CliError("which tables? pass --outputs <(pulumi stack output --json --stack prod), or --limits-table and --usage-table, or set CCB_QUOTA_LIMITS_TABLE and CCB_QUOTA_USAGE_TABLE");
  // The default limit is stage config; the stack exports it so `show` and `list` can apply it.
  const def = fromFile.quotaDefaultLimits ?? env.CCB_QUOTA_DEFAULT_LIMITS;
  let defaultLimit: LimitRecord | undefined;
  if (def !== undefined) {
    try {
      defaultLimit = parseDefaultLimit(typeof def === "string" ? def : JSON.stringify(def));
    } catch (e) {
      throw new CliError(`the default limits from the stack outputs are invalid: ${(e as Error).message}`);
    }
  }
  const mode = fromFile.quotaMode ?? env.CCB_QUOTA_MODE;
  if (mode !== undefined && !isMode(mode)) throw new CliError(`the stage mode (stack output quotaMode or CCB_QUOTA_MODE) is "${String(mode)}"; it must be alert or block`);
  return { limits, usage, ...(defaultLimit ? { defaultLimit } : {}), ...(mode ? { stageMode: mode } : {}) };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
  let v: Record<string, unknown>;
  try {
    v = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false }).values;
  } catch {
    v = {};
  }
  const err = (l: string) => console.error(l);
  let store: QuotaStore;
  let stageMode: Mode | undefined;
  try {
    if (v.help || argv.length === 0) return runCli(argv, { store: undefined as never, out: (l) => console.log(l), now: Date.now, whoami: async () => "" }, err);
    const t = resolveTables(v as never, process.env);
    const client = new DynamoDBClient({ ...(typeof v.region === "string" ? { region: v.region } : {}), ...(typeof v.endpoint === "string" ? { endpoint: v.endpoint } : {}) });
    store = new QuotaStore(client, t.limits, t.usage, t.defaultLimit);
    stageMode = t.stageMode;
  } catch (e) {
    err(`quota: ${(e as Error).message}`);
    return 2;
  }
  const whoami = async () => {
    try {
      const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
      const id = await new STSClient({ ...(typeof v.region === "string" ? { region: v.region } : {}) }).send(new GetCallerIdentityCommand({}));
      return id.Arn ?? process.env.USER ?? "unknown";
    } catch {
      return process.env.USER ?? "unknown";
    }
  };
  return runCli(argv, { store, out: (l) => console.log(l), now: Date.now, whoami, ...(stageMode ? { stageMode } : {}) }, err);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // Exit once stdout has drained: a pipe takes output asynchronously (`usage --json` can be large).
  main().then((code) => process.stdout.write("", () => process.exit(code)));
}

